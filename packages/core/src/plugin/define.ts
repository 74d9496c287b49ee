import type { PluginContext } from './context'
import type { SuggestInput } from './input'
import { type PluginManifest, type PluginManifestInput, parseManifest } from './manifest'
import type { SuggestionFor } from './output'
import type { ParametersOf, ParameterValues } from './parameters'

/** What `suggest` receives: the validated input with every parameter resolved to a value. */
export type PluginInput<P = ParameterValues> = Omit<SuggestInput, 'parameters'> & { parameters: P }

/** Readonly all the way down, so a manifest written inline keeps its literal ids, kinds and options. */
type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T

export type ManifestDeclaration = DeepReadonly<PluginManifestInput>

export interface PluginDefinition<M extends ManifestDeclaration> {
  manifest: M
  suggest(
    input: PluginInput<ParametersOf<M>>,
    ctx: PluginContext,
  ): { suggestions: SuggestionFor<M['kind']>[] } | Promise<{ suggestions: SuggestionFor<M['kind']>[] }>
}

/**
 * A plugin as a host holds it. `suggest` returns `unknown` here on purpose: a host validates the output
 * whatever the plugin's types promised, because the code may be third-party.
 */
export interface Plugin {
  readonly manifest: PluginManifest
  suggest(input: PluginInput, ctx: PluginContext): unknown
}

/**
 * Declares a plugin. The manifest is validated now, so a bad manifest fails when the plugin's module loads,
 * not when a musician first asks it for something.
 */
export function definePlugin<const M extends ManifestDeclaration>(definition: PluginDefinition<M>): Plugin {
  const manifest = Object.freeze(parseManifest(definition.manifest))
  // A live partner has no one-off `suggest`: it is declared with defineLivePlugin and run by startLive.
  if (manifest.kind === 'live')
    throw new Error(`${manifest.id}: a live plugin is declared with defineLivePlugin`)
  const suggest = definition.suggest as (input: PluginInput, ctx: PluginContext) => unknown
  return Object.freeze({ manifest, suggest: (input: PluginInput, ctx: PluginContext) => suggest(input, ctx) })
}
