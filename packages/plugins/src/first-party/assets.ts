import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ModelTensor } from '@ensemble/core/plugin'

/*
 * Where first-party weights live and how their manifests pin them. The ML side's publish scripts write
 * `models/<model>/weights.json` with the SHA-256 of model.json and model.weights.bin; a plugin's manifest
 * takes its digests from that file when the module loads, so a republished model needs no code change and
 * the service verifies exactly what was published.
 */

/** `packages/plugins/models`: the committed weights beside the plugins' code. */
export const DEFAULT_MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../models')

export interface FirstPartyOptions {
  /** Folder holding `<model>/model.json`; the committed models by default (tests point it at a copy). */
  modelsDir?: string | undefined
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

/** The manifest asset of `<modelsDir>/<model>/`, its digests read from the published weights.json. */
export function publishedAsset(modelsDir: string, model: string, id = model) {
  let files: WeightsJson['files'] = {}
  const manifestFile = path.join(modelsDir, model, 'weights.json')
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
    path: `${model}/model.json`,
    sha256: digest('model.json'),
    weights: [{ path: 'model.weights.bin', sha256: digest('model.weights.bin') }],
  }
}

/** True when `<model>/weights.json` exists: the ML side published it. */
export function isPublished(modelsDir: string, model: string): boolean {
  return existsSync(path.join(modelsDir, model, 'weights.json'))
}

/** One output of a step model, as plain numbers. */
export function first(outputs: readonly ModelTensor[], index: number): readonly number[] {
  const out = outputs[index]
  if (!out) throw new Error(`the model returned no output ${index}`)
  return out.data
}
