import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { pinnedAsset } from './pinned-asset.js'
import { type RollFormat, type RollShape, rollShape } from './roll-runtime.js'

/*
 * Where first-party weights live and how their manifests pin them. The ML side's publish scripts write
 * `<model>/weights/weights.json` with the SHA-256 of model.json and model.weights.bin; a plugin's manifest
 * takes its digests from that file when the module loads, so a republished model needs no code change and
 * the service verifies exactly what was published.
 */

/**
 * `packages/plugins/src`: each model's committed weights sit in its plugin's folder, `<model>/weights/`, so a
 * models folder is any folder laid out the same way (a test's or a benchmark's copy, see copyPublished).
 */
export const DEFAULT_MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export interface FirstPartyOptions {
  /** Folder holding `<model>/weights/model.json`; the committed models by default (tests point it at a copy). */
  modelsDir?: string | undefined
}

/** The folder of `<model>`'s published files under a models folder. */
export function modelFolder(modelsDir: string, model: string): string {
  return path.join(modelsDir, model, 'weights')
}

/** The files the service reads and the publish step pins: what a copy of a published model needs. */
const PUBLISHED_FILES = ['model.json', 'model.weights.bin', 'weights.json']

/**
 * Copies `<model>`'s published files from `from` into the models folder `to` (those present: an unpublished
 * model copies without weights.json and is then listed as unavailable, as in a checkout).
 */
export function copyPublished(model: string, to: string, from = DEFAULT_MODELS_DIR): void {
  const source = modelFolder(from, model)
  const target = modelFolder(to, model)
  mkdirSync(target, { recursive: true })
  for (const file of PUBLISHED_FILES)
    if (existsSync(path.join(source, file))) copyFileSync(path.join(source, file), path.join(target, file))
}

/** The manifest asset of `<modelsDir>/<model>/weights/`, its digests read from the published weights.json. */
export function publishedAsset(modelsDir: string, model: string, id = model) {
  const manifestFile = path.join(modelFolder(modelsDir, model), 'weights.json')
  let weightsJson: unknown = null
  if (existsSync(manifestFile)) {
    try {
      weightsJson = JSON.parse(readFileSync(manifestFile, 'utf8'))
    } catch {
      weightsJson = null
    }
  }
  return pinnedAsset(model, weightsJson, id)
}

/** True when `<model>/weights/weights.json` exists: the ML side published it. */
export function isPublished(modelsDir: string, model: string): boolean {
  return existsSync(path.join(modelFolder(modelsDir, model), 'weights.json'))
}

/** The published model's shape from its model.json, or the training defaults when it is not there yet. */
export function publishedRollShape(
  modelsDir: string,
  model: string,
  roll: RollFormat,
  defaultConfig: unknown,
): RollShape {
  const file = path.join(modelFolder(modelsDir, model), 'model.json')
  if (existsSync(file)) {
    try {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { format?: string; modelTopology?: unknown }
      return rollShape(roll, { format: json.format, config: json.modelTopology })
    } catch {
      // Unreadable or another format: the host will list the plugin as unavailable; keep the module loadable.
    }
  }
  return roll.shape(defaultConfig)
}
