import {
  DEFAULT_MODELS_DIR,
  type FirstPartyOptions,
  publishedAsset,
  publishedRollShape,
} from '../common/assets.js'
import { DEFAULT_CONTINUE_CONFIG } from '../continue/model.js'
import { CONTINUE_ROLL, continueRuntime } from '../continue/runtime.js'
import { drumsRuntime } from '../drums/runtime.js'
import { drumsShape } from '../drums/sampling.js'
import type { LiveRegistration } from '../host.js'
import { callResponsePlugin } from './call-response.js'
import { drummerPlugin } from './drummer.js'

/*
 * The model partners as a Node host registers them (first-party catalogue, tests, bench/jam/partner.ts):
 * shape and digests read from the published weights on disk. The studio builds the same plugins in its
 * worker from fetched files (in-page.ts).
 */

export function callResponsePartner(options: FirstPartyOptions = {}): LiveRegistration {
  const modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR
  const plugin = callResponsePlugin({
    shape: publishedRollShape(modelsDir, 'continue', CONTINUE_ROLL, DEFAULT_CONTINUE_CONFIG),
    asset: publishedAsset(modelsDir, 'continue'),
  })
  return { plugin, assetRoot: modelsDir, runtimes: { continue: continueRuntime } }
}

export function drummerPartner(options: FirstPartyOptions = {}): LiveRegistration {
  const modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR
  const plugin = drummerPlugin({ shape: drumsShape(modelsDir), asset: publishedAsset(modelsDir, 'drums') })
  return { plugin, assetRoot: modelsDir, runtimes: { drums: drumsRuntime } }
}
