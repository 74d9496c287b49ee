import { existsSync } from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { loadFunctionalModel, verifyModelFiles } from '../model-io/fs-handler.js'
import { type HarmonizerConfig, HarmonizerModel } from './model.js'

/**
 * Loads harmonizer weights from a model folder. When weights.json is present (committed models), the
 * assets' SHA-256 are checked first so a corrupted download fails loudly instead of playing nonsense.
 */
export async function loadHarmonizer(dir: string, verify = true): Promise<HarmonizerModel> {
  if (verify && existsSync(path.join(dir, 'weights.json'))) verifyModelFiles(dir)
  const saved = await loadFunctionalModel<HarmonizerConfig>(dir)
  const model = new HarmonizerModel(saved.config)
  model.params.assign(saved.weights)
  tf.dispose(Object.values(saved.weights))
  return model
}
