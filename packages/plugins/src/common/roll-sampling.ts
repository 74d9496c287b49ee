import type { PluginContext } from '@ensemble/core/plugin'
import type { Likelihood } from './likelihood.js'
import type { RollShape } from './roll-runtime.js'
import { first } from './step-runtime.js'
import { ConvHistory, uniforms } from './steps.js'

/*
 * The sampling loop of the continue and drums models (the plugin side of `../continue/infer.ts`'s
 * `continueRoll` and `../drums/infer.ts`'s `generateDrums`): the known frames are fed first (teacher forced,
 * their draws unused), then each new frame is drawn given the past; every step is one `ctx.models.run`.
 */

/** Receptive field in steps: older frames cannot change a draw, so the loop feeds at most this many. */
export const receptiveField = (shape: RollShape): number => 1 + 2 * shape.dilations.reduce((a, d) => a + d, 0)

export interface RollRequest {
  /** Known frames before the first new one (indices of the outputs that are on). */
  context: readonly (readonly number[])[]
  /** New frames to draw. */
  frames: number
  /** Index of the extra one-hot (corpus, or bar position) at frame `t` of context + new frames. */
  extra(t: number): number
  /** Logit offsets of frame `t` (length = shape.outputs). */
  bias(t: number): readonly number[]
  temperature: number
  random: () => number
  /**
   * Penalised sampling: the weight in [0, 1] of a drawn frame given the frames before it (context included).
   * A draw is kept with that probability and otherwise drawn again, which draws frames in proportion to the
   * model's probability times the weight (rejection sampling), up to MAX_REDRAWS. None: every draw is kept.
   */
  weight?(frame: readonly number[], before: readonly (readonly number[])[]): number
  /** Gets each kept new frame's log-probability under the model (the variation's `likelihood`). */
  likelihood?: Likelihood
  /** Each new frame as soon as it is drawn, with its index among the new frames (a live partner plays it). */
  onFrame?(frame: readonly number[], index: number): void
}

/** Redraws of one frame before the last draw is kept whatever its weight (each is one more model step). */
export const MAX_REDRAWS = 8

/** The new frames, each the list of outputs that are on. */
export async function sampleRoll(
  ctx: PluginContext,
  assetId: string,
  shape: RollShape,
  req: RollRequest,
): Promise<number[][]> {
  const keep = Math.max(0, receptiveField(shape) - 1)
  const skipped = Math.max(0, req.context.length - keep)
  const frames: (readonly number[])[] = req.context.slice(skipped)
  const known = frames.length
  const history = new ConvHistory(shape.dilations, shape.channels)
  const K = shape.outputs
  const generated: number[][] = []
  for (let t = 0; t < known + req.frames; t++) {
    const x = new Array<number>(K + shape.extra).fill(0)
    for (const k of frames[t - 1] ?? []) if (k >= 0 && k < K) x[k] = 1
    x[K + req.extra(skipped + t)] = 1
    const past = history.pastInput(t)
    const draw = async () => {
      const out = await ctx.models.run(assetId, [
        { shape: [K + shape.extra], data: x },
        past,
        { shape: [K], data: req.bias(skipped + t) },
        // Known frames draw too (unused): one step shape for every call, so they share batches with new ones.
        { shape: [K], data: uniforms(req.random, K) },
        { shape: [1], data: [req.temperature] },
      ])
      const frame: number[] = []
      first(out, 1).forEach((v, k) => {
        if (v > 0.5) frame.push(k)
      })
      return { conv: first(out, 0), frame, logProb: out[2]?.data[0] ?? Number.NaN }
    }
    const drawn = await draw()
    history.push(drawn.conv)
    if (t < known) continue
    let kept = drawn
    // A redraw repeats the step with new uniforms only: the conv inputs at t do not depend on the draw at t.
    for (let r = 0; req.weight && r < MAX_REDRAWS && req.random() >= req.weight(kept.frame, frames); r++)
      kept = await draw()
    const frame = kept.frame
    req.likelihood?.add(kept.logProb)
    frames.push(frame)
    generated.push(frame)
    req.onFrame?.(frame, generated.length - 1)
  }
  return generated
}
