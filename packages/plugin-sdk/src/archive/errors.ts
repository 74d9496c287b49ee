/**
 * Why an archive was refused. Stable strings: the registry returns them to a publisher and the inference
 * service logs them, so a person can tell a damaged upload from a tampered one.
 */
export type ArchiveErrorCode =
  /** Not a gzip'd tar, a truncated one, or an entry that is not what its name says (bad JSON, bad UTF-8). */
  | 'corrupt'
  /** The archive, its unpacked size, the bundle or one entry is over its limit. */
  | 'too_large'
  /** A file's bytes do not match the digest the integrity record or the manifest gives for it. */
  | 'hash_mismatch'
  /** manifest.json does not satisfy the plugin contract. */
  | 'invalid_manifest'
  /** integrity.json is missing fields, or lists files other than those the manifest names. */
  | 'invalid_integrity'
  /** A required entry (manifest.json, plugin.js, integrity.json or a declared asset file) is absent. */
  | 'missing_entry'
  /** An entry nobody declared, or the same entry twice. */
  | 'unexpected_entry'
  /** An absolute path, a `..` segment, a link, a device or any entry that is not a plain file. */
  | 'unsafe_entry'

export class ArchiveError extends Error {
  override readonly name = 'ArchiveError'
  constructor(
    readonly code: ArchiveErrorCode,
    message: string,
  ) {
    super(message)
  }
}
