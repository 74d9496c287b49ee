/*
 * What `import … from '@ensemble/plugin-sdk'` becomes inside a plugin's bundle (see bundle.ts). The real
 * `definePlugin` validates the manifest with zod, and zod + semver make a bundle of ~490 KB that QuickJS takes
 * hundreds of milliseconds to evaluate, on every call, because every call gets a fresh context. In the sandbox
 * the host has already validated manifest.json and checks the bundle's id, version and kind against it, so
 * here `definePlugin` only packages the definition. The helpers are core's own code, so a bundled plugin
 * computes exactly what a first-party one does.
 */

import type { Plugin, PluginContext, PluginInput, PluginManifest } from '@ensemble/core/plugin'

export { createRandom } from '@ensemble/core/plugin/random'
export {
  CHORD_QUALITIES,
  chordTones,
  diatonicChord,
  inScale,
  PPQ,
  pitchClassOf,
  scalePitchClasses,
  scalePitches,
  snapToScale,
  theory,
  ticksPerBar,
} from '@ensemble/core/plugin/theory'

interface Definition {
  manifest: unknown
  suggest(input: never, ctx: PluginContext): unknown
}

export function definePlugin(definition: Definition): Plugin {
  const suggest = definition.suggest as (input: PluginInput, ctx: PluginContext) => unknown
  return Object.freeze({
    manifest: definition.manifest as PluginManifest,
    suggest: (input: PluginInput, ctx: PluginContext) => suggest(input, ctx),
  })
}
