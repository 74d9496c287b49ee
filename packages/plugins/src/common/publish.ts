import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { hashModelFiles, MODEL_JSON, type WeightsManifest } from '../model-io/fs-handler.js'

/** The training metadata saved in model.json (step, valid figure, seconds, data, ...). */
export function readTrainingMetadata(dir: string): Record<string, unknown> {
  const json = JSON.parse(readFileSync(path.join(dir, MODEL_JSON), 'utf8')) as {
    userDefinedMetadata?: Record<string, unknown>
  }
  return json.userDefinedMetadata ?? {}
}

/**
 * Writes weights.json beside the assets: their SHA-256 and sizes, the parameter count, the measured
 * metrics, and the figure on the committed fixture slice that the tests compare against.
 */
export function writeWeightsManifest(
  dir: string,
  fields: {
    model: string
    parameters: number
    metrics: Record<string, number>
    fixture: Record<string, number | string>
    training?: Record<string, unknown>
  },
): WeightsManifest {
  const manifest: WeightsManifest = { ...fields, files: hashModelFiles(dir) }
  writeFileSync(path.join(dir, 'weights.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  return manifest
}
