import type { IncomingMessage } from 'node:http'
import { PLUGIN_HOST_API, versionSatisfies } from '@ensemble/core/plugin'
import { ArchiveError, MAX_ARCHIVE_BYTES, readArchive, sha256 } from '@ensemble/plugin-sdk/archive'
import { and, eq } from 'drizzle-orm'
import { type Db, schema } from '../db'
import { type Route, sendJson } from '../http'
import type { BundleCheck } from './bundle-check'
import { publisherForToken } from './publishers'

/**
 * `POST /api/plugins/publish`: the CLI's upload. The body is the raw `.ensemble-plugin` archive, the
 * caller a publisher token (`Authorization: Bearer …`). Every refusal is JSON `{ error, message }`
 * with a stable `error` code the CLI can act on and a sentence it can print.
 *
 * The archive is opened with the same `readArchive` the inference service uses, so every digest is
 * recomputed here; a version is stored once and never replaced (the primary key refuses a second
 * row), and a plugin id belongs to the publisher who first used it. The bundle must also load in the
 * inference service's sandbox and be the plugin its manifest declares (bundle-check.ts): a version that
 * can never run is refused with the reason, not stored.
 */

export const publishPath = '/api/plugins/publish'

/** First-party plugins live under this prefix; nobody may publish into it. */
export const RESERVED_ID_PREFIX = 'studio.ensemble.'

export interface PublishOptions {
  db: Db
  checkBundle: BundleCheck
  maxBytes?: number
}

export interface Published {
  id: string
  version: string
  publisher: string
  kind: string
  capabilities: readonly string[]
  archiveSha256: string
  bundleSha256: string
  archiveBytes: number
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** Reads the body up to `maxBytes`; a larger one is refused without buffering the rest. */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN)
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes)
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > maxBytes) throw tooLarge(maxBytes)
    chunks.push(chunk)
  }
  return new Uint8Array(Buffer.concat(chunks))
}

const tooLarge = (maxBytes: number) =>
  new Refusal(413, 'too_large', `The archive is larger than ${Math.round(maxBytes / 1024)} KiB.`)

function bearer(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? ''
  return header.startsWith('Bearer ') ? header.slice(7).trim() : null
}

export async function publishArchive(
  db: Db,
  checkBundle: BundleCheck,
  token: string | null,
  readBytes: () => Promise<Uint8Array>,
  maxBytes: number,
): Promise<Published> {
  // Who is asking comes first: a stranger's upload is not even read.
  if (token === null)
    throw new Refusal(
      401,
      'unauthorized',
      'Publishing needs a publisher token: create one on the studio’s Publisher page and send it as "Authorization: Bearer <token>".',
    )
  const publisher = await publisherForToken(db, token)
  if (publisher === null)
    throw new Refusal(
      401,
      'unauthorized',
      'This publisher token is not valid (it may have been revoked). Create a new one on the Publisher page.',
    )
  const bytes = await readBytes()
  if (bytes.length === 0)
    throw new Refusal(400, 'empty', 'The request body is empty: send the archive bytes.')

  let archive: Awaited<ReturnType<typeof readArchive>>
  try {
    archive = await readArchive(bytes, { maxBytes })
  } catch (err) {
    if (err instanceof ArchiveError)
      throw new Refusal(
        err.code === 'too_large' ? 413 : 400,
        err.code,
        `The archive was refused: ${err.message}`,
      )
    throw err
  }
  const { manifest } = archive
  if (manifest.id.startsWith(RESERVED_ID_PREFIX))
    throw new Refusal(
      403,
      'reserved_id',
      `Plugin ids under ${RESERVED_ID_PREFIX} are reserved for Ensemble's own plugins.`,
    )
  // A live partner needs a host that keeps it running through a jam; the sandbox answers one call at a time.
  const { kind } = manifest
  if (kind === 'live')
    throw new Refusal(
      400,
      'unsupported_kind',
      'Live partners can only be Ensemble’s own plugins for now; publish a generator, arranger or harmonizer.',
    )
  if (!versionSatisfies(PLUGIN_HOST_API, manifest.hostApi))
    throw new Refusal(
      400,
      'incompatible_host',
      `The plugin needs host API ${manifest.hostApi}; this studio provides ${PLUGIN_HOST_API}.`,
    )
  const verdict = await checkBundle(bytes)
  if (!verdict.ok) throw new Refusal(verdict.status, verdict.code, verdict.message)
  // Recomputed from the bytes received, whatever the archive says about itself.
  const archiveSha256 = sha256(bytes)

  return db.transaction(async (tx) => {
    // Claim the id (first publisher wins, atomically), then check whose it is.
    await tx
      .insert(schema.plugins)
      .values({ id: manifest.id, publisherId: publisher.id })
      .onConflictDoNothing()
    const [owner] = await tx
      .select({ publisherId: schema.plugins.publisherId })
      .from(schema.plugins)
      .where(eq(schema.plugins.id, manifest.id))
    if (owner?.publisherId !== publisher.id)
      throw new Refusal(
        403,
        'not_your_plugin',
        `The plugin id ${manifest.id} belongs to another publisher. Choose an id under a domain you own.`,
      )
    const [existing] = await tx
      .select({ archiveSha256: schema.pluginVersions.archiveSha256 })
      .from(schema.pluginVersions)
      .where(
        and(
          eq(schema.pluginVersions.pluginId, manifest.id),
          eq(schema.pluginVersions.version, manifest.version),
        ),
      )
    if (existing !== undefined) throw versionTaken(manifest.id, manifest.version)
    const inserted = await tx
      .insert(schema.pluginVersions)
      .values({
        pluginId: manifest.id,
        version: manifest.version,
        manifest,
        name: manifest.name,
        kind,
        capabilities: manifest.capabilities,
        licence: manifest.licence,
        archive: bytes,
        archiveBytes: bytes.length,
        archiveSha256,
        bundleSha256: archive.bundleSha256,
        publishedBy: publisher.userId,
      })
      .onConflictDoNothing()
      .returning({ version: schema.pluginVersions.version })
    // A concurrent upload of the same version won between our check and our insert.
    if (inserted.length === 0) throw versionTaken(manifest.id, manifest.version)
    return {
      id: manifest.id,
      version: manifest.version,
      publisher: publisher.name,
      kind: manifest.kind,
      capabilities: manifest.capabilities,
      archiveSha256,
      bundleSha256: archive.bundleSha256,
      archiveBytes: bytes.length,
    }
  })
}

const versionTaken = (id: string, version: string) =>
  new Refusal(
    409,
    'version_exists',
    `${id} ${version} is already published. Published versions never change: raise the version and publish again.`,
  )

export function publishRoute(options: PublishOptions): Route {
  const maxBytes = options.maxBytes ?? MAX_ARCHIVE_BYTES
  return async (req, res, url) => {
    if (url.pathname !== publishPath) return false
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST')
      sendJson(res, 405, { error: 'method_not_allowed', message: 'Use POST with the archive as the body.' })
      return true
    }
    try {
      const published = await publishArchive(
        options.db,
        options.checkBundle,
        bearer(req),
        () => readBody(req, maxBytes),
        maxBytes,
      )
      sendJson(res, 201, { ok: true, ...published })
    } catch (err) {
      if (!(err instanceof Refusal)) throw err
      // The client may still be sending a body we refused to read; answer, then drop the connection.
      res.setHeader('connection', 'close')
      sendJson(res, err.status, { error: err.code, message: err.message })
    }
    return true
  }
}
