import { AwsClient } from 'aws4fetch'

/**
 * The optional S3-compatible store for finished assets (large deployments; `ASSET_S3_*`, README). Uploads
 * still land in the database chunk by chunk, so tus resumes exactly as without it (a kill -9 loses nothing
 * stored); once an upload is verified its bytes are copied to one object named by the hash, and only then
 * does the asset row point at it and the upload's chunks go. Downloads are ranged GETs on that object.
 * Path-style URLs (`<endpoint>/<bucket>/<key>`), which MinIO, Ceph, R2 and S3 itself all answer.
 */

export interface ObjectStoreConfig {
  /** ASSET_S3_ENDPOINT, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://minio:9000`. */
  endpoint: string
  /** ASSET_S3_BUCKET: must exist; the server never creates it. */
  bucket: string
  /** ASSET_S3_REGION (us-east-1): the signing region. */
  region: string
  /** ASSET_S3_ACCESS_KEY_ID / ASSET_S3_SECRET_ACCESS_KEY. */
  accessKeyId: string
  secretAccessKey: string
  /** ASSET_S3_PREFIX (`assets/`): keys are this plus `<sha256>.<uploadId>`. */
  prefix: string
}

/**
 * What the asset row's `blob_id` holds for an asset kept in the object store (chunk blobs are UUIDs). Each
 * upload writes its own object (`<sha256>.<uploadId>`), so a sweep deleting an unlinked asset's object can
 * never take the object a concurrent upload of the same bytes just wrote for its new row.
 */
const OBJECT_BLOB = 'object:'
export const objectName = (sha256: string, uploadId: string): string => `${sha256}.${uploadId}`
export const objectBlobId = (name: string): string => `${OBJECT_BLOB}${name}`
/** The object's name for an object-store blob id, or null for a blob of database chunks. */
export const objectOf = (blobId: string): string | null =>
  blobId.startsWith(OBJECT_BLOB) ? blobId.slice(OBJECT_BLOB.length) : null

/** Parts of a multipart upload: S3's minimum is 5 MiB (except the last); what one copy holds in memory. */
const PART_BYTES = 8 * 1024 * 1024

export class ObjectStoreError extends Error {
  override name = 'ObjectStoreError'
}

export class ObjectStore {
  readonly #client: AwsClient
  readonly #base: string

  constructor(readonly config: ObjectStoreConfig) {
    this.#client = new AwsClient({
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      service: 's3',
      region: config.region,
      retries: 3,
    })
    this.#base = `${config.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(config.bucket)}/`
  }

  #url(name: string, query = ''): string {
    return `${this.#base}${this.config.prefix}${name}${query}`
  }

  async #send(what: string, url: string, init: RequestInit): Promise<Response> {
    const res = await this.#client.fetch(url, init)
    if (!res.ok) {
      const body = await res.text().catch(() => '')
      throw new ObjectStoreError(`object store: ${what} answered ${res.status} ${body.slice(0, 300)}`)
    }
    return res
  }

  /**
   * Writes an asset's bytes (`length` of them, from `pieces`) as the object `name`; resolves once the store has
   * them all. One PUT up to a part's size, a multipart upload beyond, so memory stays at one part.
   */
  async put(name: string, length: number, pieces: AsyncIterable<Uint8Array>): Promise<void> {
    const parts = gather(pieces, PART_BYTES)
    if (length <= PART_BYTES) {
      const first = await parts.next()
      const body: Uint8Array<ArrayBuffer> = first.done ? new Uint8Array(0) : first.value
      if (body.byteLength !== length)
        throw new ObjectStoreError(`object store: ${body.byteLength} of ${length} bytes read`)
      await this.#send('PUT', this.#url(name), { method: 'PUT', body })
      return
    }
    const created = await this.#send('starting a multipart upload', this.#url(name, '?uploads'), {
      method: 'POST',
    })
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())?.[1]
    if (uploadId === undefined) throw new ObjectStoreError('object store: no UploadId in its answer')
    const upload = `uploadId=${encodeURIComponent(uploadId)}`
    try {
      const etags: string[] = []
      let sent = 0
      for await (const part of parts) {
        const res = await this.#send(
          `part ${etags.length + 1}`,
          this.#url(name, `?partNumber=${etags.length + 1}&${upload}`),
          { method: 'PUT', body: part },
        )
        etags.push(res.headers.get('etag') ?? '')
        sent += part.byteLength
      }
      if (sent !== length) throw new ObjectStoreError(`object store: ${sent} of ${length} bytes read`)
      const manifest = etags
        .map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`)
        .join('')
      const done = await this.#send('completing the multipart upload', this.#url(name, `?${upload}`), {
        method: 'POST',
        body: `<CompleteMultipartUpload>${manifest}</CompleteMultipartUpload>`,
      })
      // S3 may answer 200 with an error in the body when completing.
      const text = await done.text()
      if (text.includes('<Error>')) throw new ObjectStoreError(`object store: ${text.slice(0, 300)}`)
    } catch (err) {
      await this.#client.fetch(this.#url(name, `?${upload}`), { method: 'DELETE' }).catch(() => null)
      throw err
    }
  }

  /** Bytes [from, to) of the object `name`, as they arrive. */
  async *read(name: string, from: number, to: number): AsyncGenerator<Uint8Array> {
    if (to <= from) return
    const res = await this.#send('GET', this.#url(name), { headers: { range: `bytes=${from}-${to - 1}` } })
    if (res.body === null) throw new ObjectStoreError('object store: GET without a body')
    let got = 0
    // Node's web streams are async iterable; the DOM types this project compiles against do not say so.
    for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) {
      got += piece.byteLength
      yield piece
    }
    if (got !== to - from) throw new ObjectStoreError(`object store: ${got} of ${to - from} bytes arrived`)
  }

  /** Removes the object `name` (no error if it is gone already). */
  async delete(name: string): Promise<void> {
    const res = await this.#client.fetch(this.#url(name), { method: 'DELETE' })
    if (!res.ok && res.status !== 404)
      throw new ObjectStoreError(`object store: DELETE answered ${res.status}`)
  }
}

/** Regroups a byte stream into pieces of exactly `size` bytes (the last may be shorter). */
async function* gather(
  pieces: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  let buffer = new Uint8Array(size)
  let filled = 0
  for await (const piece of pieces) {
    let rest = piece
    while (rest.byteLength > 0) {
      const take = Math.min(rest.byteLength, size - filled)
      buffer.set(rest.subarray(0, take), filled)
      filled += take
      rest = rest.subarray(take)
      if (filled === size) {
        yield buffer
        buffer = new Uint8Array(size)
        filled = 0
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled)
}

/** The store from the environment, or null when `ASSET_S3_ENDPOINT` is unset; half a configuration is refused. */
export function objectStoreConfig(
  env: Readonly<Record<string, string | undefined>>,
): ObjectStoreConfig | null {
  const get = (name: string) => (env[name] === undefined || env[name] === '' ? null : (env[name] as string))
  const endpoint = get('ASSET_S3_ENDPOINT')
  if (endpoint === null) return null
  const bucket = get('ASSET_S3_BUCKET')
  const accessKeyId = get('ASSET_S3_ACCESS_KEY_ID')
  const secretAccessKey = get('ASSET_S3_SECRET_ACCESS_KEY')
  if (bucket === null || accessKeyId === null || secretAccessKey === null)
    throw new Error(
      'ASSET_S3_ENDPOINT is set: ASSET_S3_BUCKET, ASSET_S3_ACCESS_KEY_ID and ASSET_S3_SECRET_ACCESS_KEY are needed too',
    )
  if (!/^https?:\/\//.test(endpoint)) throw new Error('ASSET_S3_ENDPOINT must be an http(s) URL')
  return {
    endpoint,
    bucket,
    region: get('ASSET_S3_REGION') ?? 'us-east-1',
    accessKeyId,
    secretAccessKey,
    prefix: get('ASSET_S3_PREFIX') ?? 'assets/',
  }
}
