import { LIVE_HOST_LOOP, type LiveNote, type LiveRun, type LiveWindow } from './live'

/*
 * The host's loop for a live partner, one copy for every host: the studio's partner worker (on its own timer
 * and song clock), the studio's in-page run (the bass), and the rehearsal clock of tests and benchmarks. Each
 * host brings its clock and calls `step` every `tickBeats`; the loop decides which window is due, asks the
 * partner with the window's deadline, and says where the music was when the answer came, so the host can
 * drop the notes it can no longer schedule (never play one late).
 */

export interface LiveHostLoopOptions {
  lookaheadBeats?: number
  tickBeats?: number
  marginMs?: number
  /**
   * Where the first window starts. Absent: one tick's worth before the lookahead's end, as every later window
   * (a window starting now would be due already). The rehearsal starts its song at 0 and plans from there.
   */
  fromBeat?: number
}

/** Where the music is: `beat()` is null while the song is stopped. */
export interface LiveHostClock {
  beat(): number | null
  bpm(): number
}

export interface LiveHostWindow {
  window: LiveWindow
  notes: LiveNote[]
  /** The partner missed the window's deadline on its own clock: no notes. */
  late: boolean
  /** Where the music was when the answer came (the host's clock read after the plan). */
  answeredAtBeat: number
}

export interface LiveHostLoop {
  /** One tick: plans the due window, or resolves null (stopped, nothing due, or a plan still running). */
  step(clock: LiveHostClock): Promise<LiveHostWindow | null>
  /** The song stopped or jumped: the next window starts from where the music is then. */
  reset(): void
}

export function createLiveHostLoop(run: LiveRun, options: LiveHostLoopOptions = {}): LiveHostLoop {
  const lookaheadBeats = options.lookaheadBeats ?? LIVE_HOST_LOOP.lookaheadBeats
  const tickBeats = options.tickBeats ?? LIVE_HOST_LOOP.tickBeats
  const marginMs = options.marginMs ?? LIVE_HOST_LOOP.marginMs
  let scheduledTo: number | null = options.fromBeat ?? null
  let busy = false
  return {
    async step(clock) {
      const now = clock.beat()
      if (now === null) {
        scheduledTo = null
        return null
      }
      // One plan at a time: a slow one makes the next ask later, never two at once.
      if (busy) return null
      const toBeat = now + lookaheadBeats
      const fromBeat = Math.max(scheduledTo ?? toBeat - tickBeats, now)
      if (toBeat <= fromBeat) return null
      const msPerBeat = 60_000 / clock.bpm()
      const window = {
        nowBeat: now,
        fromBeat,
        toBeat,
        deadlineMs: Math.max(0, (fromBeat - now) * msPerBeat - marginMs),
      }
      busy = true
      try {
        const out = await run.plan(window)
        scheduledTo = toBeat
        return { window, notes: out.notes, late: out.late, answeredAtBeat: clock.beat() ?? now }
      } finally {
        busy = false
      }
    },
    reset() {
      scheduledTo = null
    },
  }
}
