import { countRegisterLeaps, outerVoices, parallelMotion } from '../common/musical-checks.js'

/* How a continuation is drawn and the style it is drawn in: shared by Continue and the live call and response (which runs in a browser, so no Node imports here). */

/** The model's two corpora as a choice: Continue's and call and response's style parameter. */
export const CONTINUE_STYLE_PARAMETER = {
  id: 'style',
  type: 'choice',
  label: 'Style',
  default: 'folk',
  options: [
    { value: 'folk', label: 'Folk tune (8th notes)' },
    { value: 'chorale', label: 'Chorale (quarter notes)' },
  ],
} as const

/** The penalties of one draw: a frame that incurs one is kept only with this probability. */
export interface ContinuationWeights {
  parallel: number
  registerJump: number
}

/**
 * A style's penalties. When the prompt itself jumps registers, `registerJumpAfterLeaps` times the number of
 * its jumps (at most 1) replaces `registerJump`: the more it jumps, the more its continuation may.
 */
export interface StyleWeights extends ContinuationWeights {
  registerJumpAfterLeaps: number
}

/**
 * Penalised sampling (sampleRoll's `weight`), so that the continuation moves like the music: drawn as they
 * are, frames jump across registers (C6 → F4 → G2: the top or bottom voice moving more than an octave)
 * several times as often as the real pieces, and move the outer voices in parallel fifths/octaves more often
 * (folk 11.1 against 7.7 per 100 moving pairs, chorales 1.8 against Bach's 0.15). A frame that does either is
 * kept only with this probability and otherwise drawn again.
 *
 * Register jumps depend on the prompt: in the Nottingham train split the next 8 bars of a tune whose first 8
 * bars do not jump (574 tunes) jump 0.36 times per 100 moves; after 1–2 jumps (51 tunes) 3.2, after 3–6 (17)
 * 7.4, after more (16: an oom-pah bass, a melody changing octave) 20. So a prompt that does not jump keeps its
 * register, and one that does may go on jumping, the more so the more it jumps.
 * Chosen per style with tools/music-report.ts (`--continue-weights P,J,JL`): the chorale's on train and
 * measured on valid; the folk jump weights on train and valid both (the two splits' tunes jump at 1.4 and 2.2
 * per 100 moves). The model card has the figures and how they were chosen.
 */
export const CONTINUE_STYLE_WEIGHTS: Record<'folk' | 'chorale', StyleWeights> = {
  folk: { parallel: 0.6, registerJump: 0.085, registerJumpAfterLeaps: 0.085 },
  // Bach's outer voices almost never move in parallel fifths/octaves (0.15 per 100 moving pairs on train) nor
  // jump an octave (0.04 per 100 moves): drawn with the folk weights the model wrote 12 and 8 times as many.
  chorale: { parallel: 0.07, registerJump: 0.01, registerJumpAfterLeaps: 0.3 },
}

/** The folk style's weights: what call and response and the background maker draw with. */
export const CONTINUE_WEIGHTS: ContinuationWeights = CONTINUE_STYLE_WEIGHTS.folk

/** The weights for one prompt: the style's, with the register-jump weight its own moves call for. */
export function promptWeights(
  prompt: readonly (readonly number[])[],
  weights: StyleWeights,
): ContinuationWeights {
  const leaps = countRegisterLeaps(outerVoices(prompt), REGISTER_JUMP).leaps
  return {
    parallel: weights.parallel,
    registerJump: leaps > 0 ? Math.min(1, leaps * weights.registerJumpAfterLeaps) : weights.registerJump,
  }
}

/** A move of the top or bottom voice wider than this (semitones) is a register jump. */
const REGISTER_JUMP = 12

/** The weight of `frame` after `before`: the product of the penalties its outer voices incur. */
export function continuationWeight(
  frame: readonly number[],
  before: readonly (readonly number[])[],
  weights: ContinuationWeights = CONTINUE_WEIGHTS,
): number {
  if (frame.length === 0) return 1
  const top = Math.max(...frame)
  const bottom = Math.min(...frame)
  let w = 1
  const last = before.at(-1) ?? []
  if (frame.length > 1 && last.length > 1) {
    const [top0, bottom0] = [Math.max(...last), Math.min(...last)]
    if (top0 !== top && bottom0 !== bottom && parallelMotion(top0, top, bottom0, bottom) !== null)
      w *= weights.parallel
  }
  // The register is the last sounding frame's, across rests.
  const sounding = before.findLast((f) => f.length > 0)
  if (
    sounding &&
    (Math.abs(top - Math.max(...sounding)) > REGISTER_JUMP ||
      Math.abs(bottom - Math.min(...sounding)) > REGISTER_JUMP)
  )
    w *= weights.registerJump
  return w
}
