import type { ModelTensor } from '@ensemble/core/plugin'
import type { BatchModel } from '@ensemble/plugins/host'
import * as tf from '@tensorflow/tfjs'
import { type BatchOptions, type BatchStats, MicroBatcher } from './batcher'

/*
 * One warm model, ready for `ctx.models.run`: checks each example against the model's input signature (so
 * one plugin's bad tensor fails alone instead of poisoning a batch), batches, executes, splits.
 */

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

export class ModelInputError extends Error {
  override readonly name = 'ModelInputError'
}

export class LoadedModel {
  readonly signature: (number | null)[][]
  private readonly batcher: MicroBatcher

  constructor(
    readonly name: string,
    private readonly model: BatchModel,
    batching: BatchOptions,
  ) {
    this.signature = model.inputShapes
    this.batcher = new MicroBatcher((examples) => this.executeBatch(examples), batching)
  }

  /** `user`: whose share of the model's time the example counts in (batcher.ts). */
  run(inputs: readonly ModelTensor[], deadlineAt: number, user: string): Promise<ModelTensor[]> {
    this.check(inputs)
    return this.batcher.submit(inputs, deadlineAt, user)
  }

  stats(): BatchStats {
    return this.batcher.stats()
  }

  /** One run of zeros before the first request, so kernel set-up is not paid by a musician's request. */
  warmUp(): void {
    if (this.signature.some((shape) => shape.includes(null))) return
    this.executeBatch([
      this.signature.map((shape) => ({
        shape: shape as number[],
        data: new Array(product(shape as number[])).fill(0),
      })),
    ])
  }

  private check(inputs: readonly ModelTensor[]): void {
    if (inputs.length !== this.signature.length)
      throw new ModelInputError(`${this.name} takes ${this.signature.length} input(s), got ${inputs.length}`)
    inputs.forEach((input, k) => {
      const expected = this.signature[k]!
      const fits =
        input.shape.length === expected.length &&
        input.shape.every(
          (d, j) => Number.isInteger(d) && d > 0 && (expected[j] === null || expected[j] === d),
        )
      if (!fits)
        throw new ModelInputError(
          `${this.name} input ${k} must have shape [${expected.map((d) => d ?? '?').join(', ')}], got [${input.shape.join(', ')}]`,
        )
      if (input.data.length !== product(input.shape))
        throw new ModelInputError(
          `${this.name} input ${k}: ${input.data.length} values for shape [${input.shape.join(', ')}]`,
        )
      for (const x of input.data)
        if (typeof x !== 'number' || !Number.isFinite(x))
          throw new ModelInputError(`${this.name} input ${k}: every value must be a finite number`)
    })
  }

  private executeBatch(examples: readonly (readonly ModelTensor[])[]): ModelTensor[][] {
    const n = examples.length
    const outputs = tf.tidy(() => {
      const xs = this.signature.map((_, k) => {
        const shape = examples[0]![k]!.shape
        const size = product(shape)
        const flat = new Float32Array(n * size)
        examples.forEach((example, i) => {
          flat.set(example[k]!.data, i * size)
        })
        return tf.tensor(flat, [n, ...shape], 'float32')
      })
      return this.model.predict(xs)
    })
    const result: ModelTensor[][] = examples.map(() => [])
    for (const tensor of outputs) {
      const data = tensor.dataSync()
      const shape = tensor.shape.slice(1)
      const size = product(shape)
      for (let i = 0; i < n; i++)
        result[i]!.push({ shape, data: Array.from(data.subarray(i * size, (i + 1) * size)) })
      tensor.dispose()
    }
    return result
  }
}
