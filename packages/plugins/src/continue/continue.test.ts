import { readFileSync } from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../common/backend.js'
import { Rng } from '../common/rng.js'
import { fixturePath, modelPath } from '../common/test-utils.js'
import type { WeightsManifest } from '../model-io/fs-handler.js'
import { promptWeights } from './continuation.js'
import { getSplit, KEY_MIN, KEYS, perKeyBaseline, sampleRollBatch } from './data.js'
import { continueRoll } from './infer.js'
import { loadContinue } from './io.js'
import { ContinueModel, DEFAULT_CONTINUE_CONFIG, evaluateFrameNll, rollTensors } from './model.js'
import { continuationWeight } from './plugin.js'
import { loadRolls } from './rolls-file.js'
import { chordModel } from './test-models.js'

const jsb = loadRolls(fixturePath('jsb-pianoroll-slice.json'))
const nottingham = loadRolls(fixturePath('nottingham-slice.json'))
const MODEL_DIR = modelPath('continue')

beforeAll(async () => {
  await initBackend()
})

describe('continue data + metric', () => {
  it('the per-key baseline is finite and near the README figure', () => {
    const nll = perKeyBaseline(getSplit(jsb, 'train'), getSplit(jsb, 'valid'))
    expect(nll).toBeGreaterThan(7)
    expect(nll).toBeLessThan(16)
  })
})

describe('continue training', () => {
  it('a few Adam steps on a fixed slice batch lower the loss', () => {
    const model = new ContinueModel({ ...DEFAULT_CONTINUE_CONFIG, channels: 32, dilations: [1, 2] }, 2)
    const sources = [
      { pieces: getSplit(jsb, 'train'), corpus: 0 },
      { pieces: getSplit(nottingham, 'train'), corpus: 1 },
    ]
    const batch = rollTensors(sampleRollBatch(sources, new Rng(4), 4, 32))
    const vars = [...model.params.vars.values()]
    const opt = tf.train.adam(3e-3)
    const before = model.loss(batch, false, 0).dataSync()[0] ?? 0
    for (let i = 0; i < 12; i++) {
      const { value, grads } = tf.variableGrads(() => model.loss(batch, true, i), vars)
      opt.applyGradients(grads as Parameters<typeof opt.applyGradients>[0])
      tf.dispose([value, ...Object.values(grads)])
    }
    const after = model.loss(batch, false, 0).dataSync()[0] ?? 0
    expect(after).toBeLessThan(before - 0.5)
    model.dispose()
    opt.dispose()
  })
})

describe('within-frame keys', () => {
  it('training code: the keys below a key in the same frame change its probability (chain rule)', () => {
    const model = chordModel()
    const frames = continueRoll(model, [[60]], { frames: 3, corpus: 'jsb', temperature: 0 })
    expect(frames).toEqual([
      [60, 64],
      [60, 64],
      [60, 64],
    ])
    // The frame NLL is the sum of each key's log-loss given the keys below it: C alone is now unlikely.
    const nll = (frame: number[]) =>
      evaluateFrameNll(model, [[[60], frame]], 0) * 2 - evaluateFrameNll(model, [[[60]]], 0)
    expect(nll([60, 64])).toBeLessThan(0.01)
    expect(nll([60])).toBeGreaterThan(17)
    model.dispose()
  })
})

describe('committed continue weights', () => {
  const manifest = JSON.parse(
    readFileSync(path.join(MODEL_DIR, 'weights.json'), 'utf8'),
  ) as WeightsManifest & {
    fixture: { frame_nll_jsb: number; frame_nll_nottingham: number }
  }

  it('load (SHA-256 verified) and reproduce the fixture-slice NLL recorded at commit time', async () => {
    const model = await loadContinue(MODEL_DIR)
    expect(model.params.count()).toBe(manifest.parameters)
    expect(evaluateFrameNll(model, getSplit(jsb, 'valid'), 0)).toBeCloseTo(manifest.fixture.frame_nll_jsb, 2)
    expect(evaluateFrameNll(model, getSplit(nottingham, 'valid'), 1)).toBeCloseTo(
      manifest.fixture.frame_nll_nottingham,
      2,
    )
    model.dispose()
  })

  it('continues a roll: N frames of valid keys, reproducible by seed', async () => {
    const model = await loadContinue(MODEL_DIR)
    const context = (getSplit(nottingham, 'valid')[0] ?? []).slice(0, 80)
    const a = continueRoll(model, context, { frames: 16, corpus: 'nottingham', seed: 3, temperature: 1 })
    const b = continueRoll(model, context, { frames: 16, corpus: 'nottingham', seed: 3, temperature: 1 })
    expect(a).toEqual(b)
    expect(a).toHaveLength(16)
    for (const frame of a) for (const p of frame) expect(p >= KEY_MIN && p < KEY_MIN + KEYS).toBe(true)
    expect(a.some((f) => f.length > 0)).toBe(true)
    model.dispose()
  })
})

describe('continue: penalised sampling', () => {
  const weights = { parallel: 0.5, registerJump: 0.25 }
  it('weighs down frames whose outer voices move in parallel fifths or octaves, or jump a register', () => {
    // C5 over F4 to D5 over G4: a parallel fifth in the outer voices; to E5 over C4: contrary motion.
    expect(continuationWeight([67, 74], [[65, 72]], weights)).toBe(0.5)
    expect(continuationWeight([60, 76], [[65, 72]], weights)).toBe(1)
    // The top jumps from C6 to F4 (after a rest: the register is the last sounding frame's).
    expect(continuationWeight([65], [[84], []], weights)).toBe(0.25)
    expect(continuationWeight([79], [[84], []], weights)).toBe(1)
    // Both at once multiply; an empty frame (a rest) is never penalised.
    expect(continuationWeight([43, 50], [[72, 79]], weights)).toBe(0.125)
    expect(continuationWeight([], [[72, 79]], weights)).toBe(1)
  })
})

describe('continue: register continuity follows the prompt', () => {
  const style = { parallel: 0.6, registerJump: 0.1, registerJumpAfterLeaps: 0.5 }
  it('a prompt that keeps its register gets the strong penalty; one that jumps registers itself, a milder one the more it jumps', () => {
    // Melody over a bass a fifth apart, moving by steps: no outer voice moves more than an octave.
    const steady = [[48, 67], [50, 69], [52, 71], [], [48, 72]]
    expect(promptWeights(steady, style)).toEqual({ parallel: 0.6, registerJump: 0.1 })
    // The bass leaps from C2 to C4 (two octaves, across a rest): one jump, the weight for jumps once.
    const once = [[36, 67], [], [60, 64, 67]]
    expect(promptWeights(once, style)).toEqual({ parallel: 0.6, registerJump: 0.5 })
    // An oom-pah bass, C2 up to C4 and back: two jumps, twice the weight (at most 1).
    const oomPah = [[36, 67], [], [60, 64, 67], [36, 67]]
    expect(promptWeights(oomPah, style)).toEqual({ parallel: 0.6, registerJump: 1 })
    // Nothing to go by: the strong penalty.
    expect(promptWeights([], style).registerJump).toBe(0.1)
  })
})
