'use client'

import { PPQ } from '@ensemble/core'
import { INSTRUMENT_PRESETS } from '@ensemble/core/audio/catalogue'
import { colourFor } from '../session/song-session'
import { miniNotes, type PreviewLane } from './tracks-preview'
import './ai.css'

const presetName = (lane: PreviewLane): string =>
  INSTRUMENT_PRESETS.find((p) => p.id === lane.preset)?.name ?? 'no instrument'

/**
 * The header of a track an arranger proposes, below the song's tracks where accepting would add it:
 * dashed, in the requester's colour, with its name, instrument and who asked. Not a track: nothing to edit.
 */
export function ProposalLaneHeader({ lane, height }: { lane: PreviewLane; height: number }) {
  return (
    <div
      className="st-ghost-head"
      data-testid="ghost-lane-header"
      style={{ height, ['--who' as string]: colourFor(lane.requestedBy) }}
      title={`Suggested track: ${lane.label}`}
    >
      <span className="st-ghost-name">✦ {lane.name}</span>
      <span className="st-muted st-small">
        {presetName(lane)} · {lane.label}
      </span>
    </div>
  )
}

/** The lane of a proposed track: its notes drawn small over the bars the proposal covers. */
export function ProposalLane(props: {
  lane: PreviewLane
  top: number
  height: number
  pxPerQuarter: number
}) {
  const { lane, top, height, pxPerQuarter } = props
  const left = (lane.fromTick / PPQ) * pxPerQuarter
  const width = Math.max(6, ((lane.toTick - lane.fromTick) / PPQ) * pxPerQuarter)
  const colour = colourFor(lane.requestedBy)
  const boxHeight = height - 8
  const d = miniNotes(lane.notes, PPQ, pxPerQuarter, boxHeight - 4)
    .map(
      (n) =>
        `M${n.x.toFixed(1)} ${(n.y + 2).toFixed(1)}h${n.width.toFixed(1)}v${n.height.toFixed(1)}h${(-n.width).toFixed(1)}z`,
    )
    .join('')
  return (
    <div
      className="st-ghost-lane"
      data-ghost-lane={lane.key}
      data-testid="ghost-lane"
      data-notes={lane.notes.length}
      role="img"
      aria-label={`Suggested track ${lane.name} (${presetName(lane)}), ${lane.notes.length} notes: ${lane.label}`}
      style={{ top, height, ['--who' as string]: colour }}
    >
      <div className="st-proposal-overlay" style={{ left, width, height: boxHeight }}>
        <span className="st-proposal-label">✦ {lane.name}</span>
        <svg width={width} height={boxHeight} aria-hidden style={{ position: 'absolute', left: 0, top: 0 }}>
          <path d={d} fill={colour} opacity={0.8} />
        </svg>
      </div>
    </div>
  )
}
