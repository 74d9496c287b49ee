import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  loadFunctionalModel,
  saveFunctionalModel,
  verifyModelFiles,
  WEIGHTS_BIN,
} from '../model-io/fs-handler.js'
import { initBackend } from './backend.js'
import { writeWeightsManifest } from './publish.js'

beforeAll(async () => {
  await initBackend()
})

describe('file-system model IO', () => {
  it('round-trips named weights and config, and detects a tampered asset', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ensemble-io-'))
    const w = { 'a.w': tf.tensor2d([1, 2, 3, 4], [2, 2]), 'a.b': tf.tensor1d([0.5, -0.5]) }
    await saveFunctionalModel(dir, { config: { units: 2 }, weights: w, metadata: { step: 3 } }, 'test/1')
    const loaded = await loadFunctionalModel<{ units: number }>(dir)
    expect(loaded.config.units).toBe(2)
    expect(loaded.metadata?.step).toBe(3)
    expect(Array.from(loaded.weights['a.w']?.dataSync() ?? [])).toEqual([1, 2, 3, 4])
    expect(Array.from(loaded.weights['a.b']?.dataSync() ?? [])).toEqual([0.5, -0.5])
    writeWeightsManifest(dir, { model: 't', parameters: 6, metrics: {}, fixture: {} })
    expect(() => verifyModelFiles(dir)).not.toThrow()
    writeFileSync(path.join(dir, WEIGHTS_BIN), new Uint8Array(24))
    expect(() => verifyModelFiles(dir)).toThrow(/sha256/)
  })
})
