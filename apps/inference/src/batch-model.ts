import * as tf from '@tensorflow/tfjs'

/*
 * What the host needs of a model to batch it: the per-example shape of each input and a function from
 * batched inputs to batched outputs. tfjs layers and graph models fit as they are; a first-party functional
 * model (named weights + config, its graph written in TypeScript) fits through a runtime its plugin
 * registers, so it gets the same verification, warm-up and micro-batching.
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

/** Builds the batch function of one functional asset; called once when the service loads the plugin. */
export type ModelRuntime = (model: FunctionalModel) => BatchModel

export function fromTfModel(model: tf.LayersModel | tf.GraphModel): BatchModel {
  return {
    inputShapes: model.inputs.map((input) =>
      ((input.shape ?? []) as (number | null)[]).slice(1).map((d) => (d === null || d < 0 ? null : d)),
    ),
    predict(inputs) {
      const y = model.predict(inputs.length === 1 ? inputs[0]! : inputs)
      if (y instanceof tf.Tensor) return [y]
      // A graph model names its outputs; its declared output order is the contract's positional order.
      return Array.isArray(y) ? y : model.outputs.map((o) => (y as tf.NamedTensorMap)[o.name]!)
    },
  }
}

export function functionalFromArtifacts(artifacts: tf.io.ModelArtifacts): FunctionalModel {
  if (!artifacts.weightSpecs || !artifacts.weightData) throw new Error('the model.json lists no weights')
  return {
    format: artifacts.format,
    config: artifacts.modelTopology,
    weights: tf.io.decodeWeights(
      tf.io.CompositeArrayBuffer.join(artifacts.weightData),
      artifacts.weightSpecs,
    ),
    metadata: (artifacts.userDefinedMetadata ?? {}) as Record<string, unknown>,
  }
}
