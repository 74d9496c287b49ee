import { count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { connectSong } from '../src/client/collab'
import { CloseCode } from '../src/server/collab/protocol'
import { type Database, type Db, openDatabase, schema } from '../src/server/db'
import { errorMessage, outcome, signUp } from './helpers/api'
import { isSaved, loadStoredDoc, openSongAs, tokenFor, upgradeStatus } from './helpers/clients'
import { type Cluster, startCluster } from './helpers/cluster'
import { drivers, uniqueProjectId } from './helpers/db'
import { collabUrl, startTwoUserServer, type TwoUserServer } from './helpers/server'
import { recordSkip } from './helpers/services'
import { waitFor } from './helpers/wait'

/**
 * Deleting a song (issue 18): no token opens it afterwards, however fresh; open connections close
 * and the room unloads, on every instance; the owner can restore it within the retention window;
 * after it, the purge removes the project with its log, snapshots and versions.
 */

const day = 24 * 60 * 60 * 1000

/** Rows the project still has in each table the purge must empty. */
async function rowsOf(db: Db, projectId: string): Promise<Record<string, number>> {
  const tables = {
    projects: [schema.projects, schema.projects.id],
    members: [schema.projectMembers, schema.projectMembers.projectId],
    updates: [schema.documentUpdates, schema.documentUpdates.projectId],
    snapshots: [schema.documentSnapshots, schema.documentSnapshots.projectId],
    heads: [schema.documentLogHeads, schema.documentLogHeads.projectId],
    versions: [schema.songVersions, schema.songVersions.projectId],
  } as const
  const counts: Record<string, number> = {}
  for (const [name, [table, column]] of Object.entries(tables)) {
    const [row] = await db.select({ n: count() }).from(table).where(eq(column, projectId))
    counts[name] = row?.n ?? 0
  }
  return counts
}

describe.each(drivers)('deleting a song on %s', (driver) => {
  let band: TwoUserServer

  beforeAll(async () => {
    band = await startTwoUserServer(driver, {
      purgeIntervalMs: 200,
    })
  })
  afterAll(async () => {
    await band?.close()
  })

  const roomUrl = (projectId: string, token: string) =>
    `${collabUrl(band.server)}/${projectId}?token=${encodeURIComponent(token)}`

  /** A song the owner made through the API, with the editor invited in through the API. */
  async function sharedSong(name = 'Doomed song'): Promise<string> {
    const { id } = await band.owner.api.projects.create.mutate({ name })
    const invite = await band.owner.api.invites.create.mutate({ projectId: id, role: 'editor', maxUses: 1 })
    await band.editor.api.invites.accept.mutate({ secret: invite.secret })
    return id
  }

  it('a room token issued before the deletion is refused at the upgrade, and nothing more is stored', async () => {
    const projectId = await sharedSong()
    const song = await openSongAs(collabUrl(band.server), band.editor, projectId)
    song.map.set('verse', 1)
    await waitFor(() => isSaved(song), 'edit before deletion saved')
    song.destroy()
    const { token: editorToken } = await band.editor.api.rooms.token.mutate({ projectId })
    const { token: ownerToken } = await band.owner.api.rooms.token.mutate({ projectId })
    const before = await rowsOf(band.database.db, projectId)

    await band.owner.api.projects.delete.mutate({ projectId })

    expect(await upgradeStatus(roomUrl(projectId, editorToken))).toBe(403)
    expect(await upgradeStatus(roomUrl(projectId, ownerToken))).toBe(403)
    // The studio's way in, with a write waiting: it never gets a connection, so nothing is stored.
    const late = await openLate(projectId, editorToken)
    expect(await rowsOf(band.database.db, projectId)).toEqual(before)
    late.destroy()
    // Nor can anyone get a new token, or see the song.
    expect(await outcome(() => band.editor.api.rooms.token.mutate({ projectId }))).toBe('NOT_FOUND')
    expect(await outcome(() => band.owner.api.projects.get.query({ projectId }))).toBe('NOT_FOUND')
    expect((await band.owner.api.projects.list.query()).map((p) => p.id)).not.toContain(projectId)
  })

  /** A provider with the token, a write queued: it gets no connection (the upgrade is refused). */
  async function openLate(projectId: string, token: string) {
    const doc = new Y.Doc()
    doc.getMap('m').set('after-deletion', 1)
    const conn = connectSong({
      url: collabUrl(band.server),
      projectId,
      token,
      doc,
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    })
    let refused = 0
    conn.provider.on('connection-close', () => {
      refused++
    })
    await waitFor(() => refused >= 2, 'provider refused twice')
    expect(conn.provider.synced).toBe(false)
    return conn
  }

  it('a member removed and then the song deleted: the old token is refused too, and so is an old invite link', async () => {
    const projectId = await sharedSong()
    const { token } = await band.editor.api.rooms.token.mutate({ projectId })
    const invite = await band.owner.api.invites.create.mutate({ projectId, role: 'editor', maxUses: 5 })
    await band.owner.api.members.remove.mutate({ projectId, userId: band.editor.userId })
    await band.owner.api.projects.delete.mutate({ projectId })
    expect(await upgradeStatus(roomUrl(projectId, token))).toBe(403)
    for (const call of [
      () => band.editor.api.invites.peek.query({ secret: invite.secret }),
      () => band.editor.api.invites.accept.mutate({ secret: invite.secret }),
    ])
      expect(await errorMessage(call)).toBe('This invite link is not valid.')
    expect((await rowsOf(band.database.db, projectId)).members).toBe(1)
  })

  it('a token for an id with no project is refused unless token-only rooms are switched on', async () => {
    const token = await tokenFor('never-a-project', { sub: band.owner.userId, role: 'owner' })
    expect(await upgradeStatus(roomUrl('never-a-project', token))).toBe(403)
  })

  it('deleting closes every open connection (4403) and unloads the room', async () => {
    const projectId = await sharedSong()
    const mine = await openSongAs(collabUrl(band.server), band.owner, projectId)
    const theirs = await openSongAs(collabUrl(band.server), band.editor, projectId)
    theirs.map.set('chorus', 1)
    await waitFor(() => isSaved(theirs), 'edit saved')
    expect(await band.server.collab.rooms.peek(projectId)).toBeDefined()

    await band.owner.api.projects.delete.mutate({ projectId })

    await waitFor(
      () => mine.closes.includes(CloseCode.accessRevoked) && theirs.closes.includes(CloseCode.accessRevoked),
      'both connections closed with 4403',
    )
    expect(await band.server.collab.rooms.peek(projectId)).toBeUndefined()
    expect(band.server.collab.openAccess().filter((c) => c.projectId === projectId)).toEqual([])
    mine.destroy()
    theirs.destroy()
  })

  it('the owner restores it within the window: back in the list, and it opens with its song', async () => {
    const projectId = await sharedSong('Second chance')
    const song = await openSongAs(collabUrl(band.server), band.editor, projectId)
    song.map.set('bridge', 'kept')
    await waitFor(() => isSaved(song), 'edit saved')
    song.destroy()
    const { purgeAfter } = await band.owner.api.projects.delete.mutate({ projectId })

    const deleted = await band.owner.api.projects.deleted.query()
    const entry = deleted.find((p) => p.id === projectId)
    expect(entry).toMatchObject({ name: 'Second chance', purgeAfter })
    const left = new Date(purgeAfter).getTime() - Date.now()
    expect(left).toBeGreaterThan(29 * day)
    expect(left).toBeLessThanOrEqual(30 * day)
    // Only the owner sees it, and only the owner may restore it.
    expect((await band.editor.api.projects.deleted.query()).map((p) => p.id)).not.toContain(projectId)
    expect(await outcome(() => band.editor.api.projects.restore.mutate({ projectId }))).toBe('NOT_FOUND')

    expect(await band.owner.api.projects.restore.mutate({ projectId })).toEqual({
      id: projectId,
      name: 'Second chance',
    })
    expect((await band.owner.api.projects.deleted.query()).map((p) => p.id)).not.toContain(projectId)
    expect((await band.editor.api.projects.list.query()).map((p) => p.id)).toContain(projectId)
    const reopened = await openSongAs(collabUrl(band.server), band.editor, projectId)
    expect(reopened.map.get('bridge')).toBe('kept')
    reopened.destroy()
    // Restoring twice finds nothing to restore.
    expect(await outcome(() => band.owner.api.projects.restore.mutate({ projectId }))).toBe('NOT_FOUND')
  })

  it('after the retention window the purge removes the project with its log, snapshots and versions', async () => {
    const projectId = await sharedSong('Gone for good')
    const keep = await sharedSong('Deleted yesterday')
    const song = await openSongAs(collabUrl(band.server), band.owner, projectId)
    song.map.set('intro', 1)
    await waitFor(() => isSaved(song), 'edit saved')
    await band.owner.api.versions.create.mutate({ projectId, name: 'v1' })
    const room = await band.server.collab.rooms.peek(projectId)
    expect(await room?.log.compactNow()).toBe(true)
    song.map.set('outro', 1)
    await waitFor(() => isSaved(song), 'edit after the snapshot saved')
    song.destroy()
    const before = await rowsOf(band.database.db, projectId)
    expect(before).toMatchObject({ projects: 1, members: 2, snapshots: 1, heads: 1, versions: 1 })
    expect(before.updates).toBeGreaterThan(0)

    await band.owner.api.projects.delete.mutate({ projectId })
    await band.owner.api.projects.delete.mutate({ projectId: keep })
    // 31 days ago for one, a day ago for the other: the purge (every 200 ms here) takes only the first.
    const ago = (days: number) => new Date(Date.now() - days * day)
    await band.database.db
      .update(schema.projects)
      .set({ deletedAt: ago(31) })
      .where(eq(schema.projects.id, projectId))
    await band.database.db
      .update(schema.projects)
      .set({ deletedAt: ago(1) })
      .where(eq(schema.projects.id, keep))

    await waitFor(async () => (await rowsOf(band.database.db, projectId)).projects === 0, 'project purged')
    expect(await rowsOf(band.database.db, projectId)).toEqual({
      projects: 0,
      members: 0,
      updates: 0,
      snapshots: 0,
      heads: 0,
      versions: 0,
    })
    expect((await band.owner.api.projects.deleted.query()).map((p) => p.id)).toEqual(
      expect.arrayContaining([keep]),
    )
    expect((await band.owner.api.projects.deleted.query()).map((p) => p.id)).not.toContain(projectId)
    expect(await outcome(() => band.owner.api.projects.restore.mutate({ projectId }))).toBe('NOT_FOUND')
    expect(await outcome(() => band.owner.api.projects.restore.mutate({ projectId: keep }))).toBe('OK')
    // Nothing of the purged song comes back from the log.
    expect((await loadStoredDoc(band.database.db, projectId)).getMap('m').size).toBe(0)
  })
})

const redisUrl = process.env.REDIS_URL
const databaseUrl = process.env.DATABASE_URL
const noCluster = !redisUrl || !databaseUrl
if (noCluster)
  recordSkip(
    `project deletion across instances skipped: ${!redisUrl ? 'REDIS_URL' : 'DATABASE_URL'} is not set (it needs real Redis and PostgreSQL)`,
  )

describe.skipIf(noCluster)('deleting a song with two instances on Redis and PostgreSQL', () => {
  let cluster: Cluster
  let database: Database

  beforeAll(async () => {
    cluster = await startCluster({
      instances: 2,
      databaseUrl: databaseUrl ?? '',
      redisUrl: redisUrl ?? '',
      env: {
        REDIS_CHANNEL_PREFIX: `test-deletion-${process.pid}:`,
        COLLAB_TOKEN_ONLY_ROOMS: '0',
        // An hour: only the bus can close the other instance's connections within this test.
        MEMBERSHIP_SWEEP_MS: String(60 * 60 * 1000),
        AUTH_RATE_LIMIT_MAX: '1000',
      },
    })
    database = await openDatabase({ driver: 'postgres', url: databaseUrl ?? '', poolSize: 2 })
  }, 120_000)
  afterAll(async () => {
    await cluster?.destroy()
    await database?.close()
  })

  it('a deletion on one instance closes the connections and unloads the room on the other', async () => {
    const [first, second] = cluster.instances
    if (first === undefined || second === undefined) throw new Error('two instances expected')
    const api = `http://127.0.0.1:${first.port}`
    const owner = await signUp(api, 'owner')
    const { id: projectId } = await owner.api.projects.create.mutate({ name: uniqueProjectId('cluster') })
    const song = await openSongAs(second.url, owner, projectId)
    song.map.set('verse', 1)
    await waitFor(() => isSaved(song), 'edit saved on the second instance')
    const roomsOn = async (port: number) =>
      ((await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { rooms: number }).rooms
    expect(await roomsOn(second.port)).toBe(1)

    await owner.api.projects.delete.mutate({ projectId })

    await waitFor(() => song.closes.includes(CloseCode.accessRevoked), 'closed 4403 on the other instance')
    await waitFor(async () => (await roomsOn(second.port)) === 0, 'room unloaded on the other instance')
    const token = await tokenFor(projectId, { sub: owner.userId, role: 'owner' })
    expect(await upgradeStatus(`${second.url}/${projectId}?token=${encodeURIComponent(token)}`)).toBe(403)
    song.destroy()
  })
})
