import { createHash, type Hash, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import { z } from 'zod'
import { assetHash, UploadMetadata, uploadsPath } from '../../wire/assets'
import type { StoredPart } from '../../wire/collab'
import type { AssetLimits } from '../config'
import type { AssetUploadRow } from '../db/schema'
import { type AssetsRouteDeps, authorize, refuse } from './access'
import {
  appendChunk,
  CHUNK_BYTES,
  completeUpload,
  createUpload,
  discardUpload,
  findUpload,
  OffsetConflict,
  projectAsset,
  projectUsage,
  readBlob,
  readBytes,
  storedAsset,
} from './asset-store'
import { checkAudio, detectFormat, mimeTypes, SNIFF_BYTES } from './audio-format'
import { objectBlobId, objectName } from './object-store'

/*
 * The tus 1.0 core protocol, with the creation, termination and expiration extensions, at
 * `/api/projects/<projectId>/assets/uploads[/<uploadId>]` (docs/PROTOCOL.md, "Audio assets").
 * Implemented here rather than with @tus/server: its DataStore hands the body over as one stream per
 * PATCH with the offset bookkeeping on the store's side of its own lock, while the rules that matter
 * here are per chunk and per request against the database: authorize from the session on every
 * request, move the offset in the transaction that stores each 256 KiB chunk (the one lock, good for
 * several instances), sniff the first chunk and refuse non-audio before the rest arrives, and answer
 * every refusal with a JSON reason. The protocol part is small (five methods, four headers).
 *
 * On the last byte the upload is verified (SHA-256 recomputed, format and header checked, quota) and
 * either becomes an asset in one transaction or is discarded with nothing stored.
 */

const TUS_VERSION = '1.0.0'
const tusHeaders = { 'tus-resumable': TUS_VERSION }
/** Re-read the caller's role every this many chunks of one PATCH (4 MiB): a long PATCH is refused too. */
const ROLE_CHECK_EVERY = 16

const metadataSchema = z.object({
  [UploadMetadata.sha256]: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(assetHash),
  [UploadMetadata.filename]: z.string().min(1).max(1024),
  [UploadMetadata.filetype]: z.string().max(255).optional(),
})

/** `key base64,key base64` (tus Upload-Metadata); null when malformed. */
export function parseMetadata(header: string | undefined): Record<string, string> | null {
  const pairs: Record<string, string> = {}
  if (header === undefined || header.trim() === '') return pairs
  for (const pair of header.split(',')) {
    const [key, value, extra] = pair.trim().split(' ')
    if (key === undefined || key === '' || extra !== undefined || key in pairs) return null
    if (value !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return null
    pairs[key] = value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8')
  }
  return pairs
}

const encodeMetadata = (pairs: Record<string, string>): string =>
  Object.entries(pairs)
    .map(([k, v]) => `${k} ${Buffer.from(v, 'utf8').toString('base64')}`)
    .join(',')

/** The file's own name: any folders (either slash) and control characters are dropped. */
export function baseFileName(name: string): string {
  const base = path.posix.basename(name.replaceAll('\\', '/'))
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim()
  return clean === '' || clean === '.' || clean === '..' ? 'audio' : clean.slice(0, 255)
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`

/**
 * SHA-256 state per upload, fed as chunks are stored, so the last chunk does not re-read the file.
 * Lost on restart (or when another instance took the upload over): then the hash is recomputed
 * from the stored chunks. Bounded: the oldest state is dropped first.
 */
class RunningHashes {
  private readonly states = new Map<string, { offset: number; hash: Hash }>()
  constructor(private readonly max = 256) {}

  /** The state at `offset`, starting one at 0; null when it would not cover the bytes before. */
  at(uploadId: string, offset: number): Hash | null {
    const state = this.states.get(uploadId)
    if (state?.offset === offset) return state.hash
    if (offset !== 0) return null
    const hash = createHash('sha256')
    this.states.delete(uploadId)
    this.states.set(uploadId, { offset: 0, hash })
    if (this.states.size > this.max) this.states.delete(this.states.keys().next().value as string)
    return hash
  }

  advanced(uploadId: string, hash: Hash, offset: number): void {
    this.states.set(uploadId, { offset, hash })
  }

  take(uploadId: string, offset: number): Hash | null {
    const state = this.states.get(uploadId)
    this.states.delete(uploadId)
    return state?.offset === offset ? state.hash : null
  }

  forget(uploadId: string): void {
    this.states.delete(uploadId)
  }
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

export interface UploadRouteOptions extends AssetsRouteDeps {
  limits: AssetLimits
  /**
   * An asset's audio or peaks were just committed for a song: the collab server tells the song's open
   * connections (message type 102, every instance), so bandmates fetch at once instead of polling.
   */
  onStored: (projectId: string, part: StoredPart, sha256: string) => void
}

/** Handles tus requests for one project; `uploadId` is null for the creation endpoint. */
export function uploadHandler({ db, auth, objects, limits, onStored }: UploadRouteOptions) {
  const hashes = new RunningHashes()
  /** Verifications running on this instance: a HEAD and a PATCH racing to finish share one. */
  const finishing = new Map<string, Promise<void>>()

  const options = (res: ServerResponse) => {
    res.writeHead(204, {
      ...tusHeaders,
      'tus-version': TUS_VERSION,
      'tus-extension': 'creation,termination,expiration',
      'tus-max-size': String(limits.maxAssetBytes),
    })
    res.end()
  }

  const expires = (upload: AssetUploadRow): string =>
    new Date(upload.updatedAt.getTime() + limits.uploadExpiryMs).toUTCString()

  async function create(req: IncomingMessage, res: ServerResponse, projectId: string, userId: string) {
    if (req.headers['upload-defer-length'] !== undefined)
      throw new Refusal(400, 'length_required', 'Send Upload-Length: deferred lengths are not supported.')
    const lengthHeader = String(req.headers['upload-length'] ?? '')
    if (!/^\d{1,15}$/.test(lengthHeader))
      throw new Refusal(400, 'length_required', 'Upload-Length must be the file’s size in bytes.')
    const length = Number(lengthHeader)
    if (length === 0) throw new Refusal(415, 'unsupported_format', 'The file is empty.')
    if (length > limits.maxAssetBytes)
      throw new Refusal(
        413,
        'too_large',
        `The file is ${mib(length)}; audio files may be at most ${mib(limits.maxAssetBytes)}.`,
      )
    const pairs = parseMetadata(req.headers['upload-metadata'] as string | undefined)
    const parsed = pairs === null ? null : metadataSchema.safeParse(pairs)
    if (pairs === null || parsed === null || !parsed.success)
      throw new Refusal(
        400,
        'bad_metadata',
        'Upload-Metadata must carry sha256 (the file’s lowercase hex SHA-256) and filename.',
      )
    // Bytes this song already holds cost nothing more (verified on the last byte like any upload).
    if ((await projectAsset(db, projectId, parsed.data.sha256)) === null) {
      const used = await projectUsage(db, projectId)
      if (used + length > limits.projectQuotaBytes) throw quotaRefusal(used, length)
    }
    const fileName = baseFileName(parsed.data.filename)
    const upload = await createUpload(db, {
      id: randomUUID(),
      projectId,
      uploaderId: userId,
      sha256: parsed.data.sha256,
      fileName,
      length,
      metadata: { ...pairs, [UploadMetadata.filename]: fileName },
    })
    res.writeHead(201, {
      ...tusHeaders,
      location: `${uploadsPath(projectId)}/${upload.id}`,
      'upload-expires': expires(upload),
      'cache-control': 'no-store',
    })
    res.end()
  }

  const quotaRefusal = (used: number, length: number) =>
    new Refusal(
      413,
      'quota_exceeded',
      `This song's audio would take ${mib(used + length)}; its quota is ${mib(limits.projectQuotaBytes)} (${mib(used)} used). Delete unused takes or ask the owner.`,
    )

  /** Verifies a fully received upload and stores it as an asset, or discards it and throws why. */
  async function verify(upload: AssetUploadRow, hash: Hash | null): Promise<void> {
    let digest: string
    if (hash !== null) digest = hash.digest('hex')
    else {
      const fresh = createHash('sha256')
      for await (const piece of readBlob(db, upload.id, 0, upload.length)) fresh.update(piece)
      digest = fresh.digest('hex')
    }
    if (digest !== upload.sha256) {
      await discardUpload(db, upload.id)
      throw new Refusal(
        422,
        'hash_mismatch',
        `The file received has SHA-256 ${digest}, not the ${upload.sha256} it was announced with: nothing was stored. Upload it again.`,
      )
    }
    const verdict = await checkAudio(
      (offset, length) => readBytes(db, upload.id, offset, length),
      upload.length,
    )
    if (!verdict.ok) {
      await discardUpload(db, upload.id)
      throw new Refusal(verdict.code === 'unsupported_format' ? 415 : 422, verdict.code, verdict.reason)
    }
    // With an object store the verified bytes are copied there first: the asset row only ever names a
    // whole object. Bytes this store already holds (deduplicated) are not copied again.
    let object: string | null = null
    if (objects !== null && (await storedAsset(db, digest)) === null) {
      object = objectName(digest, upload.id)
      await objects.put(object, upload.length, readBlob(db, upload.id, 0, upload.length))
    }
    const done = await completeUpload(
      db,
      upload,
      { sha256: digest, format: verdict.format, mimeType: mimeTypes[verdict.format] },
      limits.projectQuotaBytes,
      object === null ? upload.id : objectBlobId(object),
    )
    // This upload's own object, if no row names it (the bytes were stored meanwhile, or over the quota).
    if (object !== null && (!done.ok || done.deduplicated)) await objects?.delete(object).catch(() => {})
    if (!done.ok) {
      await discardUpload(db, upload.id)
      throw quotaRefusal(done.used, upload.length)
    }
    onStored(upload.projectId, 'audio', digest)
  }

  function finish(upload: AssetUploadRow): Promise<void> {
    let running = finishing.get(upload.id)
    if (running === undefined) {
      running = verify(upload, hashes.take(upload.id, upload.length)).finally(() =>
        finishing.delete(upload.id),
      )
      finishing.set(upload.id, running)
    }
    return running
  }

  /** The caller's upload in this project, finished first if all its bytes are stored (a crash before). */
  async function ownUpload(projectId: string, uploadId: string, userId: string): Promise<AssetUploadRow> {
    const upload = z.uuid().safeParse(uploadId).success ? await findUpload(db, uploadId) : null
    if (upload === null || upload.projectId !== projectId || upload.uploaderId !== userId)
      throw new Refusal(404, 'not_found', 'No such upload: it expired, was refused or was never created.')
    if (upload.completedAt === null && upload.offset === upload.length) {
      await finish(upload)
      return { ...upload, completedAt: new Date() }
    }
    return upload
  }

  async function patch(
    req: IncomingMessage,
    res: ServerResponse,
    projectId: string,
    upload: AssetUploadRow,
  ): Promise<void> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim()
    if (type !== 'application/offset+octet-stream')
      throw new Refusal(415, 'bad_content_type', 'PATCH bodies must be application/offset+octet-stream.')
    const claimed = Number(req.headers['upload-offset'] ?? Number.NaN)
    if (!Number.isInteger(claimed) || claimed !== upload.offset) throw new OffsetConflict(upload.offset)
    if (upload.completedAt !== null) {
      res.writeHead(204, { ...tusHeaders, 'upload-offset': String(upload.offset) })
      res.end()
      return
    }
    let offset = upload.offset
    const hash = hashes.at(upload.id, offset)
    let pending: Buffer[] = []
    let pendingBytes = 0
    let chunks = 0
    const store = async () => {
      if (pendingBytes === 0) return
      const data = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes)
      pending = []
      pendingBytes = 0
      if (
        offset === 0 &&
        data.length >= Math.min(SNIFF_BYTES, upload.length) &&
        detectFormat(data) === null
      ) {
        await discardUpload(db, upload.id)
        hashes.forget(upload.id)
        throw new Refusal(
          415,
          'unsupported_format',
          'This is not an audio file Ensemble can use: its first bytes are not those of a WAV, AIFF, FLAC, MP3, OGG (Vorbis or Opus) or M4A file.',
        )
      }
      if (++chunks % ROLE_CHECK_EVERY === 0) {
        const caller = await authorize({ db, auth }, req, projectId, 'editor')
        if (!caller.ok) throw new Refusal(caller.status, caller.code, caller.message)
      }
      offset = await appendChunk(db, upload.id, offset, data)
      if (hash !== null) {
        hash.update(data)
        hashes.advanced(upload.id, hash, offset)
      }
    }
    let failure: unknown = null
    try {
      // Leaving the loop early (a refusal) must not destroy the request: the answer still has to go
      // out on its socket, and the rest of the body is drained below.
      for await (const piece of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        if (offset + pendingBytes + piece.length > upload.length)
          throw new Refusal(413, 'too_long', `The upload is ${upload.length} bytes; this PATCH sends more.`)
        let rest = piece
        while (rest.length > 0) {
          const take = Math.min(rest.length, CHUNK_BYTES - pendingBytes)
          pending.push(rest.subarray(0, take))
          pendingBytes += take
          rest = rest.subarray(take)
          if (pendingBytes === CHUNK_BYTES) await store()
        }
      }
    } catch (err) {
      failure = err
    }
    // What arrived before the client went away (or the server refused more) is kept: the client
    // resumes after it. A refusal of the bytes themselves stores nothing more.
    if (!(failure instanceof Refusal) && pendingBytes > 0) await store().catch((err) => (failure ??= err))
    if (failure instanceof OffsetConflict) hashes.forget(upload.id)
    if (failure !== null) {
      if (failure instanceof Refusal || failure instanceof OffsetConflict) {
        // Drained and dropped, so the client (still sending) reads the refusal, not a reset.
        req.resume()
        throw failure
      }
      // The request broke off (the client aborted): nobody is listening for an answer.
      res.destroy()
      return
    }
    if (offset === upload.length) await finish({ ...upload, offset })
    res.writeHead(204, { ...tusHeaders, 'upload-offset': String(offset) })
    res.end()
  }

  return async (
    req: IncomingMessage,
    res: ServerResponse,
    projectId: string,
    uploadId: string | null,
  ): Promise<void> => {
    try {
      if (req.method === 'OPTIONS') return options(res)
      if (req.headers['tus-resumable'] !== TUS_VERSION)
        throw new Refusal(412, 'tus_version', `This server speaks tus ${TUS_VERSION} (send Tus-Resumable).`)
      const allowed = uploadId === null ? ['POST'] : ['HEAD', 'PATCH', 'DELETE']
      if (!allowed.includes(req.method ?? ''))
        throw new Refusal(405, 'method_not_allowed', `Use ${allowed.join(', ')} here.`)
      const caller = await authorize({ db, auth }, req, projectId, 'editor')
      if (!caller.ok) throw new Refusal(caller.status, caller.code, caller.message)
      if (uploadId === null) return await create(req, res, projectId, caller.userId)
      if (req.method === 'DELETE') {
        const upload = await findUpload(db, uploadId)
        if (upload === null || upload.projectId !== projectId || upload.uploaderId !== caller.userId)
          throw new Refusal(404, 'not_found', 'No such upload.')
        if (upload.completedAt === null) await discardUpload(db, uploadId)
        hashes.forget(uploadId)
        res.writeHead(204, tusHeaders)
        res.end()
        return
      }
      const upload = await ownUpload(projectId, uploadId, caller.userId)
      if (req.method === 'HEAD') {
        res.writeHead(200, {
          ...tusHeaders,
          'upload-offset': String(upload.offset),
          'upload-length': String(upload.length),
          'upload-metadata': encodeMetadata(upload.metadata),
          'upload-expires': expires(upload),
          'cache-control': 'no-store',
        })
        res.end()
        return
      }
      await patch(req, res, projectId, upload)
    } catch (err) {
      if (err instanceof OffsetConflict) {
        const headers: Record<string, string> = { ...tusHeaders }
        if (err.stored !== null) headers['upload-offset'] = String(err.stored)
        return refuse(
          res,
          409,
          'offset_mismatch',
          'The upload is at another offset; resume from Upload-Offset.',
          headers,
        )
      }
      if (!(err instanceof Refusal)) throw err
      const headers: Record<string, string> = { ...tusHeaders }
      if (err.status === 412) headers['tus-version'] = TUS_VERSION
      // A body still arriving after a refusal is read and dropped by Node (the client reads the answer
      // as it sends), so the refusal reaches the client rather than a reset connection.
      refuse(res, err.status, err.code, err.message, headers)
    }
  }
}
