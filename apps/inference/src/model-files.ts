import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'

/*
 * tfjs models on the local file system: the IO handler `tf.loadLayersModel` / `model.save` take, because
 * the browser-oriented @tensorflow/tfjs has none for Node and tfjs-node cannot install here. Loading can pin
 * every file to a SHA-256: the bytes are hashed as read and the same bytes are parsed, so what runs is
 * exactly what was verified, with no window for a file to change between check and load.
 */

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** Expected digests by path relative to the model.json's folder; `model.json` itself under its own name. */
export type FilePins = ReadonlyMap<string, string>

export class ModelFileError extends Error {
  override readonly name = 'ModelFileError'
}

async function readPinned(dir: string, relative: string, pins: FilePins | undefined): Promise<Uint8Array> {
  const expected = pins?.get(relative)
  if (pins && expected === undefined) throw new ModelFileError(`${relative}: not pinned by the manifest`)
  const bytes = await readFile(path.join(dir, relative)).catch((err: NodeJS.ErrnoException) => {
    throw new ModelFileError(`${relative}: ${err.code === 'ENOENT' ? 'file missing' : err.message}`)
  })
  if (expected !== undefined) {
    const actual = sha256Hex(bytes)
    if (actual !== expected)
      throw new ModelFileError(`${relative}: SHA-256 is ${actual}, the manifest pins ${expected}`)
  }
  return bytes
}

const toArrayBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer

/**
 * `modelJsonPath` names the model.json; weights files sit beside it. With `pins`, every file must be pinned
 * and match; a weights file the model.json names but the manifest does not is refused.
 */
export function fileSystemModel(modelJsonPath: string, pins?: FilePins): tf.io.IOHandler {
  const dir = path.dirname(modelJsonPath)
  const jsonName = path.basename(modelJsonPath)
  return {
    async load() {
      const jsonBytes = await readPinned(dir, jsonName, pins)
      let modelJson: tf.io.ModelJSON
      try {
        modelJson = JSON.parse(new TextDecoder().decode(jsonBytes)) as tf.io.ModelJSON
      } catch {
        throw new ModelFileError(`${jsonName}: not valid JSON`)
      }
      return tf.io.getModelArtifactsForJSON(modelJson, async (weightsManifest) => {
        const specs: tf.io.WeightsManifestEntry[] = []
        const buffers: ArrayBuffer[] = []
        for (const group of weightsManifest) {
          specs.push(...group.weights)
          for (const file of group.paths) buffers.push(toArrayBuffer(await readPinned(dir, file, pins)))
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)]
      })
    },

    /** One weights file, `<name>.weights.bin`, so committed models stay two files that review can follow. */
    async save(artifacts) {
      if (artifacts.modelTopology instanceof ArrayBuffer)
        throw new ModelFileError('binary model topologies are not supported; save a layers or graph model')
      const weightsName = `${jsonName.replace(/(\.model)?\.json$/, '')}.weights.bin`
      const weightData = artifacts.weightData ?? new ArrayBuffer(0)
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.signature ? { signature: artifacts.signature } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      }
      await mkdir(dir, { recursive: true })
      await writeFile(
        path.join(dir, weightsName),
        new Uint8Array(tf.io.CompositeArrayBuffer.join(weightData)),
      )
      await writeFile(modelJsonPath, JSON.stringify(modelJson))
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: tf.io.CompositeArrayBuffer.join(weightData).byteLength,
        },
      }
    },
  }
}
