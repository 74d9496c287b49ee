import { readFileSync } from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../common/backend.js'
import { Rng } from '../common/rng.js'
import { fixturePath, modelPath } from '../common/test-utils.js'
import type { WeightsManifest } from '../model-io/fs-handler.js'
import { loadBeats } from './beats-file.js'
import { drumClassOf, positionBaseline, sampleDrumBatch } from './data.js'
import { drumsToNotes, generateDrums } from './infer.js'
import { loadDrums } from './io.js'
import { DEFAULT_DRUMS_CONFIG, DrumsModel, drumTensors, evaluateStepNll } from './model.js'

const GROOVE = fixturePath('groove')
const MODEL_DIR = modelPath('drums')

beforeAll(async () => {
  await initBackend()
})

describe('drums data', () => {
  it('maps GM drum notes to the 9 GrooVAE classes and quantizes the fixture beats', () => {
    expect(drumClassOf(36)).toBe(0)
    expect(drumClassOf(38)).toBe(1)
    expect(drumClassOf(42)).toBe(2)
    expect(drumClassOf(51)).toBe(8)
    const beats = loadBeats(GROOVE, 'validation')
    expect(beats).toHaveLength(3)
    for (const b of beats) expect(b.hits.some((h) => h > 0)).toBe(true)
    const nll = positionBaseline(loadBeats(GROOVE, 'train'), beats)
    expect(nll).toBeGreaterThan(0.5)
    expect(nll).toBeLessThan(8)
  })

  it('a few Adam steps on a fixed batch lower the loss', () => {
    const model = new DrumsModel({ ...DEFAULT_DRUMS_CONFIG, channels: 32, dilations: [1, 2, 4] }, 2)
    const batch = drumTensors(sampleDrumBatch(loadBeats(GROOVE, 'train'), new Rng(1), 4, 64))
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

describe('committed drums weights', () => {
  const manifest = JSON.parse(
    readFileSync(path.join(MODEL_DIR, 'weights.json'), 'utf8'),
  ) as WeightsManifest & {
    fixture: { step_nll: number }
  }

  it('load (SHA-256 verified) and reproduce the fixture NLL recorded at commit time', async () => {
    const model = await loadDrums(MODEL_DIR)
    expect(model.params.count()).toBe(manifest.parameters)
    expect(evaluateStepNll(model, loadBeats(GROOVE, 'validation'))).toBeCloseTo(manifest.fixture.step_nll, 3)
    model.dispose()
  })

  it('generates a reproducible beat of valid GM notes inside the window', async () => {
    const model = await loadDrums(MODEL_DIR)
    const a = generateDrums(model, { steps: 32, seed: 5 })
    expect(generateDrums(model, { steps: 32, seed: 5 })).toEqual(a)
    expect(a).toHaveLength(32)
    const notes = drumsToNotes(a, 1920)
    for (const n of notes) {
      expect(n.pitch).toBeGreaterThanOrEqual(0)
      expect(n.pitch).toBeLessThanOrEqual(127)
      expect(n.start).toBeGreaterThanOrEqual(1920)
      expect(n.start + n.duration).toBeLessThanOrEqual(1920 + 32 * 120)
    }
    model.dispose()
  })
})
