'use client'

import {
  deleteTrack,
  duplicateTrack,
  MAX_VOLUME_DB,
  MIN_VOLUME_DB,
  renameTrack,
  setColour,
  setInstrument,
  setMute,
  setSolo,
  setVolume,
  type TrackSnapshot,
} from '@ensemble/core'
import { DEFAULT_PRESET, INSTRUMENT_PRESETS } from '@ensemble/core/audio/catalogue'
import { Activity, Copy, Drum, Piano, Plus, SlidersHorizontal, Sparkles, Trash2 } from 'lucide-react'
import type { DragEvent } from 'react'
import { IconButton } from '../components/icon-button'
import { useStudio } from '../studio-context'
import { useView } from '../view/view-store'

/** Who else is on this track: dots in their colours, from awareness. */
export interface TrackVisitor {
  readonly clientId: number
  readonly name: string
  readonly colour: string
}

export function TrackHeader(props: {
  track: TrackSnapshot
  index: number
  visitors: readonly TrackVisitor[]
  onAddClip: () => void
  onReorder: (trackId: string, toIndex: number) => void
  /** Whether automation lanes show under the track, and the button that shows or hides them. */
  automationShown: boolean
  onToggleAutomation: () => void
}) {
  const { track, index, visitors } = props
  const studio = useStudio()
  const { doc, me } = studio.session
  const readOnly = studio.session.role === 'viewer'
  const selected = useView(studio.view, (s) => s.selectedTrackId === track.id)
  const aiOpen = useView(studio.view, (s) => s.aiTrackId === track.id)
  const effectsOpen = useView(studio.view, (s) => s.chainOwner === track.id)
  const kind = track.kind === 'audio' ? null : track.kind
  const instrument = track.instrument ?? (kind ? DEFAULT_PRESET[kind] : '')

  const onDrop = (e: DragEvent) => {
    const id = e.dataTransfer.getData('application/x-ensemble-track')
    if (id && id !== track.id) props.onReorder(id, index)
  }

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the header is a drag source and target for reordering
    <div
      className={`st-track-header${selected ? ' is-selected' : ''}`}
      data-testid="track"
      data-track-id={track.id}
      style={{ ['--track' as string]: track.colour }}
      draggable={!readOnly}
      onDragStart={(e) => {
        e.dataTransfer.setData('application/x-ensemble-track', track.id)
        e.dataTransfer.effectAllowed = 'move'
      }}
      onDragOver={(e) => e.preventDefault()}
      onDrop={onDrop}
      onPointerDown={() => studio.view.set({ selectedTrackId: track.id })}
    >
      <label className="st-track-colour" title="Drag the header to reorder; click to change the colour">
        <input
          type="color"
          aria-label={`Colour of ${track.name}`}
          value={track.colour}
          disabled={readOnly}
          onChange={(e) => studio.run(() => setColour(doc, me, track.id, e.target.value.toLowerCase()))}
        />
      </label>
      <div className="st-track-main">
        <div className="st-row">
          <input
            aria-label="Track name"
            data-testid="track-name"
            className="st-track-name"
            defaultValue={track.name}
            key={track.name}
            readOnly={readOnly}
            onBlur={(e) =>
              e.target.value !== track.name &&
              studio.run(() => renameTrack(doc, me, track.id, e.target.value))
            }
            onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
          />
          <span className="st-visitors">
            {visitors.map((v) => (
              <span key={v.clientId} title={`${v.name} is on this track`} style={{ background: v.colour }} />
            ))}
          </span>
          <input
            aria-label="Volume (dB)"
            type="range"
            min={MIN_VOLUME_DB}
            max={MAX_VOLUME_DB}
            step={0.5}
            value={track.volumeDb}
            disabled={readOnly}
            title={`${track.volumeDb.toFixed(1)} dB`}
            onChange={(e) => studio.run(() => setVolume(doc, me, track.id, Number(e.target.value)))}
          />
          <button
            type="button"
            className={`st-toggle mute${track.mute ? ' on' : ''}`}
            aria-pressed={track.mute}
            disabled={readOnly}
            title="Mute"
            onClick={() => studio.run(() => setMute(doc, me, track.id, !track.mute))}
          >
            M
          </button>
          <button
            type="button"
            className={`st-toggle solo${track.solo ? ' on' : ''}`}
            aria-pressed={track.solo}
            disabled={readOnly}
            title="Solo"
            onClick={() => studio.run(() => setSolo(doc, me, track.id, !track.solo))}
          >
            S
          </button>
          <button
            type="button"
            aria-label={`AI suggestions for ${track.name}`}
            aria-pressed={aiOpen}
            className={`st-icon-button${aiOpen ? ' is-on' : ''}`}
            title="AI suggestions for this track (I)"
            onClick={() =>
              studio.view.set({ aiTrackId: aiOpen ? null : track.id, selectedTrackId: track.id })
            }
          >
            <Sparkles size={14} aria-hidden />
          </button>
          <button
            type="button"
            aria-label={`Effects for ${track.name}`}
            aria-pressed={effectsOpen}
            className={`st-icon-button${effectsOpen ? ' is-on' : ''}`}
            title="This track's effects chain"
            onClick={() =>
              studio.view.set({ chainOwner: effectsOpen ? null : track.id, selectedTrackId: track.id })
            }
          >
            <SlidersHorizontal size={14} aria-hidden />
          </button>
        </div>
        <div className="st-row">
          {kind === 'drums' ? (
            <Drum size={14} aria-hidden className="st-track-kind" />
          ) : (
            <Piano size={14} aria-hidden className="st-track-kind" />
          )}
          {kind ? (
            <select
              aria-label="Instrument"
              data-testid="track-instrument"
              className="st-instrument"
              value={instrument}
              disabled={readOnly}
              onChange={(e) => studio.run(() => setInstrument(doc, me, track.id, e.target.value))}
            >
              {INSTRUMENT_PRESETS.filter(
                (c) => c.kind === kind || !INSTRUMENT_PRESETS.some((x) => x.id === instrument),
              ).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
              {!INSTRUMENT_PRESETS.some((c) => c.id === instrument) && (
                <option value={instrument}>{instrument}</option>
              )}
            </select>
          ) : (
            <span className="st-instrument">audio</span>
          )}
          <IconButton
            icon={Plus}
            size={14}
            label="Add clip"
            title="Add an empty bar after the last clip"
            disabled={readOnly}
            onClick={props.onAddClip}
          />
          <button
            type="button"
            className={`st-icon-button${props.automationShown ? ' is-on' : ''}`}
            aria-label={`Automation of ${track.name}`}
            aria-pressed={props.automationShown}
            title="Show or hide automation lanes"
            onClick={props.onToggleAutomation}
          >
            <Activity size={14} aria-hidden />
          </button>
          <IconButton
            icon={Copy}
            size={14}
            label={`Duplicate track ${track.name}`}
            title="Duplicate track"
            disabled={readOnly}
            onClick={() => studio.run(() => duplicateTrack(doc, me, track.id))}
          />
          <IconButton
            icon={Trash2}
            size={14}
            label={`Delete track ${track.name}`}
            title="Delete track"
            disabled={readOnly}
            onClick={() => studio.run(() => deleteTrack(doc, me, track.id))}
          />
        </div>
      </div>
    </div>
  )
}
