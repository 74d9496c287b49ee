import type { LivePlugin, ModelRunner } from '@ensemble/core/plugin'
import * as tf from '@tensorflow/tfjs'
import { functionalModelOf, modelRunner } from '../common/model-runner.js'
import { pinnedAsset } from '../common/pinned-asset.js'
import { type RollFormat, rollShape } from '../common/roll-runtime.js'
import { CONTINUE_ROLL, continueRuntime } from '../continue/runtime.js'
import { DRUMS_ROLL, drumsRuntime } from '../drums/runtime.js'
import type { ModelRuntime } from '../host.js'
import { CALL_RESPONSE_ID, callResponsePlugin } from './call-response.js'
import { DRUMMER_ID, drummerPlugin } from './drummer.js'
import type { PartnerModel } from './partner-model.js'

/*
 * The browser entry of the model partners (`@ensemble/plugins/live-models`): what the studio's partner
 * worker needs to build call and response and the drummer from files it fetched, with no Node import
 * reachable (test: in-page.test.ts bundles it for the browser). The digests are checked here, on the bytes
 * that are decoded, exactly as the Node hosts check them on the bytes they read.
 */

export type ModelPartnerKind = 'call-response' | 'drummer'

interface ModelPartnerSpec {
  /** The model's folder name under packages/plugins/src (and under the studio's served copy). */
  model: string
  roll: RollFormat
  runtime: ModelRuntime
  plugin(model: PartnerModel): LivePlugin
  id: string
}

export const MODEL_PARTNERS: Readonly<Record<ModelPartnerKind, ModelPartnerSpec>> = {
  'call-response': {
    model: 'continue',
    roll: CONTINUE_ROLL,
    runtime: continueRuntime,
    plugin: callResponsePlugin,
    id: CALL_RESPONSE_ID,
  },
  drummer: { model: 'drums', roll: DRUMS_ROLL, runtime: drumsRuntime, plugin: drummerPlugin, id: DRUMMER_ID },
}

/** The three published files of a model, as fetched. */
export interface FetchedModel {
  weightsJson: unknown
  modelJson: ArrayBuffer
  weights: ArrayBuffer
}

export interface InPagePartner {
  plugin: LivePlugin
  runner: ModelRunner
  /** The SHA-256 of model.weights.bin: the digest Keep declares for the run. */
  modelHash: string
}

/**
 * The backend the partner runs on in a page: tfjs's cpu kernels. bench/jam/partner.ts measured them as fast
 * as wasm on these small step models (docs/BENCHMARKS.md "AI partner"), and they need no .wasm files served.
 */
export async function selectInPageBackend(): Promise<void> {
  await tf.setBackend('cpu')
  await tf.ready()
}

async function sha256(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}

async function checkPinned(name: string, bytes: ArrayBuffer, expected: string): Promise<void> {
  const actual = await sha256(bytes)
  if (actual !== expected) throw new Error(`${name}: SHA-256 is ${actual}, weights.json pins ${expected}`)
}

/**
 * Builds a model partner from its fetched files: the asset pinned by weights.json, model.json and the weights
 * checked against it, the graph built by the model's runtime. `onModelCall` sees each model step's duration.
 */
export async function loadInPagePartner(
  kind: ModelPartnerKind,
  files: FetchedModel,
  onModelCall?: (ms: number) => void,
): Promise<InPagePartner> {
  const spec = MODEL_PARTNERS[kind]
  const asset = pinnedAsset(spec.model, files.weightsJson)
  await checkPinned('model.json', files.modelJson, asset.sha256)
  const weightsPin = asset.weights[0]
  if (!weightsPin) throw new Error('weights.json pins no weights file')
  await checkPinned(weightsPin.path, files.weights, weightsPin.sha256)
  const json = JSON.parse(new TextDecoder().decode(files.modelJson)) as tf.io.ModelJSON & { format?: string }
  const paths = json.weightsManifest.flatMap((g) => g.paths)
  if (paths.length !== 1 || paths[0] !== weightsPin.path)
    throw new Error(`model.json names ${paths.join(', ')}; only ${weightsPin.path} is pinned`)
  const shape = rollShape(spec.roll, { format: json.format, config: json.modelTopology })
  const batch = spec.runtime(functionalModelOf(json, [files.weights]))
  return {
    plugin: spec.plugin({ shape, asset }),
    runner: modelRunner(new Map([[asset.id, batch]]), onModelCall),
    modelHash: weightsPin.sha256,
  }
}
