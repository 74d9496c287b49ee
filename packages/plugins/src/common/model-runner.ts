import type { ModelRunner, ModelTensor } from '@ensemble/core/plugin'
import * as tf from '@tensorflow/tfjs'
import type { BatchModel, FunctionalModel } from '../host.js'

/*
 * From a `tfjs-functional` asset's verified bytes to `ctx.models.run`, one example at a time, with no I/O:
 * the Node hosts of this package's tests and tools (local-host.ts) read the bytes from disk, the studio's
 * partner worker fetches them. The inference service adds micro-batching, deadlines and provenance.
 */

/** The model.json (parsed) and its weight files' bytes, in the order of its weights manifest. */
export function functionalModelOf(json: tf.io.ModelJSON, buffers: readonly ArrayBuffer[]): FunctionalModel {
  const specs = json.weightsManifest.flatMap((group) => group.weights)
  return {
    format: (json as { format?: string }).format,
    config: json.modelTopology,
    weights: tf.io.decodeWeights(tf.io.CompositeArrayBuffer.join([...buffers]), specs),
    metadata: (json.userDefinedMetadata ?? {}) as Record<string, unknown>,
  }
}

/** Runs loaded models by asset id; `onCall` sees every execution (a count, or its duration). */
export function modelRunner(
  models: ReadonlyMap<string, BatchModel>,
  onCall: (ms: number) => void = () => undefined,
): ModelRunner {
  return {
    async run(assetId, inputs): Promise<ModelTensor[]> {
      const model = models.get(assetId)
      if (!model) throw new Error(`model ${assetId} is not loaded`)
      const started = performance.now()
      const outputs = tf.tidy(() =>
        model.predict(inputs.map((x) => tf.tensor(Float32Array.from(x.data), [1, ...x.shape], 'float32'))),
      )
      const result = outputs.map((t) => ({ shape: t.shape.slice(1), data: Array.from(t.dataSync()) }))
      tf.dispose(outputs)
      onCall(performance.now() - started)
      return result
    },
  }
}
