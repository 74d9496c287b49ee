import { createLiveHostLoop, type LiveNote, type LiveNoteEvent, type LiveRun } from '@ensemble/core/plugin'

/*
 * A jam without a room: a recorded performance fed to a partner on a clock that skips idle time but counts
 * every millisecond the partner computes. The host's loop is the studio's, the same module (core's
 * host-loop.ts: a window of `lookahead` beats asked for every `tick` beats, each due before it starts); only the waiting between ticks is left out, which
 * gives the partner's background work less time than a real jam would, so what is on time here is on time
 * there. Tests and bench/jam/partner.ts use it to state when each note was scheduled against when it sounds.
 */

export interface RehearsalOptions {
  bpm: number
  /** How far ahead of the music the host asks, in beats (the deadline of a window is its start). */
  lookaheadBeats: number
  /** How often the host asks, in beats. */
  tickBeats: number
  /** Milliseconds the host keeps for handing notes to the audio clock; a plan must end this much earlier. */
  marginMs: number
  untilBeat: number
  /**
   * False: the clock does not move while the partner computes, so what it plays does not depend on the
   * machine's speed (tests; pair it with a run whose `now` stands still). True by default (benchmarks).
   */
  computeCounts?: boolean
}

export interface ScheduledNote extends LiveNote {
  /** Where the music was (beats) when the note reached the host: it sounds on time iff this is before `beat`. */
  readyAtBeat: number
}

export interface RehearsalResult {
  notes: ScheduledNote[]
  /** Windows whose plan missed the deadline (their notes were dropped). */
  late: number
  /** Every plan's wall-clock time in ms, with the window it was for. */
  plans: { fromBeat: number; toBeat: number; ms: number }[]
}

export async function rehearse(
  run: LiveRun,
  played: readonly LiveNoteEvent[],
  options: RehearsalOptions,
): Promise<RehearsalResult> {
  const msPerBeat = 60_000 / options.bpm
  const events = [...played].sort((a, b) => a.beat - b.beat)
  const result: RehearsalResult = { notes: [], late: 0, plans: [] }
  const loop = createLiveHostLoop(run, { ...options, fromBeat: 0 })
  let next = 0
  let now = 0
  // The music stands at `now` when the loop reads it to choose the window, then moves on by the time the
  // plan takes (unless the compute does not count): a window is chosen on the tick's exact beat.
  let planStarted: number | null = null
  const clock = {
    beat() {
      if (planStarted === null) {
        planStarted = performance.now()
        return now
      }
      return options.computeCounts === false ? now : now + (performance.now() - planStarted) / msPerBeat
    },
    bpm: () => options.bpm,
  }
  while (now < options.untilBeat) {
    const due: LiveNoteEvent[] = []
    while (next < events.length && (events[next]?.beat ?? Number.POSITIVE_INFINITY) <= now) {
      due.push(events[next] as LiveNoteEvent)
      next++
    }
    if (due.length > 0) run.hear(due)
    planStarted = null
    const out = await loop.step(clock)
    let tookBeats = 0
    if (out) {
      result.plans.push({
        fromBeat: out.window.fromBeat,
        toBeat: out.window.toBeat,
        ms: performance.now() - (planStarted ?? performance.now()),
      })
      if (out.late) result.late++
      for (const n of out.notes) result.notes.push({ ...n, readyAtBeat: out.answeredAtBeat })
      tookBeats = out.answeredAtBeat - now
    }
    now += Math.max(options.tickBeats, tookBeats)
  }
  return result
}
