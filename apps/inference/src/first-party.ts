import { type FirstPartyOptions, firstPartyPlugins as registrations } from '@ensemble/plugins/first-party'
import type { PluginRegistration } from './plugin-host'

/**
 * The plugins this service ships with: the first-party plugins of `@ensemble/plugins` (harmonizer,
 * continue, drums, arranger), each with the folder of its committed weights and the graph code of its
 * `tfjs-functional` assets. Their manifests pin the SHA-256 that the ML side's publish step recorded in
 * `packages/plugins/src/<model>/weights/weights.json`; a model not trained or not published yet (no weights, or files that do not
 * match) leaves its plugin listed with `available: false` and the reason, never served. A test plugin is
 * never listed here. `INFERENCE_MODELS_DIR` points the service at another weights folder (a benchmark's copy).
 */
export function firstPartyPlugins(
  options: FirstPartyOptions = { modelsDir: process.env.INFERENCE_MODELS_DIR || undefined },
): PluginRegistration[] {
  return registrations(options)
}
