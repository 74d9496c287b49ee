import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { ARCHIVE_SHA256_HEADER, ARCHIVES_PATH } from '@ensemble/inference/config'
import { and, eq } from 'drizzle-orm'
import { type Db, schema } from '../db'
import { type Route, sendJson } from '../http'

/*
 * `GET /internal/plugin-archives/<id>/<version>`: where the inference service fetches a published
 * third-party archive it does not hold yet (after a restart, on another replica). It has no database;
 * this server stores every version. Only the inference service may ask: the caller must present the
 * bearer secret the two already share (the one this server uses to call it). Answers:
 *
 * - 200, the archive as stored, with `x-archive-sha256`: the digest recorded at publish, which the
 *   service checks before it opens the archive;
 * - 404 when no such version was published; 410 when its publisher yanked it (never hand a yanked
 *   archive out: another instance's view may be stale, the database's is not).
 */

const bearerMatches = (req: IncomingMessage, secret: string): boolean => {
  const header = req.headers.authorization ?? ''
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '')
  const expected = Buffer.from(secret)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** `<id>/<version>`, each URL-encoded; null for anything else (a malformed escape included). */
function parseKey(rest: string): { pluginId: string; version: string } | null {
  const parts = rest.split('/')
  if (parts.length !== 2) return null
  try {
    const [pluginId, version] = parts.map(decodeURIComponent) as [string, string]
    return pluginId && version ? { pluginId, version } : null
  } catch {
    return null
  }
}

export function archiveRoute({ db, secret }: { db: Db; secret: string }): Route {
  const prefix = `${ARCHIVES_PATH}/`
  return async (req, res, url) => {
    if (!url.pathname.startsWith(prefix)) return false
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: 'method_not_allowed' })
      return true
    }
    if (!bearerMatches(req, secret)) {
      sendJson(res, 401, { error: 'unauthorized' })
      return true
    }
    const key = parseKey(url.pathname.slice(prefix.length))
    if (key === null) {
      sendJson(res, 404, { error: 'not_found' })
      return true
    }
    const { pluginId, version } = key
    const [row] = await db
      .select({
        archive: schema.pluginVersions.archive,
        archiveSha256: schema.pluginVersions.archiveSha256,
        yankedAt: schema.pluginVersions.yankedAt,
      })
      .from(schema.pluginVersions)
      .where(and(eq(schema.pluginVersions.pluginId, pluginId), eq(schema.pluginVersions.version, version)))
    if (row === undefined) sendJson(res, 404, { error: 'not_found' })
    else if (row.yankedAt !== null) sendJson(res, 410, { error: 'yanked' })
    else {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': row.archive.byteLength,
        'cache-control': 'no-store',
        [ARCHIVE_SHA256_HEADER]: row.archiveSha256,
      })
      res.end(row.archive)
    }
    return true
  }
}
