/*
 * The one door to the server's asset routes from the studio (the contract of issue 21): peaks go up
 * first, so bandmates draw the waveform while the audio is still on its way, then the audio itself by tus.
 * `uploadAsset` (client/assets/upload.ts) arrives with the "assets" branch; until it is merged the
 * upload reports that it cannot run yet, and everything before it (song, peaks, waveform) works.
 */
import { peaksUrl } from './peaks-cache'

export interface UploadOptions {
  readonly sha256: string
  readonly filename: string
  readonly onProgress?: (sent: number, total: number) => void
  readonly signal?: AbortSignal
}

export async function uploadPeaks(
  projectId: string,
  hash: string,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<void> {
  const res = await fetch(peaksUrl(projectId, hash), {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: bytes,
  })
  if (!res.ok)
    throw new Error(`The server refused the waveform (${res.status}): ${await res.text().catch(() => '')}`)
}

export async function uploadAudio(_projectId: string, _file: Blob, _options: UploadOptions): Promise<void> {
  throw new Error('Audio uploads are not available in this build yet')
}
