/*
 * Start times for Tone's monophonic sources: the oscillator of a MembraneSynth or Synth, the noise of a
 * NoiseSynth. Such a source throws "Start time must be strictly greater than previous start time" when it is
 * started again at the instant it last started, and it moves a start that is already past up to the
 * context's current time, so two hits that arrive late also land on one instant. The song can ask for both:
 * two notes on one step that the kit plays on one source (closed and open hat, snare and rim, kick 35 and
 * 36, the same note in two overlapping clips), and a busy main thread that runs transport callbacks late.
 *
 * Every start of such a source goes through one `SourceStarts`: a second trigger asked for the same
 * instant is reported (`repeats`), so the instrument can merge it into the first, and every start it hands
 * out is strictly after the source's previous one and not in the past, so Tone never sees two on one instant.
 * The melodic presets need none of this: each of their notes is a voice of its own (`synths.ts`).
 */

/** How far a start is moved past the source's previous one: far below what an ear can tell apart. */
export const START_GAP_SECONDS = 0.001

/** Triggers asked for within this of each other are one instant (Tone's own time comparison is 1e-6 s). */
const SAME_INSTANT_SECONDS = 1e-6

export class SourceStarts<Key> {
  /** Per source: the time its last trigger asked for, and the time it was started at. */
  readonly #last = new Map<Key, { readonly asked: number; readonly started: number }>()

  /** Whether `key` already had a trigger asked for this instant (a second hit on one step). */
  repeats(key: Key, time: number): boolean {
    const last = this.#last.get(key)
    return last !== undefined && Math.abs(last.asked - time) < SAME_INSTANT_SECONDS
  }

  /**
   * The time to start `key` at for a trigger asked for at `time`: that time, moved to `now` if it is past
   * and to just after the source's previous start if that is not earlier.
   */
  start(key: Key, time: number, now: number): number {
    const last = this.#last.get(key)
    const started = Math.max(time, now, last === undefined ? time : last.started + START_GAP_SECONDS)
    this.#last.set(key, { asked: time, started })
    return started
  }
}
