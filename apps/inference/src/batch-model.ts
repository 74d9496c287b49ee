import type { BatchModel, FunctionalModel } from '@ensemble/plugins/host'
import * as tf from '@tensorflow/tfjs'

/*
 * Models as the host batches them (`BatchModel`, declared with the other host-side types in
 * @ensemble/plugins/host): tfjs layers and graph models fit as they are; a first-party functional model
 * (named weights + config, its graph written in TypeScript) fits through a runtime its plugin registers, so
 * it gets the same verification, warm-up and micro-batching.
 */

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
