/**
 * An asset upload as the studio's client makes it (`apps/web/src/client/assets/upload.ts`): tus with
 * tus-js-client in 8 MiB PATCHes, the SHA-256 in the metadata for the server to check, no retries (a bench
 * wants the failure, not a retry's time).
 */
import { createHash } from 'node:crypto'
import { Upload } from 'tus-js-client'

const MiB = 1024 * 1024

export function tusUpload(
  base: string,
  cookie: string,
  project: string,
  bytes: Uint8Array,
  sha256 = createHash('sha256').update(bytes).digest('hex'),
): Promise<void> {
  return new Promise((resolve, reject) => {
    new Upload(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      endpoint: `${base}/api/projects/${project}/assets/uploads`,
      headers: { cookie },
      chunkSize: 8 * MiB,
      retryDelays: null,
      metadata: { sha256, filename: 'take.wav', filetype: 'audio/wav' },
      onSuccess: () => resolve(),
      onError: reject,
    }).start()
  })
}
