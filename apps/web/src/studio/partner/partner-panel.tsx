'use client'

import { deepEqual, readMeta, readTracks, ticksPerBar } from '@ensemble/core'
import { LIVE_HOST_LOOP, type LiveStart, PPQ, startLive } from '@ensemble/core/plugin'
import { bassPartner } from '@ensemble/plugins/live'
import { useEffect, useRef, useState } from 'react'
import { api } from '../../client/api/client'
import type { JamPlayer } from '../../wire/jam'
import { useSong } from '../session/hooks'
import { useStudio } from '../studio-context'
import type { AudioTransport } from '../transport/audio-transport'
import { beatAt, type ModelPartnerKind, type SongAnchor, songAnchor } from './partner-protocol'
import { createPartnerSession, type PartnerSession, type PlayNote, takeForKeeping } from './partner-session'
import { localPlayerOf, type PlayerStream, remotePlayer } from './player-stream'
import { startWorkerPartner } from './worker-live-run'
import './partner-panel.css'

/*
 * "AI partner": choose a partner, the track it plays on and whom it follows, start it while the song plays; it
 * follows the local player (computer keys, Web MIDI) or, in a jam, a bandmate heard live (the jam's live-note
 * stream narrowed to that player), both through `followPlayer(stream)`. "Keep" turns what it played into a proposal on the server-written path (ai.keepPartnerTake),
 * accepted or dismissed by the band like any suggestion.
 */

/** The partners and the kind of track each plays on (its manifest's trackKinds). */
const KINDS = [
  { value: 'bass', label: 'Bass', trackKind: 'instrument' },
  { value: 'call-response', label: 'Call and response', trackKind: 'instrument' },
  { value: 'drummer', label: 'Drummer', trackKind: 'drums' },
] as const
type Kind = (typeof KINDS)[number]['value']

/** What the running partner is, beyond its session: its version and model for Keep, figures for the page. */
interface RunningPartner {
  session: PartnerSession
  version: string
  modelHash: string
  seed: number
  modelMsPerBeat(): number | null
  lateInWorker(): number | null
  stop: () => void
}

/** How far the worker's song clock may drift from the transport before it is re-anchored (a loop's wrap). */
const DRIFT_BEATS = 0.02
/** How often the page compares the two (and shows the count): the worker's timing does not wait for it. */
const WATCH_MS = 100

export function PartnerPanel({ transport }: { transport: AudioTransport }) {
  const studio = useStudio()
  const { session } = studio
  const [kind, setKind] = useState<Kind>('bass')
  const [trackId, setTrackId] = useState<string>('')
  const [running, setRunning] = useState(false)
  const [played, setPlayed] = useState(0)
  const [status, setStatus] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)
  /** Beat of the player's last key event and of the partner's first note: what a listener hears as the gap. */
  const [heardUntil, setHeardUntil] = useState<number | null>(null)
  const partner = useRef<RunningPartner | null>(null)
  const trackKind = KINDS.find((k) => k.value === kind)?.trackKind ?? 'instrument'
  /** Whom the partner follows: '' is this browser's player, else a bandmate's user id heard in the jam. */
  const [follow, setFollow] = useState('')
  const [bandmates, setBandmates] = useState<readonly JamPlayer[]>([])
  const tracks = useSong(
    session.doc,
    (d) => readTracks(d).map((t) => ({ id: t.id, name: t.name, kind: t.kind })),
    [],
    deepEqual,
  )
  const choices = tracks.filter((t) => t.kind === trackKind)
  const target = choices.some((t) => t.id === trackId) ? trackId : choices[0]?.id || ''
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

  async function start() {
    if (!target || loading) return
    const meta = readMeta(session.doc)
    const seed = Math.floor(Math.random() * 0xffff_ffff)
    const liveStart: LiveStart = {
      song: { bpm: meta.bpm, timeSignature: meta.timeSignature, key: meta.key },
      parameters: {},
      seed,
    }
    setLoading(true)
    setStatus(kind === 'bass' ? null : 'Loading the partner…')
    const track = target
    const bpm = () => readMeta(session.doc).bpm
    const beat = () => (transport.playing() ? transport.position() / PPQ : null)
    const play: PlayNote = (note, inMs) => {
      // On the audio clock at once: a timer would fire late whenever the page is busy (docs/BENCHMARKS.md
      // "AI partner in the studio": frames of 50-380 ms under load), and the note with it.
      const at = performance.now() + inMs
      transport.noteOn(track, note.pitch, note.velocity, at)
      transport.noteOff(track, note.pitch, at + note.durationBeats * (60_000 / bpm()))
    }
    const fail = (err: unknown) =>
      setStatus(`The partner stopped: ${err instanceof Error ? err.message : String(err)}`)

    /** The bass: its host loop in the page, ticked by a timer (its plans take no model time). */
    const startInPage = (start: LiveStart): Omit<RunningPartner, 'seed'> => {
      const { plugin } = bassPartner()
      const host = createPartnerSession({ run: startLive(plugin, start), beat, bpm, play })
      const timer = setInterval(
        () => void host.tick().then(() => setPlayed(host.played().length), fail),
        LIVE_HOST_LOOP.tickBeats * (60_000 / start.song.bpm),
      )
      return {
        session: host,
        version: plugin.manifest.version,
        modelHash: 'none',
        modelMsPerBeat: () => null,
        lateInWorker: () => null,
        stop: () => clearInterval(timer),
      }
    }

    /**
     * A model partner: the worker runs the host loop on its own song clock, anchored here at every start,
     * stop and jump of the transport, at a tempo change, and when the song drifts from it (a loop's wrap).
     */
    const startInWorker = async (
      partnerKind: ModelPartnerKind,
      start: LiveStart,
    ): Promise<Omit<RunningPartner, 'seed'>> => {
      const partner = await startWorkerPartner(partnerKind, start, { play, onFailed: fail })
      let anchored: SongAnchor | null = null
      const anchor = () => {
        const at = beat()
        anchored = at === null ? null : songAnchor(at, bpm())
        partner.anchor(anchored)
      }
      anchor()
      const unsubscribe = transport.subscribe(anchor)
      const watch = setInterval(() => {
        setPlayed(partner.session.played().length)
        const at = beat()
        if (at === null || anchored === null) {
          if (at !== anchored) anchor()
          return
        }
        if (anchored.bpm !== bpm() || Math.abs(beatAt(anchored, Date.now()) - at) > DRIFT_BEATS) anchor()
      }, WATCH_MS)
      return {
        session: partner.session,
        version: partner.version,
        modelHash: partner.modelHash,
        modelMsPerBeat: () =>
          partner.beatsPlanned() > 0 ? partner.modelMs() / partner.beatsPlanned() : null,
        lateInWorker: partner.lateInWorker,
        stop() {
          clearInterval(watch)
          unsubscribe()
        },
      }
    }

    let running: Omit<RunningPartner, 'seed'>
    try {
      running = kind === 'bass' ? startInPage(liveStart) : await startInWorker(kind, liveStart)
    } catch (err) {
      setStatus(`The partner could not start: ${err instanceof Error ? err.message : String(err)}`)
      return
    } finally {
      setLoading(false)
    }
    const followed: PlayerStream = follow
      ? remotePlayer(studio.jam.notes, follow)
      : localPlayerOf(session, () => transport.position())
    const unfollow = running.session.followPlayer(followed)
    const unwatch = followed.subscribe((event) => setHeardUntil(event.beat))
    partner.current = {
      ...running,
      seed,
      stop: () => {
        running.stop()
        unfollow()
        unwatch()
        running.session.stop()
      },
    }
    setRunning(true)
    setPlayed(0)
    setHeardUntil(null)
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
        modelHash: current.modelHash,
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
          <option key={k.value} value={k.value}>
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
        {choices.map((t) => (
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
      <button
        type="button"
        disabled={!target || loading}
        onClick={running ? stop : () => void start()}
        aria-pressed={running}
      >
        {running ? 'Stop partner' : 'Start partner'}
      </button>
      <span
        className="st-small"
        data-testid="partner-played"
        data-late={partner.current?.session.late() ?? 0}
        data-windows={partner.current?.session.windows() ?? 0}
        data-heard-until={heardUntil ?? ''}
        data-first-beat={partner.current?.session.played()[0]?.beat ?? ''}
        data-model-ms-per-beat={partner.current?.modelMsPerBeat() ?? ''}
        data-late-in-worker={partner.current?.lateInWorker() ?? ''}
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
