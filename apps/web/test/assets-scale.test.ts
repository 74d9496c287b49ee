import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AssetNotice } from '../src/client/collab'
import { type Database, openDatabase } from '../src/server/db'
import { peaksPath } from '../src/wire/assets'
import { type Caller, signUp } from './helpers/api'
import { download, rawUpload } from './helpers/assets'
import { sha256, wav } from './helpers/audio-files'
import { type OpenSong, openSongAs } from './helpers/clients'
import { type Cluster, startCluster } from './helpers/cluster'
import { seedProject } from './helpers/projects'
import { recordSkip } from './helpers/services'
import { waitFor } from './helpers/wait'

/**
 * "Asset stored" (message type 102) scaled out: two real server processes on the shared PostgreSQL and
 * Redis. An upload finished through one instance is announced to the song's connections on the other
 * (the room's bus channel, like conversation events), and what a notice announces is already served there.
 */

const redisUrl = process.env.REDIS_URL
const databaseUrl = process.env.DATABASE_URL
const skip = !redisUrl || !databaseUrl
if (skip)
  recordSkip(
    `assets-scale tests skipped: ${!redisUrl ? 'REDIS_URL' : 'DATABASE_URL'} is not set (they need real Redis and PostgreSQL)`,
  )

const httpOf = (port: number) => `http://127.0.0.1:${port}`

describe.skipIf(skip)('asset notices across two instances', () => {
  let cluster: Cluster
  let database: Database
  let singer: Caller
  let bandmate: Caller
  const open: OpenSong[] = []

  beforeAll(async () => {
    cluster = await startCluster({
      instances: 2,
      databaseUrl: databaseUrl ?? '',
      redisUrl: redisUrl ?? '',
      env: { REDIS_CHANNEL_PREFIX: `test-assets-${process.pid}:`, AUTH_RATE_LIMIT_MAX: '1000' },
    })
    database = await openDatabase({ driver: 'postgres', url: databaseUrl ?? '', poolSize: 2 })
    const first = httpOf(cluster.instances[0]?.port ?? 0)
    singer = await signUp(first, 'singer', 'Singer')
    bandmate = await signUp(first, 'bandmate', 'Bandmate')
  }, 120_000)
  afterAll(async () => {
    for (const s of open) s.destroy()
    await cluster?.destroy()
    await database?.close()
  })

  it('a take uploaded through instance 0 is announced to a bandmate on instance 1, peaks first', async () => {
    const projectId = await seedProject(database.db, [
      { userId: singer.userId, role: 'owner' },
      { userId: bandmate.userId, role: 'editor' },
    ])
    const [zero, one] = [httpOf(cluster.instances[0]?.port ?? 0), httpOf(cluster.instances[1]?.port ?? 0)]
    const b = await openSongAs(cluster.instances[1]?.url ?? '', bandmate, projectId)
    open.push(b)
    const heard: (AssetNotice & { served: number })[] = []
    const checks: Promise<void>[] = []
    b.assets.subscribe((notice) => {
      // Asked of the bandmate's own instance the moment the notice lands: it must be served there already.
      const path = notice.part === 'audio' ? null : peaksPath(projectId, notice.sha256)
      checks.push(
        (path === null
          ? download(one, bandmate.cookie, projectId, notice.sha256, { range: 'bytes=0-0' })
          : fetch(`${one}${path}`, { headers: { cookie: bandmate.cookie } })
        ).then(async (res) => {
          await res.body?.cancel()
          heard.push({ ...notice, served: res.status })
        }),
      )
    })

    const take = wav(1.5, { frequency: 659 })
    const hash = sha256(take)
    const put = await fetch(`${zero}${peaksPath(projectId, hash)}`, {
      method: 'PUT',
      headers: { cookie: singer.cookie },
      body: new Uint8Array([5, 6, 7]),
    })
    expect(put.status).toBe(204)
    await waitFor(() => heard.length >= 1, 'the peaks notice crossed to instance 1')
    expect((await rawUpload(zero, singer, projectId, take)).status).toBe(204)
    await waitFor(() => heard.length >= 2, 'the audio notice crossed to instance 1')
    await Promise.all(checks)
    expect(heard).toEqual([
      { part: 'peaks', sha256: hash, served: 200 },
      { part: 'audio', sha256: hash, served: 206 },
    ])
  })
})
