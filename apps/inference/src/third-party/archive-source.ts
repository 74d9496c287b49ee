import { createHash } from 'node:crypto'
import { MAX_ARCHIVE_BYTES } from '@ensemble/plugin-sdk/archive'
import { ARCHIVE_SHA256_HEADER } from '../config'
import { HostError } from '../host-errors'

/*
 * Where the host gets a third-party archive it does not hold: the web server, which stores every published
 * version in its database. This service has no database; it asks the web's internal endpoint
 * (`GET <INFERENCE_ARCHIVES_URL>/<id>/<version>`, the bearer secret the two already share), reads at most
 * the SDK's archive limit, and checks the bytes against the SHA-256 the registry recorded at publish before
 * anything else reads them. The host then opens the archive with `readArchive`, which recomputes every
 * digest inside it.
 *
 * Answers: 200 with the archive and `x-archive-sha256`; 404 when the registry has no such version; 410 when
 * it was yanked. Anything else, or no answer, is `not_loaded`: worth a retry later, never the plugin's fault.
 */

export interface ArchiveSource {
  /** The archive of `id@version`, or undefined when the registry has no such version. */
  fetch(id: string, version: string): Promise<Uint8Array | undefined>
}

export interface WebArchiveSourceOptions {
  /** The endpoint's base, e.g. http://127.0.0.1:3000/internal/plugin-archives. */
  url: string
  secret: string
  maxBytes?: number
  timeoutMs?: number
}

export function webArchiveSource({
  url,
  secret,
  maxBytes = MAX_ARCHIVE_BYTES,
  timeoutMs = 10_000,
}: WebArchiveSourceOptions): ArchiveSource {
  const base = url.replace(/\/$/, '')
  return {
    async fetch(id, version) {
      const key = `${id}@${version}`
      const fail = (why: string) =>
        new HostError('not_loaded', `the archive of ${key} could not be fetched from the web server: ${why}`)
      let response: Response
      try {
        response = await fetch(`${base}/${encodeURIComponent(id)}/${encodeURIComponent(version)}`, {
          headers: { authorization: `Bearer ${secret}` },
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (err) {
        throw fail((err as Error).message)
      }
      if (response.status === 404) {
        await response.body?.cancel()
        return undefined
      }
      if (response.status === 410) {
        await response.body?.cancel()
        throw new HostError('yanked', `${key} was yanked by its publisher`)
      }
      if (response.status !== 200 || !response.body) {
        await response.body?.cancel()
        throw fail(`HTTP ${response.status}`)
      }
      const expected = response.headers.get(ARCHIVE_SHA256_HEADER)
      if (!expected) {
        await response.body.cancel()
        throw fail(`no ${ARCHIVE_SHA256_HEADER} header`)
      }
      const bytes = await readLimited(response.body, maxBytes).catch((err: unknown) => {
        throw fail((err as Error).message)
      })
      const actual = createHash('sha256').update(bytes).digest('hex')
      if (actual !== expected) throw fail(`its SHA-256 is ${actual}, the registry recorded ${expected}`)
      return bytes
    },
  }
}

/** The whole body, refusing (and cancelling) one larger than `maxBytes` without buffering the rest. */
async function readLimited(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel()
      throw new Error(`larger than ${maxBytes} bytes`)
    }
    chunks.push(value)
  }
  return new Uint8Array(Buffer.concat(chunks))
}
