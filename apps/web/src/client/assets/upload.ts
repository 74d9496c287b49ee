import { DetailedError, Upload } from 'tus-js-client'
import { assetPath, assetRefusal, UploadMetadata, uploadsPath } from '../../wire/assets'

/**
 * Sends an audio file to the song's assets over tus (server/assets/upload-route.ts), resumably: the
 * upload's URL is kept in localStorage under the project and the file's hash, so a reload, a crash
 * or a lost connection continues from the last byte the server stored instead of starting over.
 * Resolves once the server has verified and stored the asset (only then is it "saved"); rejects with
 * an `AssetUploadError` carrying the server's reason (not audio, corrupt header, over quota, …).
 */

export interface UploadAssetOptions {
  /** Lowercase hex SHA-256 of `file` (client/assets/hash.ts): the asset's id. */
  sha256: string
  filename: string
  /** Bytes the server has stored so far, of `total`. */
  onProgress?: (sent: number, total: number) => void
  /** Aborting cancels the upload and discards what the server holds of it. */
  signal?: AbortSignal
  /** Defaults to the page's origin. */
  baseUrl?: string
}

export class AssetUploadError extends Error {
  constructor(
    /** The server's code (wire/assets.ts refusals), 'aborted', or 'network'. */
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message)
    this.name = 'AssetUploadError'
  }
}

/** 8 MiB per PATCH: each is one request the server authorizes again, and a retry resends at most that. */
const CHUNK_SIZE = 8 * 1024 * 1024

export async function uploadAsset(projectId: string, file: Blob, options: UploadAssetOptions): Promise<void> {
  const base = options.baseUrl ?? globalThis.location.origin
  // Stored already (a bandmate or an earlier tab uploaded the same bytes to this song): nothing to send.
  const stored = await fetch(new URL(assetPath(projectId, options.sha256), base), {
    method: 'HEAD',
    credentials: 'same-origin',
  }).catch(() => null)
  if (stored?.ok) {
    options.onProgress?.(file.size, file.size)
    return
  }
  return new Promise<void>((resolve, reject) => {
    if (options.signal?.aborted) return reject(new AssetUploadError('aborted', 'The upload was cancelled.'))
    const upload = new Upload(file, {
      endpoint: new URL(uploadsPath(projectId), base).href,
      chunkSize: CHUNK_SIZE,
      retryDelays: [0, 1000, 3000, 5000, 10_000, 20_000],
      metadata: {
        [UploadMetadata.sha256]: options.sha256,
        [UploadMetadata.filename]: options.filename,
        [UploadMetadata.filetype]: file.type,
      },
      // Same bytes to the same song: one upload to resume, whichever tab or session started it.
      fingerprint: async () => `ensemble-asset:${projectId}:${options.sha256}`,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onBeforeRequest: (req) => {
        const xhr = req.getUnderlyingObject() as XMLHttpRequest | undefined
        if (xhr !== undefined && 'withCredentials' in xhr) xhr.withCredentials = true
      },
      onChunkComplete: (_size, accepted, total) => options.onProgress?.(accepted, total),
      onSuccess: () => resolve(),
      onError: (err) => reject(toUploadError(err)),
    })
    options.signal?.addEventListener(
      'abort',
      () => {
        void upload.abort(true).catch(() => {})
        reject(new AssetUploadError('aborted', 'The upload was cancelled.'))
      },
      { once: true },
    )
    void upload
      .findPreviousUploads()
      .then((previous) => {
        if (previous[0] !== undefined) upload.resumeFromPreviousUpload(previous[0])
        upload.start()
      })
      .catch((err: unknown) => reject(toUploadError(err)))
  })
}

function toUploadError(err: unknown): AssetUploadError {
  if (err instanceof DetailedError && err.originalResponse !== null) {
    const status = err.originalResponse.getStatus()
    let body: unknown = null
    try {
      body = JSON.parse(err.originalResponse.getBody())
    } catch {
      // not one of ours (a proxy's page): the status says enough
    }
    const refusal = assetRefusal.safeParse(body)
    if (refusal.success) return new AssetUploadError(refusal.data.error, refusal.data.message, status)
    return new AssetUploadError('http', `The server refused the upload (HTTP ${status}).`, status)
  }
  return new AssetUploadError('network', err instanceof Error ? err.message : String(err))
}
