/*
 * Musical time, stated once: how many ticks a quarter note is, what a time signature makes of a beat and a
 * bar, and how ticks become seconds at a tempo (the song has one tempo, no tempo map). The song model, the
 * audio engine, the studio, the plugin contract and the plugins all count time with these.
 */

/** Ticks per quarter note. Every position and length in the song is an integer number of ticks. */
export const PPQ = 480

/** The tempo range a song may take, in quarter notes per minute. */
export const MIN_BPM = 20
export const MAX_BPM = 400

/** The note values a time signature's denominator may name: whole (1) to thirty-second (32). */
export const DENOMINATORS = [1, 2, 4, 8, 16, 32] as const

export interface TimeSignature {
  numerator: number
  denominator: (typeof DENOMINATORS)[number]
}

/** Only the denominator matters for a beat; a caller with a whole signature passes it as it is. */
type Beat = Pick<TimeSignature, 'denominator'>

/** Ticks in one beat: the denominator says which note value a beat is (4/4 → 480, 6/8 → 240). */
export const ticksPerBeat = (timeSignature: Beat): number => (PPQ * 4) / timeSignature.denominator

/** Ticks in one bar: 4/4 → 1920, 6/8 → 1440, 3/4 → 1440. */
export function ticksPerBar(timeSignature: TimeSignature): number {
  return ticksPerBeat(timeSignature) * timeSignature.numerator
}

/** A sixteenth note: the step grid's cell and the finest default snap. */
export const SIXTEENTH = PPQ / 4

export const ticksToSeconds = (ticks: number, bpm: number): number => (ticks * 60) / (bpm * PPQ)

export const secondsToTicks = (seconds: number, bpm: number): number => (seconds * bpm * PPQ) / 60

/** Ticks to quarter notes (beats of x/4), the unit zoom is measured in. */
export const ticksToQuarters = (ticks: number): number => ticks / PPQ

export const quartersToTicks = (quarters: number): number => quarters * PPQ

/** Where a tick falls, 0-based: whole bars, whole beats into the bar, whole sixteenths into the beat. */
export interface BarPosition {
  readonly bar: number
  readonly beat: number
  readonly sixteenth: number
}

export const barPosition = (tick: number, timeSignature: TimeSignature): BarPosition => {
  const beat = ticksPerBeat(timeSignature)
  const bar = ticksPerBar(timeSignature)
  const bars = Math.floor(tick / bar)
  const within = tick - bars * bar
  const beats = Math.floor(within / beat)
  return { bar: bars, beat: beats, sixteenth: Math.floor((within - beats * beat) / SIXTEENTH) }
}
