import { Upload } from 'tus-js-client'
import { assetPath, uploadsPath } from '../../src/wire/assets'
import type { Caller } from './api'
import { sha256 } from './audio-files'

/** The assets API from a test: raw tus requests (status and body), and tus-js-client for whole uploads. */

export interface Refused {
  status: number
  body: { error?: string; message?: string }
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')

export async function createUpload(
  baseUrl: string,
  cookie: string,
  projectId: string,
  file: { length: number; sha256: string; filename: string },
): Promise<Response> {
  return fetch(`${baseUrl}${uploadsPath(projectId)}`, {
    method: 'POST',
    headers: {
      cookie,
      'tus-resumable': '1.0.0',
      'upload-length': String(file.length),
      'upload-metadata': `sha256 ${b64(file.sha256)},filename ${b64(file.filename)},filetype ${b64('audio/wav')}`,
    },
  })
}

export async function patchUpload(
  baseUrl: string,
  cookie: string,
  location: string,
  offset: number,
  bytes: Uint8Array,
): Promise<Response> {
  return fetch(new URL(location, baseUrl), {
    method: 'PATCH',
    headers: {
      cookie,
      'tus-resumable': '1.0.0',
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
    },
    body: new Uint8Array(bytes),
  })
}

export async function headUpload(baseUrl: string, cookie: string, location: string): Promise<Response> {
  return fetch(new URL(location, baseUrl), { method: 'HEAD', headers: { cookie, 'tus-resumable': '1.0.0' } })
}

/**
 * One upload by raw tus: create, then PATCH the bytes in `patchBytes` pieces. Stops at the first
 * refusal and returns it, or the last response.
 */
export async function rawUpload(
  baseUrl: string,
  caller: Pick<Caller, 'cookie'>,
  projectId: string,
  bytes: Buffer,
  { filename = 'take.wav', announced = sha256(bytes), patchBytes = 1 << 20 } = {},
): Promise<{ status: number; body: Refused['body']; location: string | null }> {
  const created = await createUpload(baseUrl, caller.cookie, projectId, {
    length: bytes.length,
    sha256: announced,
    filename,
  })
  if (created.status !== 201) return { status: created.status, body: await created.json(), location: null }
  const location = created.headers.get('location')!
  let offset = 0
  let last: Response = created
  while (offset < bytes.length) {
    const piece = bytes.subarray(offset, offset + patchBytes)
    last = await patchUpload(baseUrl, caller.cookie, location, offset, piece)
    if (last.status !== 204) {
      const text = await last.text()
      return { status: last.status, body: text ? JSON.parse(text) : {}, location }
    }
    offset = Number(last.headers.get('upload-offset'))
  }
  return { status: last.status, body: {}, location }
}

/** A whole upload with tus-js-client in Node, as the browser client does it. */
export function tusUpload(
  baseUrl: string,
  cookie: string,
  projectId: string,
  bytes: Buffer,
  options: {
    filename?: string
    chunkSize?: number
    uploadUrl?: string
    onChunk?: (accepted: number, upload: Upload) => void
    onStart?: (upload: Upload) => void
  } = {},
): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const upload: Upload = new Upload(bytes, {
      endpoint: `${baseUrl}${uploadsPath(projectId)}`,
      ...(options.uploadUrl === undefined ? {} : { uploadUrl: options.uploadUrl }),
      headers: { cookie },
      chunkSize: options.chunkSize ?? 1 << 20,
      retryDelays: null,
      metadata: { sha256: sha256(bytes), filename: options.filename ?? 'take.wav', filetype: 'audio/wav' },
      onChunkComplete: (_size, accepted) => options.onChunk?.(accepted, upload),
      onSuccess: () => resolve(upload),
      onError: reject,
    })
    options.onStart?.(upload)
    upload.start()
  })
}

export async function download(
  baseUrl: string,
  cookie: string,
  projectId: string,
  hash: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${baseUrl}${assetPath(projectId, hash)}`, { headers: { cookie, ...headers } })
}
