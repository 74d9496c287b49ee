/*
 * The first-party plugins on the plugin contract (`@ensemble/core/plugin`), as the inference service
 * registers them: `{ plugin, assetRoot, runtimes }` each. Every model step of every plugin is a
 * `ctx.models.run` of a `tfjs-functional` asset whose graph code is the runtime registered here (see
 * the model folders' runtime.ts), so the service verifies, warms and micro-batches them like any other model.
 *
 * A plugin whose weights are not published (no `<model>/weights/weights.json`, or files that do not match it)
 * is still returned: the service lists it as unavailable with the reason and never runs it.
 */

import { arrangerPlugin } from '../arranger/plugin.js'
import { backgroundPlugin } from '../background/plugin.js'
import type { FirstPartyOptions } from '../common/assets.js'
import { continuePlugin } from '../continue/plugin.js'
import { drumsPlugin } from '../drums/plugin.js'
import { harmonizerPlugin } from '../harmonizer/plugin.js'
import type { LiveRegistration, PluginRegistration } from '../host.js'
import { bassPartner } from '../live/bass.js'
import { callResponsePartner, drummerPartner } from '../live/published.js'

export { ARRANGER_ID, arrangerPlugin } from '../arranger/plugin.js'
export * from '../background/plan.js'
export { backgroundPlugin } from '../background/plugin.js'
export {
  copyPublished,
  DEFAULT_MODELS_DIR,
  type FirstPartyOptions,
  isPublished,
  modelFolder,
  publishedAsset,
} from '../common/assets.js'
export { CONTINUE_ID, continuePlugin } from '../continue/plugin.js'
export { DRUMS_ID, drumsPlugin } from '../drums/plugin.js'
export { HARMONIZER_ID, harmonizerPlugin } from '../harmonizer/plugin.js'
export type {
  BatchModel,
  FunctionalModel,
  LiveRegistration,
  ModelRuntime,
  PluginRegistration,
} from '../host.js'
export { BASS_ID, bassPartner, type ImpliedChord, impliedChord } from '../live/bass.js'
export { CALL_RESPONSE_ID } from '../live/call-response.js'
export { DRUMMER_ID, densityFor } from '../live/drummer.js'
export { callResponsePartner, drummerPartner } from '../live/published.js'

export function firstPartyPlugins(options: FirstPartyOptions = {}): PluginRegistration[] {
  return [
    harmonizerPlugin(options),
    continuePlugin(options),
    drumsPlugin(options),
    arrangerPlugin(options),
    backgroundPlugin(options),
  ]
}

/** The first-party live partners (plugin kind `live`), run by the studio's partner panel, not by `suggest`. */
export function livePartners(options: FirstPartyOptions = {}): LiveRegistration[] {
  return [callResponsePartner(options), drummerPartner(options), bassPartner()]
}
