import { type EditOrigin, PPQ, readMeta } from '@ensemble/core'
import type * as Y from 'yjs'
import type { JamLink } from '../../client/collab/jam-link'
import type { IntervalBars, JamMode, JamNote, JamPlayer, JamState } from '../../wire/jam'
import { ClockSync } from './clock-sync'
import { JamTake } from './jam-take'
import { intervalTime, type JamTimeline, jamTimeline } from './jam-timeline'
import { JitterBuffer } from './jitter-buffer'
import { LiveNoteStream, type LiveNotes } from './live-notes'

/**
 * One browser's part in a song's live jam (docs/ARCHITECTURE.md "Live jam"): it keeps the clock synchronised
 * with the server over the collab connection, follows the room's jam (starting the transport from the jam's
 * bar at the jam's moment, stopping it when the jam stops), sends what this player plays, and sounds what the
 * bandmates play: in live mode through a jitter buffer per player, in interval mode exactly one interval
 * after it was played. It feeds the live-note stream (`notes`) and, while recording, the jam's take.
 */

/** What the session needs of the transport: scheduled start, stop, and notes at a time. */
export interface JamTransport {
  startAt(tick: number, atMs: number): void
  stop(): void
  playing(): boolean
  position(): number
  noteOn(trackId: string, pitch: number, velocity: number, atMs?: number): void
  noteOff(trackId: string, pitch: number, atMs?: number): void
}

export interface JamSessionOptions {
  link: JamLink
  transport: JamTransport
  doc: Y.Doc
  self: JamPlayer
  /** Viewers listen: they neither start a jam nor play into one (the server drops it anyway). */
  canPlay: boolean
  /** Who writes a recorded take (the recording user's origin). */
  origin: EditOrigin
  now?: () => number
  /** How long before the first bar every member hears of a jam (ms): enough for the state to reach them. */
  leadMs?: number
}

export interface JamStatus {
  state: JamState
  /** The clock estimate's error bound (half the shortest round trip, ms); null before the first probe. */
  clockErrorMs: number | null
  /** Clock probes the estimate is made from (the newest 600): through a jittery path it needs many. */
  clockSamples: number
  /** Live mode: the largest jitter buffer in use (ms). */
  bufferMs: number | null
  /** Notes the server dropped from this player (over its rate), as told. */
  droppedByServer: number
  /** Interval mode: notes that came later than their interval allowed, not played. */
  lateDropped: number
  recording: boolean
}

export interface JamSession {
  readonly notes: LiveNotes
  status(): JamStatus
  subscribe(listener: () => void): () => void
  /** The server's clock now, as estimated here (null before the first probe). */
  serverNow(): number | null
  /** Starts a jam from the bar the playhead is in, for every member. */
  start(options: { mode: JamMode; intervalBars: IntervalBars }): void
  stop(): void
  /** A note this player played (computer keys, Web MIDI). Sounding it here is the caller's. */
  play(trackId: string, pitch: number, velocity: number): void
  release(trackId: string, pitch: number): void
  startRecording(): void
  /** Writes what was recorded, one take per player and track; returns how many clips. */
  stopRecording(): number
  destroy(): void
}

/**
 * Probes at connect: a quick burst (an estimate at once), then fast ones for a minute and for as long as a jam
 * runs (the leg-minimum estimate needs many samples on a jittery path: through 150 ± 50 ms of delay the
 * fastest leg of n probes is ~100/n ms above the path's floor, and a busy page adds its own delay to some
 * answers; the e2e suite's interval jam once ran 4.88 ms off after 100 probes), then steady ones. A probe is
 * ~30 bytes each way. The window keeps the minute of fast probes.
 */
const BURST_PROBES = 8
const BURST_EVERY_MS = 40
const FAST_EVERY_MS = 100
const FAST_FOR_MS = 60_000
const PROBE_EVERY_MS = 500
const CLOCK_WINDOW = 600
/**
 * A running jam's timeline is re-anchored whenever a better clock estimate moves its start moment by this much
 * (ms): a jam started seconds after connecting, through a jittery path, starts on a rough estimate, and
 * interval notes must land within 5 ms of the shared beat (the e2e suite found 6 ms through 150 ± 50 ms).
 */
const RESYNC_MS = 0.25
/**
 * The transport (the song under the jam) is restarted on the new anchor only past this (ms): a restart cuts
 * sounding notes, and up to 3 ms between the backing and the jam's grid is not heard as a flam.
 */
const TRANSPORT_RESYNC_MS = 3

export function createJamSession(options: JamSessionOptions): JamSession {
  const now = options.now ?? (() => performance.now())
  const { link, transport, self } = options
  const clock = new ClockSync({ window: CLOCK_WINDOW })
  const stream = new LiveNoteStream(self)
  const listeners = new Set<() => void>()
  const buffers = new Map<string, JitterBuffer>()
  let state: JamState = { running: false }
  /**
   * The jam's timeline on this browser's own clock: the moment its transport was told to start the jam's bar,
   * and the tempo from there. Interval notes and this player's musical time are read on it, so they follow the
   * transport exactly even as the clock estimate is refined (only the start moment depends on the estimate).
   */
  let timeline: JamTimeline | null = null
  let take: JamTake | null = null
  let droppedByServer = 0
  let lateDropped = 0
  let probeId = 0
  const timers = new Set<ReturnType<typeof setTimeout>>()
  // One snapshot per change: React's useSyncExternalStore needs the same object until something changed.
  let snapshot: JamStatus | null = null
  const emit = () => {
    snapshot = null
    for (const l of [...listeners]) l()
  }
  const later = (fn: () => void, ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t)
      fn()
    }, ms)
    timers.add(t)
  }

  const probe = () => link.ping(++probeId, now())
  let fastUntil = 0
  const burst = () => {
    for (let i = 0; i < BURST_PROBES; i++) later(probe, i * BURST_EVERY_MS)
    fastUntil = now() + FAST_FOR_MS
  }
  let lastProbe = 0
  const steady = setInterval(() => {
    const t = now()
    if (t < fastUntil || state.running || t - lastProbe >= PROBE_EVERY_MS) {
      lastProbe = t
      probe()
    }
  }, FAST_EVERY_MS)
  burst()

  const serverNow = () => clock.serverTime(now())

  /** Follows the room's jam: the transport starts at the jam's moment on the local clock. */
  let followedBlind = false
  const follow = (next: JamState) => {
    const wasRunning = state.running
    state = next
    buffers.clear()
    if (next.running) {
      const local = clock.localTime(next.startAt)
      followedBlind = local === null
      // Without a clock estimate yet, start on arrival (the next probe's answer is milliseconds away).
      timeline = jamTimeline({ ...next, startAt: local ?? now() })
      transport.startAt(timeline.startTick, local ?? now())
    } else {
      timeline = null
      if (wasRunning) transport.stop()
    }
    emit()
  }

  /** Moves the running jam's timeline to where the current clock estimate puts its start (see RESYNC_MS). */
  const resync = () => {
    if (!state.running || timeline === null) return
    const local = clock.localTime(state.startAt)
    if (local === null) return
    const moved = Math.abs(local - timeline.timeOf(timeline.startTick))
    if (moved < RESYNC_MS) return
    timeline = jamTimeline({ ...state, startAt: local })
    if (moved >= TRANSPORT_RESYNC_MS) transport.startAt(timeline.startTick, local)
  }

  const offs = [
    link.on('pong', (pong, receivedAt) => {
      const before = clock.current
      const after = clock.add({
        t0: pong.clientSent,
        t1: pong.serverReceived,
        t2: pong.serverSent,
        t3: receivedAt,
      })
      // The status shows the error bound and the probe count (until the window is full): a change is news.
      if (after?.minRtt !== before?.minRtt || after?.samples !== before?.samples) emit()
      // A jam that arrived before the clock had an estimate was started on arrival: put it on the beat now.
      if (followedBlind && state.running) follow(state)
      else resync()
    }),
    link.on('state', follow),
    link.on('connected', burst),
    link.on('notice', (notice) => {
      droppedByServer += notice.count
      emit()
    }),
    link.on('note', (note, receivedAt) => {
      const arrived = clock.serverTime(receivedAt)
      if (!state.running || timeline === null || arrived === null) return
      let atMs: number | null
      if (state.mode === 'interval') {
        atMs = intervalTime(timeline, note.tick, receivedAt)
        if (atMs === null) {
          lateDropped++
          emit()
          return
        }
      } else {
        let buffer = buffers.get(note.player.id)
        if (buffer === undefined) {
          buffer = new JitterBuffer()
          buffers.set(note.player.id, buffer)
        }
        atMs = clock.localTime(buffer.schedule(note.at, arrived)) ?? receivedAt
      }
      if (note.on) transport.noteOn(note.trackId, note.pitch, note.velocity, atMs)
      else transport.noteOff(note.trackId, note.pitch, atMs)
      take?.add(note)
      const soundAt = clock.serverTime(atMs) ?? arrived
      stream.emit({ note, origin: 'remote', soundAt, soundTick: timeline.tickAt(atMs), localAt: atMs })
    }),
  ]

  const local = (on: boolean, trackId: string, pitch: number, velocity: number) => {
    const at = serverNow()
    if (!state.running || timeline === null || at === null) return
    // Musical time on this player's own clock: where its transport is at the moment of the key.
    const played = now()
    const tick = Math.max(0, timeline.tickAt(played))
    const note: JamNote = { on, pitch, velocity, trackId, tick, at, player: self }
    if (options.canPlay) link.sendNote(note)
    take?.add(note)
    stream.emit({ note, origin: 'local', soundAt: at, soundTick: tick, localAt: played })
  }

  return {
    notes: stream,
    serverNow,
    status: () => {
      if (snapshot !== null) return snapshot
      const e = clock.current
      const delays = [...buffers.values()].map((b) => b.delay ?? 0)
      snapshot = {
        state,
        clockErrorMs: e === null ? null : e.minRtt / 2,
        clockSamples: e === null ? 0 : e.samples,
        bufferMs: delays.length === 0 ? null : Math.max(...delays),
        droppedByServer,
        lateDropped,
        recording: take !== null,
      }
      return snapshot
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    start({ mode, intervalBars }) {
      const at = serverNow()
      if (!options.canPlay || at === null) return
      const meta = readMeta(options.doc)
      const beatsPerBar = meta.timeSignature.numerator
      const startBar = Math.floor(transport.position() / (beatsPerBar * PPQ))
      link.sendState({
        running: true,
        startAt: at + (options.leadMs ?? 1500),
        startBar,
        bpm: meta.bpm,
        beatsPerBar,
        mode,
        intervalBars,
        by: self,
      })
    },
    stop() {
      if (options.canPlay) link.sendState({ running: false })
    },
    play: (trackId, pitch, velocity) => local(true, trackId, pitch, velocity),
    release: (trackId, pitch) => local(false, trackId, pitch, 0),
    startRecording() {
      const beatsPerBar = state.running ? state.beatsPerBar : readMeta(options.doc).timeSignature.numerator
      take = new JamTake(beatsPerBar * PPQ)
      emit()
    },
    stopRecording() {
      const recorded = take
      take = null
      emit()
      if (recorded === null) return 0
      const endTick = timeline !== null ? timeline.tickAt(now()) : transport.position()
      return recorded.finish(options.doc, options.origin, endTick).length
    },
    destroy() {
      clearInterval(steady)
      for (const t of timers) clearTimeout(t)
      timers.clear()
      for (const off of offs) off()
      stream.clear()
      listeners.clear()
    },
  }
}
