'use client'

import { deepEqual, readMeta, readTracks, ticksPerBar } from '@ensemble/core'
import { PPQ, startLive } from '@ensemble/core/plugin'
import { bassPartner } from '@ensemble/plugins/live'
import { useEffect, useRef, useState } from 'react'
import { api } from '../../client/api/client'
import type { JamPlayer } from '../../wire/jam'
import { useSong } from '../session/hooks'
import { useStudio } from '../studio-context'
import type { AudioTransport } from '../transport/audio-transport'
import { createPartnerSession, type PartnerSession, TICK_BEATS, takeForKeeping } from './partner-session'
import { localPlayerOf, type PlayerStream, remotePlayer } from './player-stream'
import './partner-panel.css'

/*
 * "AI partner": choose a partner, the track it plays on and whom it follows, start it while the song plays; it
 * follows the local player (computer keys, Web MIDI) or, in a jam, a bandmate heard live (the jam's live-note
 * stream narrowed to that player), both through `followPlayer(stream)`. "Keep" turns what it played into a proposal on the server-written path (ai.keepPartnerTake),
 * accepted or dismissed by the band like any suggestion.
 */

const KINDS = [
  { value: 'bass', label: 'Bass', available: true },
  // The model partners need their weights loaded in a Web Worker in the page (docs/ARCHITECTURE.md "AI partner").
  { value: 'call-response', label: 'Call and response (not in the studio yet)', available: false },
  { value: 'drummer', label: 'Drummer (not in the studio yet)', available: false },
] as const
type Kind = (typeof KINDS)[number]['value']

export function PartnerPanel({ transport }: { transport: AudioTransport }) {
  const studio = useStudio()
  const { session } = studio
  const [kind, setKind] = useState<Kind>('bass')
  const [trackId, setTrackId] = useState<string>('')
  const [running, setRunning] = useState(false)
  const [played, setPlayed] = useState(0)
  const [status, setStatus] = useState<string | null>(null)
  /** Whom the partner follows: '' is this browser's player, else a bandmate's user id heard in the jam. */
  const [follow, setFollow] = useState('')
  const [bandmates, setBandmates] = useState<readonly JamPlayer[]>([])
  const partner = useRef<{ session: PartnerSession; version: string; seed: number; stop: () => void } | null>(
    null,
  )
  const tracks = useSong(
    session.doc,
    (d) =>
      readTracks(d)
        .filter((t) => t.kind === 'instrument')
        .map((t) => ({ id: t.id, name: t.name })),
    [],
    deepEqual,
  )
  const target = trackId || tracks[0]?.id || ''
  const readOnly = session.role === 'viewer'

  useEffect(() => () => partner.current?.stop(), [])
  // The bandmates heard in the jam so far, to follow one of them.
  useEffect(
    () =>
      studio.jam.notes.subscribe(
        (event) =>
          setBandmates((prev) =>
            prev.some((p) => p.id === event.note.player.id) ? prev : [...prev, event.note.player],
          ),
        { origin: 'remote' },
      ),
    [studio.jam],
  )

  function start() {
    if (!target) return
    const meta = readMeta(session.doc)
    const seed = Math.floor(Math.random() * 0xffff_ffff)
    const { plugin } = bassPartner()
    const run = startLive(plugin, {
      song: { bpm: meta.bpm, timeSignature: meta.timeSignature, key: meta.key },
      parameters: {},
      seed,
    })
    const host = createPartnerSession({
      run,
      beat: () => (transport.playing() ? transport.position() / PPQ : null),
      bpm: () => readMeta(session.doc).bpm,
      play(note, inMs) {
        const msPerBeat = 60_000 / readMeta(session.doc).bpm
        setTimeout(() => transport.noteOn(target, note.pitch, note.velocity), inMs)
        setTimeout(() => transport.noteOff(target, note.pitch), inMs + note.durationBeats * msPerBeat)
      },
    })
    const followed: PlayerStream = follow
      ? remotePlayer(studio.jam.notes, follow)
      : localPlayerOf(session, () => transport.position())
    const unfollow = host.followPlayer(followed)
    const timer = setInterval(
      () => {
        void host.tick().then(() => setPlayed(host.played().length))
      },
      TICK_BEATS * (60_000 / meta.bpm),
    )
    partner.current = {
      session: host,
      version: plugin.manifest.version,
      seed,
      stop: () => {
        clearInterval(timer)
        unfollow()
        host.stop()
      },
    }
    setRunning(true)
    setPlayed(0)
    setStatus(null)
  }

  function stop() {
    partner.current?.stop()
    setRunning(false)
  }

  async function keep() {
    const current = partner.current
    if (!current || !target) return
    const take = takeForKeeping(current.session.played(), ticksPerBar(readMeta(session.doc).timeSignature))
    if (!take) return
    try {
      const kept = await api.ai.keepPartnerTake.mutate({
        projectId: session.projectId,
        trackId: target,
        partner: kind,
        pluginVersion: current.version,
        modelHash: 'none',
        seed: current.seed,
        ...take,
      })
      setStatus(`Kept as a proposal: ${kept.pluginName}`)
    } catch (err) {
      setStatus(err instanceof Error ? err.message : String(err))
    }
  }

  return (
    <div className="st-partner" data-testid="partner-panel">
      <span className="st-small">AI partner</span>
      <select
        aria-label="Partner"
        value={kind}
        disabled={running}
        onChange={(e) => setKind(e.target.value as Kind)}
      >
        {KINDS.map((k) => (
          <option key={k.value} value={k.value} disabled={!k.available}>
            {k.label}
          </option>
        ))}
      </select>
      <select
        aria-label="Partner track"
        value={target}
        disabled={running}
        onChange={(e) => setTrackId(e.target.value)}
      >
        {tracks.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      <select
        aria-label="Partner follows"
        data-testid="partner-follows"
        value={follow}
        disabled={running}
        onChange={(e) => setFollow(e.target.value)}
      >
        <option value="">follows me</option>
        {bandmates.map((p) => (
          <option key={p.id} value={p.id}>
            follows {p.name || p.id}
          </option>
        ))}
      </select>
      <button type="button" disabled={!target} onClick={running ? stop : start} aria-pressed={running}>
        {running ? 'Stop partner' : 'Start partner'}
      </button>
      <span
        className="st-small"
        data-testid="partner-played"
        data-late={partner.current?.session.late() ?? 0}
      >
        {played} notes
      </span>
      <button type="button" disabled={readOnly || played === 0} onClick={() => void keep()}>
        Keep
      </button>
      {status && (
        <span className="st-small" role="status">
          {status}
        </span>
      )}
    </div>
  )
}
