/*
 * The `.ensemble-plugin` archive: a gzip'd tar of manifest.json, integrity.json, plugin.js and assets/…
 * `packPlugin` writes one reproducibly; `readArchive` is what every host (registry, inference service) uses
 * to open one, and it trusts nothing in it until every digest has been recomputed.
 */
export { ArchiveError, type ArchiveErrorCode } from './errors'
export { type Integrity, IntegritySchema, sha256 } from './integrity'
export {
  MAX_ARCHIVE_BYTES,
  MAX_BUNDLE_BYTES,
} from './limits'
export { type PluginFiles, packPlugin } from './pack'
export { type ArchiveLimits, type PluginArchive, readArchive } from './read'
