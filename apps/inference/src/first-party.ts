import type { PluginRegistration } from './plugin-host'

/**
 * The plugins this service ships with. First-party plugins come from `@ensemble/plugins`, each as
 * `{ plugin: definePlugin({ manifest, suggest }), assetRoot }` with committed, SHA-256-pinned tfjs weights;
 * that package exports no list yet, so the service starts with none. A test plugin is never listed here:
 * musicians must not be offered a plugin without trained weights.
 */
export function firstPartyPlugins(): PluginRegistration[] {
  return []
}
