/* The drums' styles, primers and density calibration: shared by the Drums generator and the live drummer (which runs in a browser, so no Node imports here). */

/**
 * The logit offsets on every class that make density 0.5 play as densely as the drummers, one per 16th of the
 * beat (on the beat, e, and, a), repeated over the bar. Drawn step by step from a model trained on real pasts,
 * a beat plays fewer hits than the drummer played next (a missed hit makes the next ones less likely, and the
 * misses compound), and most on the off-beat 16ths (e, a), where the hits depend most on the step before.
 * Fitted on the train split by `calibrate.ts` (continuations of real 2-bar openings against the real next 8
 * bars, positions of the beat pooled: per 16th of the bar the fit moved by ±0.15 between rounds); the model
 * card has the figures.
 */
export const DRUMS_DENSITY_CALIBRATION: readonly number[] = [0.07, 0.2, 0.085, 0.21]

export const DRUM_STYLES = ['rock', 'funk', 'hiphop', 'jazz'] as const
export type DrumStyle = (typeof DRUM_STYLES)[number]

/**
 * A further logit offset when a beat starts from nothing, i.e. from a style's primer bar below: the primers are
 * plain one-bar grooves and the model keeps to the groove it is given, so from them it plays sparser than the
 * drummers played those styles. One offset for the four styles pooled, fitted on the train split (8 draws of
 * 8 bars per style against the four styles' train beats, each style weighing the same: 16.33 against 17.27
 * hits per bar, so 1.3 · ln(17.27 / 16.33)); per style the draws are too uneven to fit (a draw settles into
 * 8th or 16th hi-hats, and 8 draws of one style moved by ±20 % with the seed). The model card has the figures.
 */
export const DRUMS_PRIMER_CALIBRATION = 0.07

/** The mean offset over the beat: for a caller whose bias cannot change from step to step. */
export const meanCalibration = (offsets: readonly number[]): number =>
  offsets.reduce((a, b) => a + b, 0) / Math.max(1, offsets.length)

/** The Drums generator's and the live drummer's style parameter. */
export const DRUM_STYLE_PARAMETER = {
  id: 'style',
  type: 'choice',
  label: 'Style',
  default: 'rock',
  options: DRUM_STYLES.map((value) => ({
    value,
    label: value === 'hiphop' ? 'Hip-hop' : value[0]!.toUpperCase() + value.slice(1),
  })),
} as const

/** The kick's class: the one a generator's `follow` rhythm pushes. */
export const KICK = 0
const K = KICK
const S = 1
const CH = 2
const RIDE = 8

/** One bar of 16ths per style: the classes hit at each step. */
export const DRUM_PRIMERS: Record<DrumStyle, number[][]> = {
  rock: bar((t) => [...(t % 8 === 0 ? [K] : []), ...(t % 8 === 4 ? [S] : []), ...(t % 2 === 0 ? [CH] : [])]),
  funk: bar((t) => [...([0, 3, 10].includes(t) ? [K] : []), ...(t % 8 === 4 ? [S] : []), CH]),
  hiphop: bar((t) => [
    ...([0, 7, 10].includes(t) ? [K] : []),
    ...(t % 8 === 4 ? [S] : []),
    ...(t % 2 === 0 ? [CH] : []),
  ]),
  jazz: bar((t) => [
    ...(t === 0 ? [K] : []),
    ...([0, 4, 7, 8, 12, 15].includes(t) ? [RIDE] : []),
    ...(t % 8 === 4 ? [CH] : []),
  ]),
}

function bar(at: (t: number) => number[]): number[][] {
  return Array.from({ length: 16 }, (_, t) => at(t))
}
