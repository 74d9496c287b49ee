import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DiscussionEvent } from '../src/discussion/events'
import { type Database, openDatabase } from '../src/server/db'
import { type Caller, createApi, signUp } from './helpers/api'
import { type OpenSong, openSongAs } from './helpers/clients'
import { type Cluster, startCluster } from './helpers/cluster'
import { seedProject } from './helpers/projects'
import { recordSkip } from './helpers/services'
import { waitFor } from './helpers/wait'

/**
 * Comments and chat scaled out: three real server processes on the shared PostgreSQL and Redis. A
 * comment written through one instance reaches studios connected to the others (the same bus as edits),
 * and a comment whose write was acknowledged survives the instance being killed with SIGKILL.
 */

const redisUrl = process.env.REDIS_URL
const databaseUrl = process.env.DATABASE_URL
const skip = !redisUrl || !databaseUrl
if (skip)
  recordSkip(
    `comments-scale tests skipped: ${!redisUrl ? 'REDIS_URL' : 'DATABASE_URL'} is not set (they need real Redis and PostgreSQL)`,
  )

const httpOf = (port: number) => `http://127.0.0.1:${port}`

describe.skipIf(skip)('comments across three instances', () => {
  let cluster: Cluster
  let database: Database
  let alice: Caller
  let bob: Caller
  let lena: Caller
  const open: OpenSong[] = []

  beforeAll(async () => {
    cluster = await startCluster({
      instances: 3,
      databaseUrl: databaseUrl ?? '',
      redisUrl: redisUrl ?? '',
      env: { REDIS_CHANNEL_PREFIX: `test-comments-${process.pid}:`, AUTH_RATE_LIMIT_MAX: '1000' },
    })
    database = await openDatabase({ driver: 'postgres', url: databaseUrl ?? '', poolSize: 2 })
    const first = httpOf(cluster.instances[0]?.port ?? 0)
    alice = await signUp(first, 'alice', 'Alice')
    bob = await signUp(first, 'bob', 'Bob')
    lena = await signUp(first, 'lena', 'Lena')
  }, 120_000)
  afterAll(async () => {
    for (const s of open) s.destroy()
    await cluster?.destroy()
    await database?.close()
  })

  /** `caller`'s session, talking to instance `i` (sessions live in the shared database). */
  const on = (caller: Caller, i: number): Caller => ({
    ...caller,
    api: createApi(httpOf(cluster.instances[i]?.port ?? 0), caller.cookie),
  })

  it('a comment made on one instance reaches studios on the other two; chat too', async () => {
    const projectId = await seedProject(database.db, [
      { userId: alice.userId, role: 'owner' },
      { userId: bob.userId, role: 'editor' },
      { userId: lena.userId, role: 'viewer' },
    ])
    const b = await openSongAs(cluster.instances[1]?.url ?? '', on(bob, 1), projectId)
    const l = await openSongAs(cluster.instances[2]?.url ?? '', on(lena, 2), projectId)
    open.push(b, l)
    const bEvents: DiscussionEvent[] = []
    const lEvents: DiscussionEvent[] = []
    b.discussion.subscribe((e) => bEvents.push(e))
    l.discussion.subscribe((e) => lEvents.push(e))

    // Instance 0 holds no connection to this song: the event still goes out on the song's channel.
    const comment = await on(alice, 0).api.comments.post.mutate({
      projectId,
      body: '@Bob bar 9 is busy',
      anchor: { start: 0, end: 1920 },
    })
    const has = (events: DiscussionEvent[], id: string) =>
      events.some(
        (e) => (e.type === 'comment' ? e.comment.id : e.type === 'chat' ? e.message.id : e.id) === id,
      )
    await waitFor(
      () => has(bEvents, comment.id) && has(lEvents, comment.id),
      'the comment reached instances 1 and 2',
    )
    const bobsView = bEvents.find((e) => e.type === 'comment')
    expect(bobsView?.type === 'comment' && bobsView.comment.mentions).toEqual([bob.userId])

    const line = await on(lena, 2).api.chat.post.mutate({ projectId, body: 'from the back row' })
    await waitFor(() => has(bEvents, line.id), 'the chat line reached instance 1')
  })

  it('kill -9 after a comment was acknowledged loses nothing', async () => {
    const projectId = await seedProject(database.db, [{ userId: alice.userId, role: 'owner' }])
    const victim = on(alice, 1)
    const acknowledged: string[] = []
    const writing = (async () => {
      for (let i = 0; i < 25; i++) {
        try {
          const c = await victim.api.comments.post.mutate({
            projectId,
            body: `take ${i}`,
            anchor: { start: 0, end: 1 },
          })
          acknowledged.push(c.id)
        } catch {
          return // the instance is gone: what was not acknowledged may or may not be stored
        }
      }
    })()
    await waitFor(() => acknowledged.length >= 10, 'ten comments acknowledged', 30_000)
    await cluster.instances[1]?.process.kill9()
    await writing
    const stored = await on(alice, 2).api.comments.list.query({ projectId, limit: 200 })
    const ids = new Set(stored.comments.map((c) => c.id))
    expect(acknowledged.filter((id) => !ids.has(id))).toEqual([])
    expect(acknowledged.length).toBeGreaterThanOrEqual(10)
  })
})
