'use client'

import {
  type BusSnapshot,
  MAX_VOLUME_DB,
  MIN_VOLUME_DB,
  removeSend,
  type Send,
  setSend,
} from '@ensemble/core'
import { X } from 'lucide-react'
import { useStudio } from '../studio-context'
import { formatDb } from './mixer-format'

/**
 * A track's sends, one row per bus it feeds: level (a plain slider for now; the knob component of the device
 * view takes over at merge), pre/post-fader switch and remove; a picker adds a send to a bus not fed yet.
 */
export function TrackSends({
  trackId,
  trackName,
  sends,
  buses,
  readOnly,
}: {
  trackId: string
  trackName: string
  sends: readonly Send[]
  buses: readonly BusSnapshot[]
  readOnly: boolean
}) {
  const studio = useStudio()
  const { doc, me } = studio.session
  const mine = sends.filter((s) => s.from === trackId)
  const unfed = buses.filter((b) => !mine.some((s) => s.to === b.id))
  const busName = (id: string) => buses.find((b) => b.id === id)?.name ?? 'Bus'
  return (
    <div className="st-sends" data-testid="track-sends">
      {mine.map((send) => (
        <div key={send.id} className="st-send" data-testid="send" data-bus={send.to}>
          <div className="st-send-head">
            <span className="st-small" title={busName(send.to)}>
              {busName(send.to)}
            </span>
            <button
              type="button"
              className="st-send-remove"
              aria-label={`Remove send ${trackName} to ${busName(send.to)}`}
              disabled={readOnly}
              onClick={() => studio.run(() => removeSend(doc, me, trackId, send.to))}
            >
              <X size={10} aria-hidden />
            </button>
          </div>
          <input
            type="range"
            aria-label={`Send ${trackName} to ${busName(send.to)}`}
            min={MIN_VOLUME_DB}
            max={MAX_VOLUME_DB}
            step={0.5}
            value={send.levelDb}
            disabled={readOnly}
            onChange={(e) =>
              studio.run(() =>
                setSend(doc, me, { from: trackId, to: send.to, levelDb: Number(e.target.value) }),
              )
            }
            onDoubleClick={() =>
              studio.run(() => setSend(doc, me, { from: trackId, to: send.to, levelDb: 0 }))
            }
          />
          <div className="st-send-head">
            <span className="st-small st-muted">{formatDb(send.levelDb)}</span>
            <button
              type="button"
              className={`st-toggle st-prepost${send.preFader ? ' on' : ''}`}
              aria-pressed={send.preFader}
              aria-label={`Pre-fader send ${trackName} to ${busName(send.to)}`}
              title={send.preFader ? 'Pre-fader: the track fader does not change it' : 'Post-fader'}
              disabled={readOnly}
              onClick={() =>
                studio.run(() => setSend(doc, me, { from: trackId, to: send.to, preFader: !send.preFader }))
              }
            >
              {send.preFader ? 'Pre' : 'Post'}
            </button>
          </div>
        </div>
      ))}
      {unfed.length > 0 && !readOnly && (
        <select
          aria-label={`Add send from ${trackName}`}
          className="st-add-send"
          value=""
          onChange={(e) => {
            const to = e.target.value
            if (to !== '') studio.run(() => setSend(doc, me, { from: trackId, to }))
          }}
        >
          <option value="">+ Send</option>
          {unfed.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
      )}
    </div>
  )
}
