import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'

/** File names inside a model folder; one weights file keeps the SHA-256 bookkeeping to two assets. */
export const MODEL_JSON = 'model.json'
export const WEIGHTS_BIN = 'model.weights.bin'

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex')
}

export function sha256File(file: string): string {
  return sha256(readFileSync(file))
}

function joinWeightData(data: tf.io.WeightData): ArrayBuffer {
  return new tf.io.CompositeArrayBuffer(data).slice()
}

/** Writes via a temp file and rename, so that a crash mid-save never leaves a torn checkpoint. */
function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp`
  writeFileSync(tmp, data)
  renameSync(tmp, file)
}

/**
 * A tfjs IOHandler over a plain folder (model.json + one .bin), since tfjs without tfjs-node has no
 * file:// handler. Works for LayersModel.save/load and for our functional models alike.
 */
export function fileSystemHandler(dir: string): Required<Pick<tf.io.IOHandler, 'save' | 'load'>> {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      mkdirSync(dir, { recursive: true })
      const weightData = artifacts.weightData ? joinWeightData(artifacts.weightData) : new ArrayBuffer(0)
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      }
      // Weights first: model.json appearing is what marks the folder complete.
      writeAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(weightData))
      writeAtomic(path.join(dir, MODEL_JSON), `${JSON.stringify(modelJson)}\n`)
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weightData.byteLength,
        },
      }
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = JSON.parse(readFileSync(path.join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON
      const specs: tf.io.WeightsManifestEntry[] = []
      const buffers: ArrayBuffer[] = []
      for (const group of json.weightsManifest) {
        specs.push(...group.weights)
        for (const p of group.paths) {
          const buf = readFileSync(path.join(dir, p))
          buffers.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength))
        }
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        userDefinedMetadata: json.userDefinedMetadata,
        weightSpecs: specs,
        weightData: joinWeightData(buffers),
      }
    },
  }
}

/** Named weights plus a JSON config: the on-disk form of our functional (non-Layers) models. */
export interface SavedModel<C> {
  config: C
  weights: tf.NamedTensorMap
  metadata?: Record<string, unknown>
}

export async function saveFunctionalModel<C>(
  dir: string,
  model: SavedModel<C>,
  format: string,
): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(model.weights)
  await fileSystemHandler(dir).save({
    format,
    generatedBy: `TensorFlow.js tfjs-core v${tf.version_core}`,
    modelTopology: model.config as unknown as object,
    userDefinedMetadata: (model.metadata ?? {}) as tf.io.ModelArtifacts['userDefinedMetadata'],
    weightSpecs: specs,
    weightData: data,
  })
}

export async function loadFunctionalModel<C>(dir: string): Promise<SavedModel<C>> {
  const artifacts = await fileSystemHandler(dir).load()
  if (!artifacts.weightSpecs || !artifacts.weightData) throw new Error(`no weights in ${dir}`)
  const weights = tf.io.decodeWeights(joinWeightData(artifacts.weightData), artifacts.weightSpecs)
  return {
    config: artifacts.modelTopology as unknown as C,
    weights,
    metadata: (artifacts.userDefinedMetadata ?? {}) as Record<string, unknown>,
  }
}

export function modelExists(dir: string): boolean {
  return existsSync(path.join(dir, MODEL_JSON)) && existsSync(path.join(dir, WEIGHTS_BIN))
}

/** SHA-256 of each committed asset, as recorded in weights.json next to them. */
export interface WeightsManifest {
  model: string
  files: Record<string, { sha256: string; bytes: number }>
  parameters: number
  metrics: Record<string, number>
  [key: string]: unknown
}

export function hashModelFiles(dir: string): WeightsManifest['files'] {
  const files: WeightsManifest['files'] = {}
  for (const name of [MODEL_JSON, WEIGHTS_BIN]) {
    const buf = readFileSync(path.join(dir, name))
    files[name] = { sha256: sha256(buf), bytes: buf.byteLength }
  }
  return files
}

/** Throws when an asset's hash differs from weights.json: a truncated or swapped file must not load. */
export function verifyModelFiles(dir: string): WeightsManifest {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'weights.json'), 'utf8')) as WeightsManifest
  for (const [name, info] of Object.entries(manifest.files)) {
    const actual = sha256File(path.join(dir, name))
    if (actual !== info.sha256) throw new Error(`${name}: sha256 ${actual} != recorded ${info.sha256}`)
  }
  return manifest
}
