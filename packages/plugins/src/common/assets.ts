import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ModelTensor } from '@ensemble/core/plugin'

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

/**
 * Pins nothing can match. Used when weights.json is absent (the model was never published): the manifest
 * must still be well-formed, and the host then lists the plugin as unavailable (file missing, or a digest
 * that cannot match), never as a plugin without trained weights that pretends to work.
 */
const UNPUBLISHED = '0'.repeat(64)

interface WeightsJson {
  files?: Record<string, { sha256?: unknown }>
}

/** The manifest asset of `<modelsDir>/<model>/weights/`, its digests read from the published weights.json. */
export function publishedAsset(modelsDir: string, model: string, id = model) {
  let files: WeightsJson['files'] = {}
  const manifestFile = path.join(modelFolder(modelsDir, model), 'weights.json')
  if (existsSync(manifestFile)) {
    try {
      files = (JSON.parse(readFileSync(manifestFile, 'utf8')) as WeightsJson).files ?? {}
    } catch {
      files = {}
    }
  }
  const digest = (name: string): string => {
    const value = files?.[name]?.sha256
    return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? value : UNPUBLISHED
  }
  return {
    id,
    format: 'tfjs-functional' as const,
    path: `${model}/weights/model.json`,
    sha256: digest('model.json'),
    weights: [{ path: 'model.weights.bin', sha256: digest('model.weights.bin') }],
  }
}

/** True when `<model>/weights/weights.json` exists: the ML side published it. */
export function isPublished(modelsDir: string, model: string): boolean {
  return existsSync(path.join(modelFolder(modelsDir, model), 'weights.json'))
}

/** One output of a step model, as plain numbers. */
export function first(outputs: readonly ModelTensor[], index: number): readonly number[] {
  const out = outputs[index]
  if (!out) throw new Error(`the model returned no output ${index}`)
  return out.data
}
