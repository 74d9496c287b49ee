import { gzipSync } from 'node:zlib'
import { checkManifest, type PluginManifest } from '@ensemble/core/plugin'
import { ArchiveError } from './errors'
import {
  ASSETS_DIR,
  BUNDLE_ENTRY,
  declaredAssetFiles,
  INTEGRITY_ENTRY,
  type Integrity,
  MANIFEST_ENTRY,
  sha256,
} from './integrity'
import { MAX_ARCHIVE_BYTES, MAX_BUNDLE_BYTES } from './limits'
import { writeTar } from './tar'

export interface PluginFiles {
  manifest: PluginManifest
  /** One self-contained ES-module bundle whose default export is the `definePlugin` result. */
  bundle: string
  /** Asset files keyed by their path relative to the plugin's asset folder, as the manifest names them. */
  assets: Record<string, Uint8Array>
}

const encoder = new TextEncoder()

/**
 * Packs a plugin into a `.ensemble-plugin` archive (gzip'd tar). Refuses what `readArchive` would refuse,
 * so a publisher learns about a bad asset digest here rather than from the registry.
 */
export async function packPlugin(files: PluginFiles): Promise<Uint8Array> {
  const checked = checkManifest(files.manifest)
  if (!checked.ok)
    throw new ArchiveError(
      'invalid_manifest',
      `invalid plugin manifest: ${checked.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    )
  const manifest = checked.manifest
  const bundle = encoder.encode(files.bundle)
  if (bundle.length > MAX_BUNDLE_BYTES)
    throw new ArchiveError(
      'too_large',
      `${BUNDLE_ENTRY} is ${bundle.length} bytes; the limit is ${MAX_BUNDLE_BYTES} bytes`,
    )

  const declared = declaredAssetFiles(manifest)
  const declaredPaths = new Set(declared.map((f) => f.path))
  for (const path of Object.keys(files.assets))
    if (!declaredPaths.has(path))
      throw new ArchiveError('unexpected_entry', `asset file "${path}" is not named in the manifest's assets`)
  const assets: Integrity['assets'] = []
  const assetEntries: { path: string; data: Uint8Array }[] = []
  for (const file of declared) {
    const data = files.assets[file.path]
    if (!data)
      throw new ArchiveError('missing_entry', `the manifest names asset file "${file.path}"; it is missing`)
    const digest = sha256(data)
    if (digest !== file.sha256)
      throw new ArchiveError(
        'hash_mismatch',
        `asset file "${file.path}" has SHA-256 ${digest}; the manifest pins ${file.sha256}`,
      )
    assets.push({ path: file.path, sha256: digest, bytes: data.length })
    assetEntries.push({ path: `${ASSETS_DIR}${file.path}`, data })
  }

  const manifestBytes = encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`)
  const integrity: Integrity = {
    format: 1,
    bundle: { path: BUNDLE_ENTRY, sha256: sha256(bundle), bytes: bundle.length },
    manifest: { sha256: sha256(manifestBytes) },
    assets,
  }
  const tar = writeTar([
    { path: MANIFEST_ENTRY, data: manifestBytes },
    { path: INTEGRITY_ENTRY, data: encoder.encode(`${JSON.stringify(integrity, null, 2)}\n`) },
    { path: BUNDLE_ENTRY, data: bundle },
    ...assetEntries,
  ])
  const archive = new Uint8Array(gzipSync(tar, { level: 9 }))
  if (archive.length > MAX_ARCHIVE_BYTES)
    throw new ArchiveError(
      'too_large',
      `the archive is ${archive.length} bytes; the limit is ${MAX_ARCHIVE_BYTES} bytes`,
    )
  return archive
}
