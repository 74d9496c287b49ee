import type { LivePlugin, Plugin } from '@ensemble/core/plugin'
import type * as tf from '@tensorflow/tfjs'

/*
 * What a host and a first-party plugin agree on beyond the plugin contract: how a plugin is registered and
 * how its `tfjs-functional` models (named weights, graph code in TypeScript) become something the host can
 * verify, warm and micro-batch. Declared once, here: the inference service (apps/inference) imports these
 * (apps → plugins), and this package's plugins and tools implement them.
 */

export interface BatchModel {
  /** Per-example shape of each input (no batch dimension); null where any size is accepted. */
  inputShapes: (number | null)[][]
  /** Batched inputs (first dimension = batch) to batched outputs, in a fixed order. Runs inside tf.tidy. */
  predict(inputs: tf.Tensor[]): tf.Tensor[]
}

/** A `tfjs-functional` asset as its runtime receives it: already verified against the manifest's digests. */
export interface FunctionalModel {
  /** The model.json's `format`, e.g. `ensemble-harmonizer-tcn/1`: a runtime checks it knows this one. */
  format: string | undefined
  /** The model.json's `modelTopology`, which functional models use for their config. */
  config: unknown
  weights: tf.NamedTensorMap
  metadata: Record<string, unknown>
}

/** Builds the batch function of one functional asset; called once when the host loads the plugin. */
export type ModelRuntime = (model: FunctionalModel) => BatchModel

/** A first-party plugin as a host registers it: its code, its weights' folder, its graph code. */
export interface PluginRegistration {
  plugin: Plugin
  /** The folder its manifest's asset paths are relative to; absent for a plugin without models. */
  assetRoot?: string
  /** The graph code of each `tfjs-functional` asset, by asset id. */
  runtimes?: Readonly<Record<string, ModelRuntime>>
}

/** A first-party live partner as a host registers it: the same folder and graph code as a plugin's. */
export interface LiveRegistration {
  plugin: LivePlugin
  assetRoot?: string
  runtimes?: Readonly<Record<string, ModelRuntime>>
}
