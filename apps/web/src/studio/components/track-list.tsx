'use client'

import {
  addClip,
  addTrack,
  type ClipSnapshot,
  deleteTrack,
  MAX_VOLUME_DB,
  MIN_VOLUME_DB,
  PPQ,
  readMeta,
  readTracks,
  renameTrack,
  setMute,
  setPan,
  setSolo,
  setVolume,
  type TrackSnapshot,
} from '@ensemble/core'
import { useSong } from '../session/hooks'
import type { SongSession } from '../session/song-session'

const PX_PER_QUARTER = 24

function ClipBox({ clip, colour }: { clip: ClipSnapshot; colour: string }) {
  const width = (clip.length / PPQ) * PX_PER_QUARTER
  const pitches = clip.notes.map((n) => n.pitch)
  const lo = Math.min(...pitches, 60) - 2
  const hi = Math.max(...pitches, 72) + 2
  return (
    <svg
      role="img"
      aria-label={`Clip ${clip.name || 'untitled'} with ${clip.notes.length} notes`}
      data-testid="clip"
      width={width}
      height={44}
      style={{
        position: 'absolute',
        left: (clip.start / PPQ) * PX_PER_QUARTER,
        top: 4,
        background: `${colour}33`,
        border: `1px solid ${colour}`,
        borderRadius: 4,
      }}
    >
      {clip.notes.map((n) => (
        <rect
          key={n.id}
          x={(n.start / PPQ) * PX_PER_QUARTER}
          y={((hi - n.pitch) / (hi - lo)) * 40}
          width={Math.max(2, (n.duration / PPQ) * PX_PER_QUARTER - 1)}
          height={3}
          fill={colour}
        />
      ))}
    </svg>
  )
}

function TrackRow(props: { session: SongSession; track: TrackSnapshot; run: (fn: () => void) => void }) {
  const { session, track, run } = props
  const { doc, me } = session
  const readOnly = session.role === 'viewer'
  const meta = useSong(doc, readMeta)
  const bar = PPQ * 4 * (meta.timeSignature.numerator / meta.timeSignature.denominator)
  const end = track.clips.reduce((max, c) => Math.max(max, c.start + c.length), 0)
  return (
    <li
      data-testid="track"
      data-track-id={track.id}
      style={{ display: 'flex', borderBottom: '1px solid var(--line)' }}
    >
      <div style={{ width: 320, padding: 8, display: 'grid', gap: 6, background: 'var(--panel)' }}>
        <div style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
          <span aria-hidden style={{ width: 10, height: 28, borderRadius: 3, background: track.colour }} />
          <input
            aria-label="Track name"
            data-testid="track-name"
            defaultValue={track.name}
            key={track.name}
            readOnly={readOnly}
            onBlur={(e) =>
              e.target.value !== track.name && run(() => renameTrack(doc, me, track.id, e.target.value))
            }
            onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
            style={{ flex: 1 }}
          />
          <button
            type="button"
            aria-pressed={track.mute}
            disabled={readOnly}
            title="Mute"
            onClick={() => run(() => setMute(doc, me, track.id, !track.mute))}
            style={{
              background: track.mute ? 'var(--warn)' : undefined,
              color: track.mute ? '#000' : undefined,
            }}
          >
            M
          </button>
          <button
            type="button"
            aria-pressed={track.solo}
            disabled={readOnly}
            title="Solo"
            onClick={() => run(() => setSolo(doc, me, track.id, !track.solo))}
            style={{
              background: track.solo ? 'var(--accent)' : undefined,
              color: track.solo ? '#000' : undefined,
            }}
          >
            S
          </button>
        </div>
        <div style={{ display: 'flex', gap: 8, alignItems: 'center', color: 'var(--muted)', fontSize: 12 }}>
          <span>{track.kind}</span>
          <label>
            vol{' '}
            <input
              aria-label="Volume (dB)"
              type="range"
              min={MIN_VOLUME_DB}
              max={MAX_VOLUME_DB}
              step={0.5}
              value={track.volumeDb}
              disabled={readOnly}
              onChange={(e) => run(() => setVolume(doc, me, track.id, Number(e.target.value)))}
              style={{ width: 80, padding: 0 }}
            />
          </label>
          <label>
            pan{' '}
            <input
              aria-label="Pan"
              type="range"
              min={-1}
              max={1}
              step={0.05}
              value={track.pan}
              disabled={readOnly}
              onChange={(e) => run(() => setPan(doc, me, track.id, Number(e.target.value)))}
              style={{ width: 60, padding: 0 }}
            />
          </label>
          <button
            type="button"
            disabled={readOnly}
            onClick={() => run(() => addClip(doc, me, track.id, { start: end, length: bar, name: '' }))}
          >
            + Clip
          </button>
          <button
            type="button"
            aria-label={`Delete track ${track.name}`}
            disabled={readOnly}
            onClick={() => run(() => deleteTrack(doc, me, track.id))}
          >
            ✕
          </button>
        </div>
      </div>
      <div style={{ position: 'relative', flex: 1, minHeight: 56, overflowX: 'auto' }}>
        {track.clips.map((clip) => (
          <ClipBox key={clip.id} clip={clip} colour={track.colour} />
        ))}
      </div>
    </li>
  )
}

export function TrackList({ session, onError }: { session: SongSession; onError: (err: unknown) => void }) {
  const tracks = useSong(session.doc, readTracks)
  const readOnly = session.role === 'viewer'
  const run = (fn: () => void) => {
    try {
      fn()
    } catch (err) {
      onError(err)
    }
  }
  return (
    <section aria-label="Tracks">
      <ul style={{ margin: 0, padding: 0, listStyle: 'none', borderTop: '1px solid var(--line)' }}>
        {tracks.map((track) => (
          <TrackRow key={track.id} session={session} track={track} run={run} />
        ))}
      </ul>
      {tracks.length === 0 && (
        <p style={{ color: 'var(--muted)', padding: 16 }}>
          No tracks yet. Add an instrument or a drum track.
        </p>
      )}
      <div style={{ display: 'flex', gap: 8, padding: 12 }}>
        <button
          type="button"
          disabled={readOnly}
          onClick={() => run(() => addTrack(session.doc, session.me, { kind: 'instrument', name: 'Keys' }))}
        >
          + Instrument track
        </button>
        <button
          type="button"
          disabled={readOnly}
          onClick={() => run(() => addTrack(session.doc, session.me, { kind: 'drums', name: 'Drums' }))}
        >
          + Drum track
        </button>
      </div>
    </section>
  )
}
