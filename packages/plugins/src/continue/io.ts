import { existsSync } from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { loadFunctionalModel, verifyModelFiles } from '../model-io/fs-handler.js'
import { type ContinueConfig, ContinueModel } from './model.js'

/** Loads continue weights, checking their SHA-256 against weights.json when it is there. */
export async function loadContinue(dir: string, verify = true): Promise<ContinueModel> {
  if (verify && existsSync(path.join(dir, 'weights.json'))) verifyModelFiles(dir)
  const saved = await loadFunctionalModel<ContinueConfig>(dir)
  const model = new ContinueModel(saved.config)
  model.params.assign(saved.weights)
  tf.dispose(Object.values(saved.weights))
  return model
}
