import { SystemOrigin } from '@ensemble/core'
import * as decoding from 'lib0/decoding'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { connectSong } from '../src/client/collab'
import type { RunningServer } from '../src/server/app'
import { encodeSyncStep1 } from '../src/server/collab/protocol'
import type { Database } from '../src/server/db'
import { appendUpdates, readDocument } from '../src/server/db/update-log'
import { MessageType, SyncType } from '../src/wire/collab'
import {
  connectSynced,
  destroyAll,
  docState,
  isSaved,
  loadStoredDoc,
  openRawSocket,
  type TestClient,
  tokenFor,
} from './helpers/clients'
import { drivers, openTestDatabase, uniqueProjectId } from './helpers/db'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/**
 * A room loaded after a restart answers a client that has nothing from the stored bytes (the
 * snapshot as step 2, each row of the log tail as an update) before it integrates the song, and the doors
 * (`commitEdit`, `commitServerEdit`) keep working on a room whose song is integrated later.
 */

const NodeWebSocket = WebSocket as unknown as typeof globalThis.WebSocket

describe.each(drivers)('cold load on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let clients: TestClient[] = []

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    server = await startTestServer(database, { tokenOnlyRooms: true })
  })
  afterEach(() => {
    destroyAll(clients)
    clients = []
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  /** A song with a snapshot and a log tail after it, stored, and the server restarted. */
  async function storedSongAfterRestart(project: string): Promise<unknown> {
    const writer = await connectSynced(collabUrl(server), project)
    for (let i = 0; i < 20; i++) writer.map.set(`before-${i}`, i)
    await waitFor(() => isSaved(writer), 'first edits saved')
    const room = await server.collab.rooms.peek(project)
    expect(await room?.log.compactNow()).toBe(true)
    for (let i = 0; i < 5; i++) writer.map.set(`after-${i}`, i)
    await waitFor(() => isSaved(writer), 'tail saved')
    const song = docState(writer.doc)
    destroyAll([writer])
    await server.close()
    server = await startTestServer(database, { tokenOnlyRooms: true })
    return song
  }

  it('after a restart, a client with nothing gets the stored tail, then the snapshot as it is as step 2, and so the whole song once synced', async () => {
    const project = uniqueProjectId()
    const song = await storedSongAfterRestart(project)
    const stored = await readDocument(database.db, project)
    expect(stored.snapshot).not.toBeNull()
    expect(stored.tail.length).toBeGreaterThan(0)

    const socket = await openRawSocket(collabUrl(server), project, await tokenFor(project, { sub: 'fresh' }))
    const received = new Y.Doc()
    const syncFrames: { type: number; payload: Uint8Array }[] = []
    socket.ws.on('message', (data: Buffer) => {
      const decoder = decoding.createDecoder(new Uint8Array(data))
      if (decoding.readVarUint(decoder) !== MessageType.sync) return
      const type = decoding.readVarUint(decoder)
      const payload = decoding.readVarUint8Array(decoder)
      syncFrames.push({ type, payload })
      if (type !== SyncType.step1) Y.applyUpdate(received, payload)
    })
    socket.ws.send(encodeSyncStep1(new Y.Doc()))
    await waitFor(
      () => JSON.stringify(docState(received)) === JSON.stringify(song),
      'the whole song received',
    )

    const answers = syncFrames.filter((f) => f.type !== SyncType.step1)
    // No encoding of the song on the way: the tail's rows as updates, then step 2 with the snapshot's
    // bytes, last, since a client counts itself synced on step 2 and must have the whole song by then.
    expect(answers.map((f) => f.type)).toEqual([...stored.tail.map(() => SyncType.update), SyncType.step2])
    const step2 = answers.at(-1)
    expect(Buffer.from(step2?.payload ?? []).equals(Buffer.from(stored.snapshot?.state ?? []))).toBe(true)
    socket.ws.close()
  })

  it('after a restart, a client holding offline edits gets the room step 1, sends them, and they are saved', async () => {
    const project = uniqueProjectId()
    const song = await storedSongAfterRestart(project)
    // The client already has the song (its own copy) plus an edit made while the server was down.
    const doc = new Y.Doc()
    const before = await loadStoredDoc(database.db, project)
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(before))
    doc.getMap('m').set('offline', 'kept')
    const connection = connectSong({
      url: collabUrl(server),
      projectId: project,
      token: await tokenFor(project),
      doc,
      WebSocketPolyfill: NodeWebSocket,
      persist: false,
    })
    const client: TestClient = { ...connection, doc, map: doc.getMap('m') }
    clients.push(client)
    await waitFor(() => client.provider.synced && isSaved(client), 'offline edit saved')
    const stored = await loadStoredDoc(database.db, project)
    expect(docState(stored)).toEqual({ ...(song as Record<string, unknown>), offline: 'kept' })
  })

  it("a server edit (commitServerEdit) on a room not yet integrated reaches every client and the log, under the server's origin", async () => {
    const project = uniqueProjectId()
    await storedSongAfterRestart(project)
    const reader = await connectSynced(collabUrl(server), project, { sub: 'reader' })
    clients.push(reader)
    const room = await server.collab.rooms.peek(project)
    const origin = new SystemOrigin('test-server-edit')
    let seenOrigin: unknown = null
    room?.doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.local) seenOrigin = tr.origin
    })
    expect(room?.commitServerEdit(origin, (doc) => doc.getMap('m').set('from-server', 1))).toBe(true)
    expect(seenOrigin).toBe(origin)
    await waitFor(() => reader.map.get('from-server') === 1, 'server edit reached the client')
    await server.collab.durableLog.flush()
    expect(docState(await loadStoredDoc(database.db, project))).toMatchObject({ 'from-server': 1 })
    // A write that changes nothing logs nothing.
    expect(room?.commitServerEdit(origin, () => {})).toBe(false)
  })

  it('a restart loads the rooms of recently edited songs before it listens; outside the window they load on demand', async () => {
    const recent = uniqueProjectId()
    const writer = await connectSynced(collabUrl(server), recent)
    writer.map.set('fresh', 1)
    await waitFor(() => isSaved(writer), 'recent edit saved')
    destroyAll([writer])
    await server.close()
    const prewarm = { withinMs: 10 * 60_000, rooms: 20 }
    server = await startTestServer(database, { tokenOnlyRooms: true, prewarm })
    expect(server.collab.rooms.isLoaded(recent)).toBe(true)
    // Loaded before anyone asked, and serving it as usual.
    const reader = await connectSynced(collabUrl(server), recent)
    clients.push(reader)
    expect(reader.map.get('fresh')).toBe(1)

    // Nothing counts as recent with a window of zero: the same song is left to load on demand.
    destroyAll([reader])
    clients = []
    await server.close()
    server = await startTestServer(database, { tokenOnlyRooms: true, prewarm: { withinMs: 0, rooms: 20 } })
    expect(server.collab.rooms.isLoaded(recent)).toBe(false)
  })

  it('a stored song with a row Yjs cannot read is refused (1011), never served in part nor written to, and throws nothing uncaught', async () => {
    const project = uniqueProjectId()
    const doc = new Y.Doc()
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    doc.getMap('m').set('first', 1)
    doc.getMap('m').set('second', 'x'.repeat(40))
    const [first, second] = updates as [Uint8Array, Uint8Array]
    await appendUpdates(database.db, project, [first, second.slice(0, second.length - 10)])
    // Prewarmed, so the stored song is applied from a timer with nobody connected: where a throw was uncaught.
    await server.close()
    server = await startTestServer(database, {
      tokenOnlyRooms: true,
      prewarm: { withinMs: 10 * 60_000, rooms: 20 },
    })
    expect(server.collab.rooms.isLoaded(project)).toBe(true)
    const socket = await openRawSocket(collabUrl(server), project, await tokenFor(project))
    expect(await socket.closed).toEqual({ code: 1011, reason: 'the stored song cannot be read' })
    const again = await openRawSocket(collabUrl(server), project, await tokenFor(project))
    expect((await again.closed).code).toBe(1011)
    const stored = await readDocument(database.db, project)
    expect(stored.tail.map((r) => r.seq)).toEqual([1, 2])
    expect(stored.snapshot).toBeNull()
  })
})
