import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { PluginAsset } from '@ensemble/core/plugin'
import type { ModelRuntime } from '@ensemble/plugins/host'
import * as tf from '@tensorflow/tfjs'
import { fileSystemModel, sha256Hex } from '../../src/model-files'

/**
 * A tiny real model for the service tests: 12 pitch-class features → 16 → 12 probabilities, with seeded
 * initial weights so every run builds the same network. Saved through our own IO handler, as a first-party
 * plugin's committed weights would be, and declared with the digests of the files written.
 */
export async function saveDenseModel(root: string, folder = 'dense'): Promise<PluginAsset> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [12],
        units: 16,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        biasInitializer: tf.initializers.constant({ value: 0.01 }),
      }),
      tf.layers.dense({
        units: 12,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  })
  const modelPath = path.join(root, folder, 'model.json')
  await model.save(fileSystemModel(modelPath))
  model.dispose()
  const digest = (file: string) => sha256Hex(readFileSync(path.join(root, folder, file)))
  return {
    id: 'dense',
    format: 'tfjs-layers',
    path: `${folder}/model.json`,
    sha256: digest('model.json'),
    weights: [{ path: 'model.weights.bin', sha256: digest('model.weights.bin') }],
  }
}

const AFFINE_FORMAT = 'ensemble-test-affine/1'

/**
 * The same kind of model in the form our first-party models take: named weights and a config, no layers
 * topology. Its graph is the runtime below, as a first-party plugin would register it.
 */
export async function saveFunctionalModel(root: string, folder = 'functional'): Promise<PluginAsset> {
  const weights = {
    'affine.w': tf.tensor2d(
      Array.from({ length: 144 }, (_, i) => Math.cos(i)),
      [12, 12],
    ),
    'affine.b': tf.tensor1d(Array.from({ length: 12 }, (_, i) => i / 12)),
  }
  const { data, specs } = await tf.io.encodeWeights(weights)
  const modelPath = path.join(root, folder, 'model.json')
  await fileSystemModel(modelPath).save!({
    format: AFFINE_FORMAT,
    modelTopology: { units: 12 },
    weightSpecs: specs,
    weightData: data,
  })
  const digest = (file: string) => sha256Hex(readFileSync(path.join(root, folder, file)))
  return {
    id: 'dense',
    format: 'tfjs-functional',
    path: `${folder}/model.json`,
    sha256: digest('model.json'),
    weights: [{ path: 'model.weights.bin', sha256: digest('model.weights.bin') }],
  }
}

export const affineRuntime: ModelRuntime = ({ format, config, weights }) => {
  if (format !== AFFINE_FORMAT) throw new Error(`unknown format ${format}`)
  const units = (config as { units: number }).units
  const w = weights['affine.w']!
  const b = weights['affine.b']!
  return { inputShapes: [[units]], predict: ([x]) => [tf.softmax(x!.matMul(w).add(b))] }
}
