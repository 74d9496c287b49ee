import type { SuggestInput, SuggestOutput } from '@ensemble/core/plugin'

/*
 * A suggest as the host receives it and answers it, whichever runner serves the plugin.
 */

/**
 * Who a suggest is for, as the web server names them (it authorized the call; the browser never reaches
 * this service). Fair shares are counted per user, and for third-party plugins per publisher too.
 */
export interface Caller {
  userId: string
  projectId: string
  /** The registry publisher of a third-party plugin. */
  publisher?: string | undefined
}

export interface SuggestRequest {
  pluginId: string
  /** An exact version or a semver range; the highest available match runs. */
  version: string
  /** Already shape-checked by the router; the runners check it again, as every host does. */
  input: SuggestInput
  caller?: Caller | undefined
}

export interface ModelHash {
  assetId: string
  sha256: string
}

export interface Provenance {
  pluginId: string
  version: string
  /** One digest for the song's note provenance: the model's, or a digest of all of them, or "none". */
  modelHash: string
  models: ModelHash[]
  seed: number
  durationMs: number
  /** A third-party plugin's code: the SHA-256 of the bundle that ran. */
  bundleSha256?: string
}

export interface SuggestResult extends SuggestOutput {
  provenance: Provenance
}
