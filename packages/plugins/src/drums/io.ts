import { existsSync } from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { loadFunctionalModel, verifyModelFiles } from '../model-io/fs-handler.js'
import { type DrumsConfig, DrumsModel } from './model.js'

/** Loads drums weights, checking their SHA-256 against weights.json when it is there. */
export async function loadDrums(dir: string, verify = true): Promise<DrumsModel> {
  if (verify && existsSync(path.join(dir, 'weights.json'))) verifyModelFiles(dir)
  const saved = await loadFunctionalModel<DrumsConfig>(dir)
  const model = new DrumsModel(saved.config)
  model.params.assign(saved.weights)
  tf.dispose(Object.values(saved.weights))
  return model
}
