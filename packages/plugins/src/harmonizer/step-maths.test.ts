import { readFileSync } from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../common/backend.js'
import { penaliseParallels } from '../common/step-maths.js'
import { fixturePath, modelPath } from '../common/test-utils.js'
import { loadFunctionalModel } from '../model-io/fs-handler.js'
import { getSplit, loadChorales, pitchToClass, wholeBatch } from './data.js'
import { loadHarmonizer } from './io.js'
import { batchTensors } from './model.js'
import { type HarmonizerShape, harmonizerMelodyRuntime, harmonizerNet, harmonizerStep } from './runtime.js'

/*
 * The correctness guard of the plain-TypeScript step (step-maths.ts): on a committed chorale, teacher-forced,
 * the incremental step's logits for alto, tenor and bass equal the training code's (nn.ts on tfjs, the whole
 * window at once) at every step, so its probabilities do too.
 */

const MODEL_DIR = modelPath('harmonizer')

beforeAll(async () => {
  await initBackend()
})

describe('harmonizer step maths', () => {
  it('teacher-forced step logits equal the training model’s within 1e-4 on a fixture chorale', async () => {
    const piece = getSplit(loadChorales(fixturePath('jsb16th-slice.json')), 'valid')[0]!.slice(0, 96)
    const T = piece.length

    const model = await loadHarmonizer(MODEL_DIR, false)
    const batch = batchTensors(wholeBatch([piece]), [1])
    const reference = tf.tidy(() => {
      const h = model.trunk(batch, false, 0)
      return [1, 2, 3].map((v) => model.head(v, h, batch.cur).reshape([T, -1]).arraySync() as number[][])
    })
    tf.dispose(Object.values(batch))
    model.dispose()

    const saved = await loadFunctionalModel<HarmonizerShape>(MODEL_DIR)
    const { format } = JSON.parse(readFileSync(path.join(MODEL_DIR, 'model.json'), 'utf8')) as {
      format: string
    }
    const c = saved.config
    const V = c.vocab
    const cls = piece.map((step) => step.map((p) => pitchToClass(p)))
    const oneHot = (k: number, size = V) => Float32Array.from({ length: size }, (_, i) => (i === k ? 1 : 0))
    const melodyModel = harmonizerMelodyRuntime({ format, config: c, weights: saved.weights, metadata: {} })
    const sopranoIn = tf.tensor3d(
      cls.flatMap((s) => Array.from(oneHot(s[0]!))),
      [1, T, V],
    )
    const [streamT] = melodyModel.predict([sopranoIn])
    const stream = streamT!.dataSync() as Float32Array
    tf.dispose([sopranoIn, streamT!])
    const net = harmonizerNet(saved.weights, c)
    tf.dispose(Object.values(saved.weights))

    const states: Float32Array[][] = []
    const zeros = new Float32Array(c.channels)
    let worst = 0
    for (let t = 0; t < T; t++) {
      const prev = new Float32Array(4 * V + c.metre)
      if (t > 0)
        cls[t - 1]!.forEach((k, v) => {
          prev[v * V + k] = 1
        })
      prev[4 * V + (t % c.metre)] = 1
      const state: Float32Array[] = []
      const past = (k: number) => states[t - c.dilations[Math.floor(k / 2)]!]?.[k] ?? zeros
      harmonizerStep(
        net,
        prev,
        stream.subarray(t * c.channels, (t + 1) * c.channels),
        oneHot(cls[t]![0]!),
        past,
        state,
        (v, logits) => {
          const want = reference[v - 1]![t]!
          logits.forEach((z, k) => {
            worst = Math.max(worst, Math.abs(z - want[k]!))
          })
          return cls[t]![v]!
        },
      )
      states.push(state)
    }
    expect(worst).toBeLessThan(1e-4)
  })
})

describe('voice leading', () => {
  // Classes are semitones: S moves 20 -> 22 (up a tone); A was a fifth below at 13.
  const prev = [20, 13, -1, -1]
  const now = [22]

  it('penalises exactly the pitches that move in parallel fifths or octaves with a decided voice', () => {
    const logits = new Float32Array(40)
    penaliseParallels(logits, 1, prev, now, 6)
    const hit = [...logits.keys()].filter((c) => logits[c]! < 0)
    // Up, to a fifth below 22 (15) or above it (29); 3 (a twelfth below) would be downwards: contrary, allowed.
    expect(hit).toEqual([15, 29])
  })

  it('leaves held notes, contrary motion and other intervals alone, and does nothing at penalty 0', () => {
    const held = new Float32Array(40)
    penaliseParallels(held, 1, prev, [20], 6)
    expect(held.every((z) => z === 0)).toBe(true)
    const octave = new Float32Array(40)
    penaliseParallels(octave, 1, [20, 8, -1, -1], now, 6)
    expect([...octave.keys()].filter((c) => octave[c]! < 0)).toEqual([10, 22, 34])
    const off = new Float32Array(40)
    penaliseParallels(off, 1, prev, now, 0)
    expect(off.every((z) => z === 0)).toBe(true)
  })
})
