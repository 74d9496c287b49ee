/*
 * The studio's door to the server's asset routes (docs/PROTOCOL.md, "Audio assets"): peaks go up first,
 * so bandmates draw the waveform while the audio is still on its way, then the audio itself by tus
 * (`client/assets/upload.ts`, resumable, "stored" only once the server has verified the hash).
 */
import { peaksPath } from '../../wire/assets'

export { uploadAsset as uploadAudio } from '../../client/assets/upload'

export async function uploadPeaks(
  projectId: string,
  hash: string,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<void> {
  const res = await fetch(peaksPath(projectId, hash), {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: bytes,
  })
  if (!res.ok)
    throw new Error(`The server refused the waveform (${res.status}): ${await res.text().catch(() => '')}`)
}
