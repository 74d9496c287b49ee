import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { PluginAsset } from '@ensemble/core/plugin'
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
