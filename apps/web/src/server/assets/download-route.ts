import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { MAX_PEAKS_BYTES } from '../../wire/assets'
import { type AssetsRouteDeps, authorize, refuse } from './access'
import { getPeaks, peaksBytes, projectAsset, projectUsage, putPeaks, readBlob } from './asset-store'
import { objectOf } from './object-store'

/*
 * `GET`/`HEAD /api/projects/<projectId>/assets/<sha256>`: the stored bytes, to members only, streamed
 * from the chunks a few at a time with backpressure; one byte range per request (206), 416 for a range
 * past the end. An asset never changes, so its ETag is its hash and browsers may keep it for a year.
 * `PUT`/`GET …/<sha256>/peaks`: waveform peaks (editors write, members read), bounded in size and
 * counted against the project's quota.
 */

const immutable = 'private, max-age=31536000, immutable'

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | null

/**
 * One `bytes=` range against a file of `size` bytes, end exclusive. Null (serve the whole file) for
 * no header, a malformed one, or several ranges (allowed by RFC 9110: a server may ignore Range).
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return null
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (match === null) return null
  const [, from, to] = match as unknown as [string, string, string]
  if (from === '' && to === '') return null
  if (from === '') {
    const suffix = Number(to)
    if (suffix === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size }
  }
  const start = Number(from)
  const end = to === '' ? size : Math.min(size, Number(to) + 1)
  if (to !== '' && Number(to) < start) return null
  if (start >= size) return 'unsatisfiable'
  return { start, end }
}

const etagMatches = (header: string | undefined, etag: string): boolean =>
  header?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*') ?? false

export async function serveAsset(
  deps: AssetsRouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  projectId: string,
  sha256: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return refuse(res, 405, 'method_not_allowed', 'Use GET or HEAD here.')
  const caller = await authorize(deps, req, projectId, 'viewer')
  if (!caller.ok) return refuse(res, caller.status, caller.code, caller.message)
  const asset = await projectAsset(deps.db, projectId, sha256)
  if (asset === null)
    return refuse(
      res,
      404,
      'not_found',
      'This song has no such audio stored (yet): it may still be uploading.',
    )
  const object = objectOf(asset.blobId)
  if (object !== null && deps.objects === null)
    return refuse(
      res,
      503,
      'store_unavailable',
      'This audio is kept in the S3-compatible store, which this server is not configured for (ASSET_S3_*).',
    )
  const etag = `"${asset.sha256}"`
  const common = { etag, 'cache-control': immutable, 'accept-ranges': 'bytes', vary: 'Cookie' }
  if (etagMatches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, common)
    res.end()
    return
  }
  const ifRange = req.headers['if-range']
  const range =
    ifRange === undefined || ifRange === etag ? parseRange(req.headers.range, asset.byteLength) : null
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...common, 'content-range': `bytes */${asset.byteLength}` })
    res.end()
    return
  }
  const { start, end } = range ?? { start: 0, end: asset.byteLength }
  res.writeHead(range === null ? 200 : 206, {
    ...common,
    'content-type': asset.mimeType,
    'content-length': end - start,
    ...(range === null ? {} : { 'content-range': `bytes ${start}-${end - 1}/${asset.byteLength}` }),
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  let gone = false
  res.once('close', () => {
    gone = true
  })
  const pieces =
    object === null || deps.objects === null
      ? readBlob(deps.db, asset.blobId, start, end)
      : deps.objects.read(object, start, end)
  for await (const piece of pieces) {
    if (gone) return
    if (!res.write(piece))
      await new Promise<void>((resolve) => {
        // Both listeners go once either fires: one pair per wait would pile up on a long download.
        const done = () => {
          res.off('drain', done)
          res.off('close', done)
          resolve()
        }
        res.once('drain', done)
        res.once('close', done)
      })
  }
  res.end()
}

async function readLimited(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN)
  if (Number.isFinite(declared) && declared > max) return null
  const pieces: Buffer[] = []
  let total = 0
  for await (const piece of req as AsyncIterable<Buffer>) {
    total += piece.length
    if (total > max) return null
    pieces.push(piece)
  }
  return Buffer.concat(pieces, total)
}

export async function servePeaks(
  deps: AssetsRouteDeps & {
    quotaBytes: number
    onStored: (projectId: string, part: 'peaks', sha256: string) => void
  },
  req: IncomingMessage,
  res: ServerResponse,
  projectId: string,
  sha256: string,
): Promise<void> {
  if (req.method === 'PUT') {
    const caller = await authorize(deps, req, projectId, 'editor')
    if (!caller.ok) return refuse(res, caller.status, caller.code, caller.message)
    const data = await readLimited(req, MAX_PEAKS_BYTES)
    if (data === null)
      return refuse(res, 413, 'too_large', `Peaks may be at most ${MAX_PEAKS_BYTES / 1024} KiB.`, {
        connection: 'close',
      })
    if (data.length === 0) return refuse(res, 400, 'empty', 'The body is empty: send the encoded peaks.')
    const used = (await projectUsage(deps.db, projectId)) - (await peaksBytes(deps.db, projectId, sha256))
    if (used + data.length > deps.quotaBytes)
      return refuse(
        res,
        413,
        'quota_exceeded',
        'This song’s audio quota is used up: the peaks were not stored.',
      )
    const digest = createHash('sha256').update(data).digest('hex')
    await putPeaks(deps.db, { projectId, sha256, data, digest, updatedBy: caller.userId })
    res.writeHead(204, { etag: `"${digest}"` })
    res.end()
    deps.onStored(projectId, 'peaks', sha256)
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return refuse(res, 405, 'method_not_allowed', 'Use GET or PUT here.')
  const caller = await authorize(deps, req, projectId, 'viewer')
  if (!caller.ok) return refuse(res, caller.status, caller.code, caller.message)
  const peaks = await getPeaks(deps.db, projectId, sha256)
  if (peaks === null) return refuse(res, 404, 'not_found', 'No peaks for this audio yet.')
  const etag = `"${peaks.digest}"`
  // An editor may replace them (a recomputation): revalidate each time, cheaply by ETag.
  const headers = { etag, 'cache-control': 'private, no-cache', vary: 'Cookie' }
  if (etagMatches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  res.writeHead(200, {
    ...headers,
    'content-type': 'application/octet-stream',
    'content-length': peaks.data.length,
  })
  res.end(req.method === 'HEAD' ? undefined : peaks.data)
}
