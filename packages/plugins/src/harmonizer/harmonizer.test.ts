import { readFileSync } from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../common/backend.js'
import { Rng } from '../common/rng.js'
import { fixturePath, modelPath } from '../common/test-utils.js'
import type { WeightsManifest } from '../model-io/fs-handler.js'
import { getSplit, loadChorales, sampleBatch, unigramBaseline, VOICE_RANGES } from './data.js'
import { harmonize, harmonizeNotes } from './infer.js'
import { loadHarmonizer } from './io.js'
import { batchTensors, DEFAULT_CONFIG, evaluateNll, HarmonizerModel } from './model.js'

const slice = loadChorales(fixturePath('jsb16th-slice.json'))
const MODEL_DIR = modelPath('harmonizer')

beforeAll(async () => {
  await initBackend()
})

describe('harmonizer data + metric', () => {
  it('the unigram baseline on the slice is in the README baseline ballpark', () => {
    const nll = unigramBaseline(getSplit(slice, 'train'), getSplit(slice, 'valid'))
    // 2 training chorales only, so looser than the 2.61 of the full split, but same order.
    expect(nll).toBeGreaterThan(1.5)
    expect(nll).toBeLessThan(4.5)
  })
})

describe('harmonizer training', () => {
  it('a few Adam steps on a fixed slice batch lower the loss', () => {
    const model = new HarmonizerModel(
      { ...DEFAULT_CONFIG, channels: 32, dilations: [1, 2, 4], headHidden: 32 },
      3,
    )
    const batch = batchTensors(sampleBatch(getSplit(slice, 'train'), new Rng(5), 2, 64, true), [0, 1])
    const vars = [...model.params.vars.values()]
    const opt = tf.train.adam(3e-3)
    const before = model.loss(batch, false, 0).dataSync()[0] ?? 0
    for (let i = 0; i < 12; i++) {
      const { value, grads } = tf.variableGrads(() => model.loss(batch, true, i), vars)
      opt.applyGradients(grads as Parameters<typeof opt.applyGradients>[0])
      tf.dispose([value, ...Object.values(grads)])
    }
    const after = model.loss(batch, false, 0).dataSync()[0] ?? 0
    expect(after).toBeLessThan(before - 0.1)
    model.dispose()
    opt.dispose()
  })
})

describe('committed harmonizer weights', () => {
  const manifest = JSON.parse(
    readFileSync(path.join(MODEL_DIR, 'weights.json'), 'utf8'),
  ) as WeightsManifest & {
    fixture: { note_nll: number; atb_given_s_nll: number }
  }

  it('load (SHA-256 verified) and reproduce the fixture-slice NLL recorded at commit time', async () => {
    const model = await loadHarmonizer(MODEL_DIR)
    expect(model.params.count()).toBe(manifest.parameters)
    const valid = getSplit(slice, 'valid')
    const full = evaluateNll(model, valid, 'full')
    const harm = evaluateNll(model, valid, 'harmonize')
    expect(full.nll).toBeCloseTo(manifest.fixture.note_nll, 3)
    expect(harm.nll).toBeCloseTo(manifest.fixture.atb_given_s_nll, 3)
    model.dispose()
  })

  it('harmonizes a melody: valid pitches, in the window, reproducible by seed', async () => {
    const model = await loadHarmonizer(MODEL_DIR)
    const chorale = getSplit(slice, 'valid')[0] ?? []
    const soprano = chorale.slice(0, 48).map((s) => s[0])
    const a = harmonize(model, soprano, { seed: 7, temperature: 0.8 })
    const b = harmonize(model, soprano, { seed: 7, temperature: 0.8 })
    expect(a).toEqual(b)
    expect(a).toHaveLength(soprano.length)
    a.forEach((step, t) => {
      expect(step[0]).toBe(soprano[t])
      for (let v = 1; v < 4; v++) {
        const p = step[v] ?? -1
        const [lo, hi] = VOICE_RANGES[v] as readonly [number, number]
        if (p >= 0) {
          expect(p).toBeGreaterThanOrEqual(Math.max(0, lo - 2))
          expect(p).toBeLessThanOrEqual(Math.min(127, hi + 2))
        }
      }
    })
    // Greedy decoding of a real Bach soprano should sound most of the time, not rest.
    const greedy = harmonize(model, soprano, { temperature: 0 })
    const sounding = greedy.filter((s) => s[1] >= 0 && s[2] >= 0 && s[3] >= 0).length
    expect(sounding).toBeGreaterThan(soprano.length * 0.8)

    const notes = harmonizeNotes(model, {
      melody: [
        { pitch: 72, start: 1920, duration: 480 },
        { pitch: 74, start: 2400, duration: 480 },
        { pitch: 76, start: 2880, duration: 960 },
      ],
      startTick: 1920,
      endTick: 3840,
      seed: 1,
    })
    expect(notes.length).toBeGreaterThan(0)
    for (const n of notes) {
      expect(n.pitch).toBeGreaterThanOrEqual(0)
      expect(n.pitch).toBeLessThanOrEqual(127)
      expect(n.start).toBeGreaterThanOrEqual(1920)
      expect(n.start + n.duration).toBeLessThanOrEqual(3840)
      expect([1, 2, 3]).toContain(n.voice)
    }
    model.dispose()
  })
})
