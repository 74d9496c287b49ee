import { createHash } from 'node:crypto'
import { posix } from 'node:path'
import type { PluginManifest } from '@ensemble/core/plugin'
import { z } from 'zod'

/*
 * integrity.json: the digest and size of every file in the archive except itself. The registry stores the
 * bundle digest it recomputes; asset digests are also pinned by the manifest, so a file must agree with both.
 */

export const MANIFEST_ENTRY = 'manifest.json'
export const BUNDLE_ENTRY = 'plugin.js'
export const INTEGRITY_ENTRY = 'integrity.json'
export const ASSETS_DIR = 'assets/'

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex characters')
const bytes = z.int().min(0)

export const IntegritySchema = z.strictObject({
  format: z.literal(1),
  bundle: z.strictObject({ path: z.literal(BUNDLE_ENTRY), sha256: sha256Hex, bytes }),
  manifest: z.strictObject({ sha256: sha256Hex }),
  assets: z.array(z.strictObject({ path: z.string().min(1).max(400), sha256: sha256Hex, bytes })).max(600),
})
export type Integrity = z.infer<typeof IntegritySchema>

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/**
 * Every asset file the manifest names, relative to the plugin's asset folder, with the digest it pins:
 * each model.json, then the weights files it names (relative to the model.json's folder).
 */
export function declaredAssetFiles(manifest: PluginManifest): { path: string; sha256: string }[] {
  const files: { path: string; sha256: string }[] = []
  for (const asset of manifest.assets) {
    files.push({ path: asset.path, sha256: asset.sha256 })
    const folder = posix.dirname(asset.path)
    for (const w of asset.weights)
      files.push({ path: folder === '.' ? w.path : `${folder}/${w.path}`, sha256: w.sha256 })
  }
  return files
}
