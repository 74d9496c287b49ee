import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { ModelTensor } from '@ensemble/core/plugin'
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { fromTfModel } from '../src/batch-model'
import { type BatchExecutor, MicroBatcher } from '../src/batcher'
import { LoadedModel } from '../src/loaded-model'
import { fileSystemModel } from '../src/model-files'
import { initTfjsBackend } from '../src/tfjs-backend'
import { saveDenseModel } from './helpers/dense-model'

/** Doubles every value, and remembers the size of each batch it was given. */
function doubler(): BatchExecutor & { sizes: number[] } {
  const sizes: number[] = []
  const run: BatchExecutor = (examples) => {
    sizes.push(examples.length)
    return examples.map((inputs) => inputs.map((t) => ({ shape: t.shape, data: t.data.map((x) => x * 2) })))
  }
  return Object.assign(run, { sizes })
}

const one = (x: number, shape = [1]): ModelTensor[] => [{ shape, data: new Array(shape[0]).fill(x) }]
const far = () => Date.now() + 60_000

describe('MicroBatcher', () => {
  it('runs examples that arrive within the window as one batch and gives each its own slice', async () => {
    const exec = doubler()
    const batcher = new MicroBatcher(exec, { windowMs: 20, maxBatch: 32 })
    const outs = await Promise.all([1, 2, 3, 4, 5].map((x) => batcher.submit(one(x), far(), 'u')))
    expect(outs.map((o) => o[0]!.data[0])).toEqual([2, 4, 6, 8, 10])
    expect(exec.sizes).toEqual([5])
    expect(batcher.stats()).toEqual({ executions: 1, examples: 5, batchSizes: { '5': 1 }, expired: 0 })
  })

  it('runs a full batch at once, without waiting for the window', async () => {
    const exec = doubler()
    const batcher = new MicroBatcher(exec, { windowMs: 10_000, maxBatch: 3 })
    const started = Date.now()
    await Promise.all([1, 2, 3].map((x) => batcher.submit(one(x), far(), 'u')))
    expect(Date.now() - started).toBeLessThan(1000)
    expect(exec.sizes).toEqual([3])
  })

  it('with maxBatch 1 runs every example alone: batching off', async () => {
    const exec = doubler()
    const batcher = new MicroBatcher(exec, { windowMs: 20, maxBatch: 1 })
    await Promise.all([1, 2, 3].map((x) => batcher.submit(one(x), far(), 'u')))
    expect(exec.sizes).toEqual([1, 1, 1])
  })

  it('keeps examples of different shapes in different batches', async () => {
    const exec = doubler()
    const batcher = new MicroBatcher(exec, { windowMs: 20, maxBatch: 32 })
    const outs = await Promise.all([
      batcher.submit(one(1, [2]), far(), 'u'),
      batcher.submit(one(2, [3]), far(), 'u'),
      batcher.submit(one(3, [2]), far(), 'u'),
    ])
    expect(outs.map((o) => o[0]!.data)).toEqual([
      [2, 2],
      [4, 4, 4],
      [6, 6],
    ])
    expect(exec.sizes.sort()).toEqual([1, 2])
  })

  it('drops an example whose deadline passed while it waited, and runs the rest', async () => {
    const exec = doubler()
    const batcher = new MicroBatcher(exec, { windowMs: 30, maxBatch: 32 })
    const late = batcher.submit(one(1), Date.now() + 5, 'u').catch((e: unknown) => e)
    const fine = batcher.submit(one(2), far(), 'u')
    expect(((await late) as Error).message).toMatch(/deadline passed while waiting/)
    expect((await fine)[0]!.data).toEqual([4])
    expect(batcher.stats().expired).toBe(1)
  })

  it('rejects every example of a batch whose execution throws, and keeps working after', async () => {
    let fail = true
    const batcher = new MicroBatcher(
      (examples) => {
        if (fail) throw new Error('kernel exploded')
        return examples.map((inputs) => [...inputs])
      },
      { windowMs: 5, maxBatch: 32 },
    )
    const results = await Promise.allSettled([
      batcher.submit(one(1), far(), 'u'),
      batcher.submit(one(2), far(), 'u'),
    ])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    fail = false
    expect((await batcher.submit(one(3), far(), 'u'))[0]!.data).toEqual([3])
  })
})

describe('MicroBatcher shares each batch between users, those with fewest steps waiting first', () => {
  /** A plugin's loop: `steps` model steps one after another, each waiting for the last; resolves with each step's batch size. */
  async function steps(batcher: MicroBatcher, exec: { sizes: number[] }, user: string, count: number) {
    const metBatches: number[] = []
    for (let i = 0; i < count; i++) {
      await batcher.submit(one(i), far(), user)
      metBatches.push(exec.sizes.at(-1)!)
    }
    return metBatches
  }

  it('runs a user with one call beside a user with four alone three steps in four, and the greedy user still moves on', async () => {
    const exec = doubler()
    const batcher = new MicroBatcher(exec, { windowMs: 0, maxBatch: 32 })
    const greedySteps: number[] = []
    const greedy = [1, 2, 3, 4].map(async () => {
      for (let i = 0; i < 12; i++) {
        await batcher.submit(one(i), far(), 'greedy')
        greedySteps.push(i)
      }
    })
    const polite = await steps(batcher, exec, 'polite', 8)
    // The polite user's steps run alone, and one greedy step joins every fourth batch (before: every batch
    // held one greedy step; before that, all four).
    expect(polite).toEqual([1, 1, 1, 2, 1, 1, 1, 2])
    // The greedy user was not stopped while the polite one was served: two of its steps ran meanwhile.
    expect(greedySteps).toHaveLength(2)
    const politeDone = exec.sizes.length
    await Promise.all(greedy)
    // Alone again, the greedy user's four calls batch together.
    expect(exec.sizes.slice(politeDone)).toContain(4)
  })

  it('serves a user with fewer steps waiting first, in the order they asked, before the greedy pile drains', async () => {
    const exec = doubler()
    const batcher = new MicroBatcher(exec, { windowMs: 10_000, maxBatch: 32 })
    const order: string[] = []
    const ask = (x: number, user: string) =>
      batcher.submit(one(x), far(), user).then(() => order.push(`${user}${x}`))
    await Promise.all([...[1, 2, 3, 4].map((x) => ask(x, 'greedy')), ask(1, 'polite')])
    // The polite step ran first, alone; then the greedy user's four together.
    expect(order).toEqual(['polite1', 'greedy1', 'greedy2', 'greedy3', 'greedy4'])
    expect(exec.sizes).toEqual([1, 4])
  })

  it('gives two users with four calls each one batch of eight', async () => {
    const exec = doubler()
    const batcher = new MicroBatcher(exec, { windowMs: 0, maxBatch: 32 })
    await Promise.all(['a', 'b'].flatMap((user) => [1, 2, 3, 4].map(() => steps(batcher, exec, user, 3))))
    expect(exec.sizes).toEqual([8, 8, 8])
  })

  it('runs what a share left in the next batch, in order, without waiting for the window', async () => {
    const exec = doubler()
    const batcher = new MicroBatcher(exec, { windowMs: 10_000, maxBatch: 4 })
    const started = Date.now()
    const outs = await Promise.all([
      ...[1, 2, 3].map((x) => batcher.submit(one(x), far(), 'a')),
      batcher.submit(one(9), far(), 'b'),
    ])
    expect(Date.now() - started).toBeLessThan(5000)
    expect(outs.map((o) => o[0]!.data[0])).toEqual([2, 4, 6, 18])
    // b's example filled the window's batch: b's one step first (the fewest waiting), then a's three at the
    // next turn.
    expect(exec.sizes).toEqual([1, 3])
  })
})

describe('LoadedModel on the wasm backend', () => {
  it('gives the same numbers batched as unbatched, with fewer executions', async () => {
    expect(await initTfjsBackend('wasm')).toBe('wasm')
    const root = mkdtempSync(path.join(tmpdir(), 'ensemble-batch-'))
    const asset = await saveDenseModel(root)
    const model = fromTfModel(await tf.loadLayersModel(fileSystemModel(path.join(root, asset.path))))
    const examples = Array.from({ length: 8 }, (_, i) => [
      { shape: [12], data: Array.from({ length: 12 }, (_, j) => Math.sin(i * 12 + j)) },
    ])
    const alone = new LoadedModel('dense', model, { windowMs: 5, maxBatch: 1 })
    const together = new LoadedModel('dense', model, { windowMs: 50, maxBatch: 8 })
    const single = await Promise.all(examples.map((inputs) => alone.run(inputs, far(), 'u')))
    const batched = await Promise.all(examples.map((inputs) => together.run(inputs, far(), 'u')))
    expect(alone.stats().executions).toBe(8)
    expect(together.stats()).toMatchObject({ executions: 1, examples: 8, batchSizes: { '8': 1 } })
    batched.forEach((outputs, i) => {
      expect(outputs[0]!.shape).toEqual([12])
      expect(outputs[0]!.data).toEqual(single[i]![0]!.data)
    })
  })

  it('refuses a tensor of the wrong shape before it can join a batch', async () => {
    await initTfjsBackend('wasm')
    const root = mkdtempSync(path.join(tmpdir(), 'ensemble-batch-'))
    const asset = await saveDenseModel(root)
    const model = new LoadedModel(
      'dense',
      fromTfModel(await tf.loadLayersModel(fileSystemModel(path.join(root, asset.path)))),
      {
        windowMs: 5,
        maxBatch: 8,
      },
    )
    expect(() => model.run([{ shape: [11], data: new Array(11).fill(0) }], far(), 'u')).toThrow(
      /dense input 0 must have shape \[12\], got \[11\]/,
    )
    expect(() => model.run([{ shape: [12], data: [1] }], far(), 'u')).toThrow(/1 values for shape \[12\]/)
    expect(() => model.run([], far(), 'u')).toThrow(/takes 1 input\(s\), got 0/)
  })
})
