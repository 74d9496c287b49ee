'use client'

import {
  type AutomationCurve,
  type AutomationPoint,
  clearAutomation,
  updateAutomationPoints,
} from '@ensemble/core'
import { Eraser, Plus, X } from 'lucide-react'
import { useStudio } from '../studio-context'
import { useView } from '../view/view-store'
import { formatValue, type LaneTarget } from './lane-targets'
import { addLane, hideLane, showLane } from './shown-lanes'

const CURVES: readonly [AutomationCurve, string][] = [
  ['linear', 'Linear'],
  ['exponential', 'Exponential'],
  ['step', 'Step'],
]

/**
 * The head of one automation lane: what it moves (any target of the track), its range in real units, the
 * curve of the selected points' segments, and buttons to add a lane below, clear this one, or hide it.
 */
export function AutomationLaneHeader(props: {
  trackId: string
  trackName: string
  laneKey: string
  targets: readonly LaneTarget[]
  points: readonly AutomationPoint[]
  height: number
}) {
  const { trackId, trackName, laneKey, targets, points, height } = props
  const studio = useStudio()
  const { doc, me } = studio.session
  const readOnly = studio.session.role === 'viewer'
  const shown = useView(studio.view, (s) => s.automationLanes[trackId])
  const selection = useView(studio.view, (s) =>
    s.automationSelection?.laneKey === laneKey ? s.automationSelection.pointIds : null,
  )
  const target = targets.find((t) => t.key === laneKey)
  const selected = points.filter((p) => selection?.includes(p.id))
  const curves = new Set(selected.map((p) => p.curve))
  const curve = curves.size === 1 ? [...curves][0]! : ''
  return (
    <div className="st-auto-head" style={{ height }} data-testid="automation-header">
      <div className="st-row">
        <select
          aria-label={`Automation target of ${trackName}`}
          data-testid="automation-target"
          value={laneKey}
          onChange={(e) => studio.view.set((s) => showLane(s, trackId, laneKey, e.target.value))}
        >
          {targets.map((t) => (
            <option key={t.key} value={t.key} disabled={t.key !== laneKey && shown?.includes(t.key)}>
              {t.label}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="st-auto-btn"
          aria-label={`Add an automation lane to ${trackName}`}
          title="Another lane"
          onClick={() => studio.view.set((s) => addLane(s, trackId, targets))}
        >
          <Plus size={12} aria-hidden />
        </button>
        <button
          type="button"
          className="st-auto-btn"
          aria-label={`Clear ${target?.label ?? 'lane'} automation`}
          title="Delete every point of this lane"
          disabled={readOnly || points.length === 0 || target === undefined}
          onClick={() => target && studio.run(() => clearAutomation(doc, me, target.target))}
        >
          <Eraser size={12} aria-hidden />
        </button>
        <button
          type="button"
          className="st-auto-btn"
          aria-label={`Hide ${target?.label ?? 'lane'} automation`}
          title="Hide the lane (its points stay in the song)"
          onClick={() => studio.view.set((s) => hideLane(s, trackId, laneKey))}
        >
          <X size={12} aria-hidden />
        </button>
      </div>
      <div className="st-row st-small st-muted">
        {target ? (
          <span>
            {formatValue(target, target.min)} … {formatValue(target, target.max)}
          </span>
        ) : (
          <span>Gone (its device or send was removed)</span>
        )}
        <select
          aria-label="Curve of the selected points"
          data-testid="automation-curve"
          value={curve}
          disabled={readOnly || selected.length === 0}
          title="How the value travels from each selected point to the next"
          onChange={(e) => {
            const next = e.target.value as AutomationCurve
            studio.run(() =>
              updateAutomationPoints(
                doc,
                me,
                selected.map((p) => ({ id: p.id, curve: next })),
              ),
            )
          }}
        >
          {curve === '' && <option value="">Curve</option>}
          {CURVES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
    </div>
  )
}
