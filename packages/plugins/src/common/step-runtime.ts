import type { ModelTensor } from '@ensemble/core/plugin'
import * as tf from '@tensorflow/tfjs'
import type { BatchModel, FunctionalModel } from '../host.js'

/*
 * The graph code of our `tfjs-functional` assets, as the inference service runs them (its `ModelRuntime`),
 * recast for generation: one call = ONE sampling step of the model, so that every step of a plugin's
 * sampling loop is a `ctx.models.run` the host can micro-batch with other requests' steps.
 *
 * The training code (`../harmonizer/model.ts`, `nn.ts`) recomputes the whole causal TCN over its
 * receptive field for every sampled step (O(T x window)). Here the step is incremental, like fast WaveNet
 * generation: a kernel-2 dilated conv at time t only needs its input at t and at t - d, so the plugin keeps
 * each conv's past inputs and hands the step exactly the ones it needs (`past`, one row per conv); the step
 * returns the conv inputs at t (`state`) for the plugin to remember. Same weights, same maths (the zero
 * padding before the first step is the zero `past` row), a fraction of the work.
 *
 * The per-step runtimes compute in plain TypeScript (step-maths.ts), not tfjs kernels: a step is ~40 small
 * products, and each wasm kernel launch cost more than its arithmetic (243 kernels, ~3-4 ms per harmonizer
 * step). The melody stream, one large call per request, stays on tfjs. `../harmonizer/step-maths.test.ts` checks the
 * step's logits against the training code.
 *
 * Sampling happens inside the step from uniforms the plugin draws with `ctx.random`, so randomness still
 * comes only from the contract's seeded source, and a step that needs several dependent draws (the
 * harmonizer's A -> T -> B) stays one call instead of three.
 */

/** Logit offset used for "never" (the host refuses non-finite inputs, so not -Infinity). */
export const NEVER = -1e9

/** Refuses another model's asset: a runtime reads the config and weights by its own format's layout. */
export function expectFormat(asset: Pick<FunctionalModel, 'format'>, format: string): void {
  if (asset.format !== format)
    throw new Error(`expected a ${format} model, got ${asset.format ?? 'no format'}`)
}

/** Runs the step once on zeros so kernel set-up is not paid by the first request. */
export function warm(model: BatchModel): BatchModel {
  const zeros = model.inputShapes.map((shape) => tf.zeros([1, ...shape.map((d) => d ?? 1)]))
  tf.dispose(tf.tidy(() => model.predict(zeros)))
  tf.dispose(zeros)
  return model
}

/** Per input, the row of example b (a view on the batch's data, read once). */
export function inputRows(inputs: tf.Tensor[]): ((b: number) => Float32Array)[] {
  return inputs.map((t) => {
    const data = t.dataSync() as Float32Array
    const size = t.size / (t.shape[0] ?? 1)
    return (b: number) => data.subarray(b * size, (b + 1) * size)
  })
}

/** The per-example state rows as one [B, count, C] tensor. */
export function stackStates(states: Float32Array[][], count: number, channels: number): tf.Tensor3D {
  const flat = new Float32Array(states.length * count * channels)
  states.forEach((state, b) => {
    state.forEach((row, k) => {
      flat.set(row, (b * count + k) * channels)
    })
  })
  return tf.tensor3d(flat, [states.length, count, channels])
}

/** One output of a step model, as plain numbers. */
export function first(outputs: readonly ModelTensor[], index: number): readonly number[] {
  const out = outputs[index]
  if (!out) throw new Error(`the model returned no output ${index}`)
  return out.data
}
