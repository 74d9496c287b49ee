import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { PluginManifest } from '@ensemble/core/plugin'
import { ARCHIVE_SHA256_HEADER } from '../../src/config'

/*
 * The web server's internal archive endpoint as the inference tests need it: real HTTP, the bearer secret
 * checked, 200 with the archive and its SHA-256, 404 for an unknown version, 410 for a yanked one. What a
 * test "publishes" here the service fetches on its first suggest, exactly as it fetches from the web.
 */

export interface ArchiveShelf {
  /** INFERENCE_ARCHIVES_URL for the service under test. */
  readonly url: string
  /** `recordedSha256` stands for the registry's record; by default the archive's own digest. */
  publish(
    manifest: Pick<PluginManifest, 'id' | 'version'>,
    archive: Uint8Array,
    recordedSha256?: string,
  ): void
  yank(manifest: Pick<PluginManifest, 'id' | 'version'>): void
  /** Archive requests answered so far, by id@version. */
  fetches(key: string): number
  close(): Promise<void>
}

export async function startArchiveShelf(secret: string): Promise<ArchiveShelf> {
  const archives = new Map<string, { archive: Uint8Array; sha256: string }>()
  const yanked = new Set<string>()
  const fetched = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${secret}`) {
      res.writeHead(401).end()
      return
    }
    const [id, version] = (req.url ?? '').split('/').filter(Boolean).map(decodeURIComponent)
    const key = `${id}@${version}`
    fetched.set(key, (fetched.get(key) ?? 0) + 1)
    const stored = archives.get(key)
    if (yanked.has(key)) res.writeHead(410).end()
    else if (!stored) res.writeHead(404).end()
    else
      res
        .writeHead(200, {
          'content-type': 'application/octet-stream',
          [ARCHIVE_SHA256_HEADER]: stored.sha256,
        })
        .end(stored.archive)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    publish: (m, archive, recordedSha256) => {
      const sha256 = recordedSha256 ?? createHash('sha256').update(archive).digest('hex')
      archives.set(`${m.id}@${m.version}`, { archive, sha256 })
    },
    yank: (m) => yanked.add(`${m.id}@${m.version}`),
    fetches: (key) => fetched.get(key) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
