import * as tf from '@tensorflow/tfjs'
import type { ModelRuntime } from '../host.js'
import { bernoulliLogProb } from './likelihood.js'
import { addBias, addProduct, bernoulliChain, denseOf, relu, stackOf, tcnStep } from './step-maths.js'
import { expectFormat, inputRows, stackStates, warm } from './step-runtime.js'

/*
 * The step runtime of the roll TCNs (continue, drums: the same network shape, previous step + a one-hot
 * feature in, Bernoulli logits out). It knows no model: each model folder describes its format here
 * (`RollFormat`), so this shared code never imports a model and a new roll model needs no change here.
 */

export interface RollShape {
  /** Bernoulli outputs per step (88 keys, 9 drum classes). */
  outputs: number
  /** Extra one-hot features beside the previous step (corpora, or bar positions). */
  extra: number
  channels: number
  dilations: number[]
}

/** How one roll model's files read: its format tag, its step shape and its optional within-step chain. */
export interface RollFormat {
  /** The `format` of its model.json. */
  format: string
  /** The step shape from the model's config (model.json's `modelTopology`). */
  shape(config: unknown): RollShape
  /** The `[K, K]` within-step weights (outputs drawn low to high), when the model has them. */
  within?(weights: tf.NamedTensorMap, config: unknown): Float32Array | undefined
}

/** The step shape of a model of `roll`'s format; any other format is refused. */
export function rollShape(
  roll: RollFormat,
  asset: { format: string | undefined; config: unknown },
): RollShape {
  expectFormat(asset, roll.format)
  return roll.shape(asset.config)
}

/**
 * The step of a `roll`-format model (independent Bernoulli outputs or, with within-step weights, chained
 * low to high within the step). Inputs: 0 `x` [K + E] (the step before t, and the corpus or bar-position
 * one-hot at t); 1 `past` [2n, C]; then `bias` [K] logit offsets (key, density, rhythm to follow), `u` [K],
 * `temperature` [1]. Outputs: 0 the conv inputs at t [2n, C]; 1 `on` [K] (0/1); 2 `logProb` [1], the draw's
 * log-probability at temperature 1 (common/likelihood.ts).
 */
export function rollRuntime(roll: RollFormat): ModelRuntime {
  return (asset) => {
    const c = rollShape(roll, asset)
    const n = c.dilations.length
    const input = denseOf(asset.weights, 'in')
    const stack = stackOf(asset.weights, 'tcn', n)
    const output = denseOf(asset.weights, 'out')
    const within = roll.within?.(asset.weights, asset.config)
    return warm({
      inputShapes: [[c.outputs + c.extra], [2 * n, c.channels], [c.outputs], [c.outputs], [1]],
      predict(inputs) {
        const rows = inputRows(inputs)
        const B = inputs[0]!.shape[0]!
        const states: Float32Array[][] = []
        const on = new Float32Array(B * c.outputs)
        const logProb = new Float32Array(B)
        for (let b = 0; b < B; b++) {
          const x = (k: number) => rows[k]!(b)
          const h0 = new Float32Array(c.channels)
          addProduct(h0, x(0), input)
          addBias(h0, input)
          const state: Float32Array[] = []
          const past = x(1)
          const h = relu(
            tcnStep(stack, h0, (k) => past.subarray(k * c.channels, (k + 1) * c.channels), state),
          )
          const z = Float32Array.from(x(2))
          addProduct(z, h, output)
          addBias(z, output)
          const drawn = bernoulliChain(z, x(3), x(4)[0]!, within)
          // The chain left the conditional logits in z: the frame's probability under the model.
          logProb[b] = bernoulliLogProb(z, drawn)
          on.set(drawn, b * c.outputs)
          states.push(state)
        }
        return [
          stackStates(states, 2 * n, c.channels),
          tf.tensor2d(on, [B, c.outputs]),
          tf.tensor2d(logProb, [B, 1]),
        ]
      },
    })
  }
}
