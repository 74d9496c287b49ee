import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { fileSystemModel } from '../src/model-files'
import { initTfjsBackend } from '../src/tfjs-backend'
import { saveDenseModel } from './helpers/dense-model'

let root: string

beforeAll(async () => {
  await initTfjsBackend('cpu')
  root = mkdtempSync(path.join(tmpdir(), 'ensemble-model-files-'))
})

const pinsOf = (asset: Awaited<ReturnType<typeof saveDenseModel>>) =>
  new Map([['model.json', asset.sha256], ...asset.weights.map((w) => [w.path, w.sha256] as const)])

describe('file-system tfjs IO handler', () => {
  it('saves a model as model.json plus one weights file and loads it back, pinned, with the same numbers', async () => {
    const asset = await saveDenseModel(root, 'roundtrip')
    const json = JSON.parse(readFileSync(path.join(root, 'roundtrip', 'model.json'), 'utf8'))
    expect(json.weightsManifest[0].paths).toEqual(['model.weights.bin'])
    const a = await tf.loadLayersModel(
      fileSystemModel(path.join(root, 'roundtrip', 'model.json'), pinsOf(asset)),
    )
    const b = await tf.loadLayersModel(fileSystemModel(path.join(root, 'roundtrip', 'model.json')))
    const x = tf.ones([1, 12])
    expect(Array.from((a.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from((b.predict(x) as tf.Tensor).dataSync()),
    )
  })

  it('refuses weights whose digest differs from the pin', async () => {
    const asset = await saveDenseModel(root, 'tampered')
    const weights = path.join(root, 'tampered', 'model.weights.bin')
    const bytes = readFileSync(weights)
    bytes[0] = (bytes[0]! + 1) % 256
    writeFileSync(weights, bytes)
    await expect(
      tf.loadLayersModel(fileSystemModel(path.join(root, 'tampered', 'model.json'), pinsOf(asset))),
    ).rejects.toThrow(/model\.weights\.bin: SHA-256 is [0-9a-f]{64}, the manifest pins [0-9a-f]{64}/)
  })

  it('refuses a weights file the pins do not name, and reports a missing file by name', async () => {
    const asset = await saveDenseModel(root, 'unpinned')
    const jsonOnly = new Map([['model.json', asset.sha256]])
    await expect(
      tf.loadLayersModel(fileSystemModel(path.join(root, 'unpinned', 'model.json'), jsonOnly)),
    ).rejects.toThrow(/model\.weights\.bin: not pinned by the manifest/)
    await expect(
      tf.loadLayersModel(fileSystemModel(path.join(root, 'nowhere', 'model.json'))),
    ).rejects.toThrow(/model\.json: file missing/)
  })
})
