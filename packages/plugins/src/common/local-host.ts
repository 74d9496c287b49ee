import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { ModelRunner, PluginAsset } from '@ensemble/core/plugin'
import type * as tf from '@tensorflow/tfjs'
import type { BatchModel, LiveRegistration, PluginRegistration } from '../host.js'
import { functionalModelOf, modelRunner } from './model-runner.js'

/*
 * A minimal in-process host for this package's tests and tools: loads each asset of a registration the way
 * the inference service does (digests checked on the bytes that are parsed), builds its runtime, and runs
 * `ctx.models.run` one example at a time. The service adds micro-batching, deadlines and provenance; the
 * plugins' behaviour over real HTTP is tested in apps/inference.
 */

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

function readPinned(file: string, expected: string): Uint8Array {
  const bytes = readFileSync(file)
  const actual = sha256(bytes)
  if (actual !== expected)
    throw new Error(`${path.basename(file)}: SHA-256 is ${actual}, the manifest pins ${expected}`)
  return bytes
}

function loadAsset(
  asset: PluginAsset,
  root: string,
  registration: PluginRegistration | LiveRegistration,
): BatchModel {
  const modelPath = path.join(root, asset.path)
  const json = JSON.parse(new TextDecoder().decode(readPinned(modelPath, asset.sha256))) as tf.io.ModelJSON
  const buffers: ArrayBuffer[] = []
  for (const group of json.weightsManifest) {
    for (const file of group.paths) {
      const pin = asset.weights.find((w) => w.path === file)
      if (!pin) throw new Error(`${file}: not pinned by the manifest`)
      const bytes = readPinned(path.join(path.dirname(modelPath), file), pin.sha256)
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
    }
  }
  const runtime = registration.runtimes?.[asset.id]
  if (!runtime) throw new Error(`no runtime for asset ${asset.id}`)
  return runtime(functionalModelOf(json, buffers))
}

export interface LocalModels {
  runner: ModelRunner
  /** Why the plugin cannot run, as the service would list it; empty when every asset loaded. */
  problems: string[]
  /** Model executions so far (one per `ctx.models.run` here). */
  calls(): number
}

export function loadLocalModels(registration: PluginRegistration | LiveRegistration): LocalModels {
  const models = new Map<string, BatchModel>()
  const problems: string[] = []
  for (const asset of registration.plugin.manifest.assets) {
    if (!registration.assetRoot) {
      problems.push(`asset ${asset.id}: no asset folder was registered`)
      continue
    }
    try {
      models.set(asset.id, loadAsset(asset, registration.assetRoot, registration))
    } catch (err) {
      problems.push(`asset ${asset.id}: ${(err as Error).message}`)
      if (process.env.FP_DEBUG) console.error((err as Error).stack)
    }
  }
  let calls = 0
  return {
    problems,
    calls: () => calls,
    runner: modelRunner(models, () => {
      calls++
    }),
  }
}
