import { parallelMotion } from '../common/musical-checks.js'

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

/**
 * Penalised sampling (sampleRoll's `weight`), so that the continuation moves like the tunes: drawn as they
 * are, frames jump across registers (C6 → F4 → G2: the top or bottom voice moving more than an octave) five
 * times as often as the real tunes, and once that is held back they move the outer voices in parallel
 * fifths/octaves more often. A frame that does either is kept only with this probability and otherwise drawn
 * again. Chosen with tools/music-report.ts (`--continue-weights`) on the valid split; the model card has the
 * figures.
 */
export const CONTINUE_WEIGHTS = { parallel: 0.6, registerJump: 0.085 } as const
/** A move of the top or bottom voice wider than this (semitones) is a register jump. */
const REGISTER_JUMP = 12

/** The weight of `frame` after `before`: the product of the penalties its outer voices incur. */
export function continuationWeight(
  frame: readonly number[],
  before: readonly (readonly number[])[],
  weights: { parallel: number; registerJump: number } = CONTINUE_WEIGHTS,
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
