import { createLiveHostLoop, LIVE_HOST_LOOP, type LiveNoteEvent, type LiveRun } from '@ensemble/core/plugin'
import { beatAt, type FromPartnerWorker, msAt, type SongAnchor, type TimedNote } from './partner-protocol'

/*
 * The host loop as the partner worker runs it: on the worker's own timer and its own copy of the song clock
 * (an anchor the page sends when the transport starts, jumps, changes tempo or stops), so a busy page (a long
 * frame, a stalled main thread) does not make a window late: the page only schedules the notes that arrive,
 * each with the time it sounds, a quarter of a beat or more ahead. The loop itself is core's (host-loop.ts),
 * the one the in-page bass and the rehearsal clock run.
 */

const { tickBeats, marginMs } = LIVE_HOST_LOOP
/** A new anchor more than this far from where the old one had the song is a jump (seek, loop): start over. */
const JUMP_BEATS = 0.05

type Report = Extract<FromPartnerWorker, { type: 'planned' | 'failed' }>

export interface WorkerHostLoopOptions {
  run: LiveRun
  post(message: Report): void
  /** The clock the anchors are on: ms since the epoch (`Date.now()`, see `SongAnchor`). */
  now(): number
  /** Model milliseconds since the last call (each report carries its window's). */
  takeModelMs(): number
}

export interface WorkerHostLoop {
  /** The followed player's events, to the partner at once (they do not wait for a tick). */
  hear(events: readonly LiveNoteEvent[]): void
  /** Where the song is now; null: stopped. */
  anchor(anchor: SongAnchor | null): void
  stop(): void
}

export function startWorkerHostLoop(options: WorkerHostLoopOptions): WorkerHostLoop {
  const loop = createLiveHostLoop(options.run)
  let song: SongAnchor | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let stopped = false
  const clock = {
    beat: () => (song ? beatAt(song, options.now()) : null),
    bpm: () => song?.bpm ?? 120,
  }
  const halt = () => {
    if (timer !== null) clearTimeout(timer)
    timer = null
  }
  /** A tick is running (its plan awaited): the next is set when it ends. */
  let ticking = false
  async function tick(): Promise<void> {
    timer = null
    if (stopped || !song || ticking) return
    ticking = true
    const started = options.now()
    try {
      await step()
    } finally {
      ticking = false
    }
    // The next tick a tick's length after this one started, or at once after a plan that took longer: the
    // next window is asked as soon as the worker is free, not a timer's wait later (its deadline is fixed).
    if (!stopped && song && timer === null) {
      const tickMs = (tickBeats * 60_000) / song.bpm
      timer = setTimeout(() => void tick(), Math.max(0, started + tickMs - options.now()))
    }
  }
  async function step(): Promise<void> {
    try {
      const out = await loop.step(clock)
      // Stopped while planning: the notes belong to music that no longer plays.
      const at = song
      if (!out || stopped || !at) return
      const now = options.now()
      const notes: TimedNote[] = []
      let late = out.late
      for (const note of out.notes) {
        const atMs = msAt(at, note.beat)
        // Too close to reach the page and the audio clock in time: dropped, never played late.
        if (atMs - now < marginMs) late = true
        else notes.push({ note, atMs })
      }
      const beats = out.window.toBeat - out.window.fromBeat
      options.post({ type: 'planned', beats, notes, late, modelMs: options.takeModelMs() })
    } catch (err) {
      options.post({ type: 'failed', message: err instanceof Error ? err.message : String(err) })
      stopped = true
      halt()
    }
  }
  return {
    hear: (events) => options.run.hear(events),
    anchor(next) {
      if (stopped) return
      if (!next) {
        song = null
        loop.reset()
        halt()
        return
      }
      if (!song || Math.abs(beatAt(song, next.atMs) - next.beat) > JUMP_BEATS) loop.reset()
      song = next
      if (timer === null && !ticking) void tick()
    },
    stop() {
      stopped = true
      song = null
      halt()
      options.run.stop()
    },
  }
}
