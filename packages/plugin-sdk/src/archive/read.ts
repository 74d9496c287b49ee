import { gunzipSync } from 'node:zlib'
import { checkManifest, type PluginManifest } from '@ensemble/core/plugin'
import { Parser, type ReadEntry } from 'tar'
import { ArchiveError } from './errors'
import {
  ASSETS_DIR,
  BUNDLE_ENTRY,
  declaredAssetFiles,
  INTEGRITY_ENTRY,
  type Integrity,
  IntegritySchema,
  MANIFEST_ENTRY,
  sha256,
} from './integrity'
import {
  MAX_ARCHIVE_BYTES,
  MAX_BUNDLE_BYTES,
  MAX_ENTRIES,
  MAX_JSON_BYTES,
  MAX_UNPACKED_FACTOR,
} from './limits'

export interface PluginArchive {
  manifest: PluginManifest
  bundle: string
  bundleSha256: string
  /** Asset files keyed by their path relative to the plugin's asset folder, each verified against the manifest. */
  assets: Map<string, Uint8Array>
  integrity: Integrity
  /** Of the archive bytes as given: what the registry stores and a host can pin. */
  archiveSha256: string
}

export interface ArchiveLimits {
  /** Largest archive accepted, in bytes (default 8 MiB); the unpacked size may be at most four times it. */
  maxBytes?: number
}

const GZIP_MAGIC = [0x1f, 0x8b]
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile'])

/** A path a careless extractor could follow out of its folder, or that names nothing. */
function unsafePath(path: string): boolean {
  return (
    path === '' ||
    path.startsWith('/') ||
    path.includes('\\') ||
    /^[a-zA-Z]:/.test(path) ||
    path.split('/').some((s) => s === '' || s === '.' || s === '..')
  )
}

function gunzip(bytes: Uint8Array, maxBytes: number): Buffer {
  if (bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1])
    throw new ArchiveError('corrupt', 'not a plugin archive: the file is not gzip-compressed')
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes * MAX_UNPACKED_FACTOR })
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new ArchiveError(
        'too_large',
        `the archive unpacks to more than ${maxBytes * MAX_UNPACKED_FACTOR} bytes`,
      )
    throw new ArchiveError('corrupt', `not a plugin archive: ${(error as Error).message}`)
  }
}

/** Every entry of a tar stream, refusing anything but plain files at safe paths, each named once. */
async function untar(tar: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  let refusal: ArchiveError | undefined
  const refuse = (error: ArchiveError) => {
    refusal ??= error
  }
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        const path = entry.path
        if (files.size >= MAX_ENTRIES)
          refuse(new ArchiveError('too_large', `more than ${MAX_ENTRIES} entries`))
        else if (!FILE_TYPES.has(entry.type))
          refuse(
            new ArchiveError(
              'unsafe_entry',
              `entry "${path}" is a ${entry.type}${entry.linkpath ? ` to "${entry.linkpath}"` : ''}; only plain files are allowed`,
            ),
          )
        else if (unsafePath(path))
          refuse(
            new ArchiveError(
              'unsafe_entry',
              `entry "${path}" has an absolute path or a "..", "." or empty segment`,
            ),
          )
        else if (files.has(path))
          refuse(new ArchiveError('unexpected_entry', `entry "${path}" appears twice`))
        if (refusal) {
          entry.resume()
          return
        }
        const chunks: Buffer[] = []
        entry.on('data', (chunk: Buffer) => chunks.push(chunk))
        entry.on('end', () => files.set(path, Buffer.concat(chunks)))
      },
    })
    parser.on('error', (error: Error) =>
      reject(
        new ArchiveError('corrupt', `not a plugin archive: the tar stream is damaged (${error.message})`),
      ),
    )
    parser.on('close', () => resolve())
    parser.end(tar)
  })
  if (refusal) throw refusal
  return files
}

function parseJson(name: string, data: Buffer): unknown {
  if (data.length > MAX_JSON_BYTES)
    throw new ArchiveError(
      'too_large',
      `${name} is ${data.length} bytes; the limit is ${MAX_JSON_BYTES} bytes`,
    )
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data))
  } catch {
    throw new ArchiveError('corrupt', `${name} is not valid UTF-8 JSON`)
  }
}

function take(files: Map<string, Buffer>, name: string): Buffer {
  const data = files.get(name)
  if (!data) throw new ArchiveError('missing_entry', `the archive has no ${name}`)
  files.delete(name)
  return data
}

/**
 * Opens a `.ensemble-plugin` archive and recomputes every digest: the bundle and manifest against
 * integrity.json, each asset file against both integrity.json and the manifest. Anything else in the
 * archive, anything missing, or any unsafe entry refuses the whole archive with an `ArchiveError`.
 */
export async function readArchive(bytes: Uint8Array, limits: ArchiveLimits = {}): Promise<PluginArchive> {
  const maxBytes = limits.maxBytes ?? MAX_ARCHIVE_BYTES
  if (bytes.length > maxBytes)
    throw new ArchiveError(
      'too_large',
      `the archive is ${bytes.length} bytes; the limit is ${maxBytes} bytes`,
    )
  const files = await untar(gunzip(bytes, maxBytes))

  const manifestBytes = take(files, MANIFEST_ENTRY)
  const checked = checkManifest(parseJson(MANIFEST_ENTRY, manifestBytes))
  if (!checked.ok)
    throw new ArchiveError(
      'invalid_manifest',
      `invalid plugin manifest: ${checked.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    )
  const manifest = checked.manifest

  const parsedIntegrity = IntegritySchema.safeParse(parseJson(INTEGRITY_ENTRY, take(files, INTEGRITY_ENTRY)))
  if (!parsedIntegrity.success)
    throw new ArchiveError(
      'invalid_integrity',
      `${INTEGRITY_ENTRY}: ${parsedIntegrity.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    )
  const integrity = parsedIntegrity.data

  const manifestDigest = sha256(manifestBytes)
  if (manifestDigest !== integrity.manifest.sha256)
    throw new ArchiveError(
      'hash_mismatch',
      `${MANIFEST_ENTRY} has SHA-256 ${manifestDigest}; ${INTEGRITY_ENTRY} records ${integrity.manifest.sha256}`,
    )

  const bundleBytes = take(files, BUNDLE_ENTRY)
  if (bundleBytes.length > MAX_BUNDLE_BYTES)
    throw new ArchiveError(
      'too_large',
      `${BUNDLE_ENTRY} is ${bundleBytes.length} bytes; the limit is ${MAX_BUNDLE_BYTES} bytes`,
    )
  const bundleSha256 = sha256(bundleBytes)
  if (bundleSha256 !== integrity.bundle.sha256 || bundleBytes.length !== integrity.bundle.bytes)
    throw new ArchiveError(
      'hash_mismatch',
      `${BUNDLE_ENTRY} has SHA-256 ${bundleSha256} (${bundleBytes.length} bytes); ${INTEGRITY_ENTRY} records ${integrity.bundle.sha256} (${integrity.bundle.bytes} bytes)`,
    )
  let bundle: string
  try {
    bundle = new TextDecoder('utf-8', { fatal: true }).decode(bundleBytes)
  } catch {
    throw new ArchiveError('corrupt', `${BUNDLE_ENTRY} is not valid UTF-8`)
  }

  const declared = declaredAssetFiles(manifest)
  const recorded = new Map(integrity.assets.map((a) => [a.path, a]))
  if (recorded.size !== integrity.assets.length || recorded.size !== declared.length)
    throw new ArchiveError(
      'invalid_integrity',
      `${INTEGRITY_ENTRY} lists ${integrity.assets.length} asset files; the manifest names ${declared.length}`,
    )
  const assets = new Map<string, Uint8Array>()
  for (const file of declared) {
    const record = recorded.get(file.path)
    if (!record)
      throw new ArchiveError(
        'invalid_integrity',
        `${INTEGRITY_ENTRY} does not list asset file "${file.path}"`,
      )
    const data = files.get(`${ASSETS_DIR}${file.path}`)
    if (!data) throw new ArchiveError('missing_entry', `the archive has no ${ASSETS_DIR}${file.path}`)
    files.delete(`${ASSETS_DIR}${file.path}`)
    const digest = sha256(data)
    if (digest !== file.sha256 || digest !== record.sha256 || data.length !== record.bytes)
      throw new ArchiveError(
        'hash_mismatch',
        `asset file "${file.path}" has SHA-256 ${digest}; the manifest pins ${file.sha256} and ${INTEGRITY_ENTRY} records ${record.sha256}`,
      )
    assets.set(file.path, new Uint8Array(data))
  }

  const extra = [...files.keys()]
  if (extra.length > 0)
    throw new ArchiveError(
      'unexpected_entry',
      `the archive holds entries nothing declares: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}`,
    )

  return { manifest, bundle, bundleSha256, assets, integrity, archiveSha256: sha256(bytes) }
}
