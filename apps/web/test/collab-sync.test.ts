import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { RunningServer } from '../src/server/app'
import {
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  MessageType,
  parseMessage,
} from '../src/server/collab/protocol'
import type { Database } from '../src/server/db'
import {
  canonical,
  connectSynced,
  destroyAll,
  docState,
  isSaved,
  loadStoredDoc,
  openRawSocket,
  type RawSocket,
  type TestClient,
  tokenFor,
} from './helpers/clients'
import { drivers, openTestDatabase, uniqueProjectId } from './helpers/db'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/** Each client writes its own keys and one shared array, concurrently, in separate transactions. */
function editStorm(clients: readonly TestClient[], editsPerClient: number): void {
  for (let n = 0; n < editsPerClient; n++) {
    clients.forEach((c, i) => {
      c.doc.transact(() => {
        c.map.set(`c${i}-${n}`, n)
        c.map.set('last-writer', i) // the same key from everyone: LWW must still converge
      })
      c.doc.getArray<number>('a').push([i * 1000 + n])
    })
  }
}

/** Every update of one sync kind (a live update, or the answer to step 1) a raw socket receives, in order. */
function messagesOf(raw: RawSocket, kind: 'sync-update' | 'sync-step2'): Uint8Array[] {
  const updates: Uint8Array[] = []
  raw.ws.on('message', (data: Buffer) => {
    const message = parseMessage(new Uint8Array(data))
    if (message.kind === kind) updates.push(message.update)
  })
  return updates
}

const converged = (clients: readonly TestClient[]): boolean => {
  const first = canonical(clients[0]!.doc)
  return clients.every((c) => canonical(c.doc) === first)
}

describe.each(drivers)('collab sync on %s', (driver) => {
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

  it.each([2, 10])(
    '%i clients editing concurrently converge, and everything is acknowledged and stored',
    async (n) => {
      const project = uniqueProjectId()
      clients = await Promise.all(
        Array.from({ length: n }, (_, i) => connectSynced(collabUrl(server), project, { sub: `u${i}` })),
      )
      editStorm(clients, 20)
      await waitFor(
        () => converged(clients) && clients.every(isSaved),
        'replicas converge and are saved',
        20_000,
      )
      const expected = docState(clients[0]!.doc)
      expect(Object.keys(expected as object)).toHaveLength(n * 20 + 1)
      expect(clients[0]!.doc.getArray('a').length).toBe(n * 20)
      for (const c of clients) expect(c.saved.get()).toBe('saved')
      // "saved" means stored: the database alone reproduces the document.
      const stored = await loadStoredDoc(database.db, project)
      expect(docState(stored)).toEqual(expected)
      expect(stored.getArray('a').toJSON()).toEqual(clients[0]!.doc.getArray('a').toJSON())
    },
  )

  it('a live edit reaches each bandmate once, and is stored', async () => {
    const project = uniqueProjectId()
    const author = await openRawSocket(collabUrl(server), project, await tokenFor(project, { sub: 'author' }))
    const bandmate = await openRawSocket(collabUrl(server), project, await tokenFor(project, { sub: 'mate' }))
    const received = messagesOf(bandmate, 'sync-update')
    const edit = new Y.Doc()
    edit.getMap('m').set('riff', 'C-E-G')
    author.ws.send(encodeSyncUpdate(Y.encodeStateAsUpdate(edit)))
    const stored = async (key: string) => (await loadStoredDoc(database.db, project)).getMap('m').has(key)
    await waitFor(() => stored('riff'), 'the edit stored')
    // Frames on one socket arrive in order: once a later edit is in, any second copy of the first
    // (the room's own broadcast after integrating it) would have arrived before it.
    const before = Y.encodeStateVector(edit)
    edit.getMap('m').set('bridge', 'F')
    author.ws.send(encodeSyncUpdate(Y.encodeStateAsUpdate(edit, before)))
    await waitFor(() => received.length >= 2, 'the second edit reached the bandmate')
    expect(received).toHaveLength(2)
    const seen = new Y.Doc()
    Y.applyUpdate(seen, received[0]!)
    expect(docState(seen)).toEqual({ riff: 'C-E-G' })
    Y.applyUpdate(seen, received[1]!)
    expect(docState(seen)).toEqual({ riff: 'C-E-G', bridge: 'F' })
    await waitFor(() => stored('bridge'), 'the second edit stored')
    author.ws.close()
    bandmate.ws.close()
  })

  it('an edit that releases structs the room held back for a missing dependency brings them to the bandmates', async () => {
    const project = uniqueProjectId()
    const mate = await connectSynced(collabUrl(server), project, { sub: 'mate' })
    clients = [mate]
    const author = await openRawSocket(collabUrl(server), project, await tokenFor(project, { sub: 'author' }))
    const local = new Y.Doc()
    local.getMap('m').set('verse', 1)
    const first = Y.encodeStateAsUpdate(local)
    const afterFirst = Y.encodeStateVector(local)
    local.getMap('m').set('chorus', 2)
    // The second edit arrives first (in a reconnect's step 2): it waits in the room for the first.
    author.ws.send(encodeSyncStep2(local, afterFirst))
    author.ws.send(encodeSyncUpdate(first))
    await waitFor(() => mate.map.get('chorus') === 2, 'the held-back edit reached the bandmate')
    expect(docState(mate.doc)).toEqual({ verse: 1, chorus: 2 })
    await waitFor(
      async () => (await loadStoredDoc(database.db, project)).getMap('m').get('chorus') === 2,
      'both edits stored',
    )
    author.ws.close()
  })

  it('a bandmate who asks for the song right after an edit was sent on gets that edit', async () => {
    const project = uniqueProjectId()
    const author = await openRawSocket(collabUrl(server), project, await tokenFor(project, { sub: 'author' }))
    const joiner = await openRawSocket(collabUrl(server), project, await tokenFor(project, { sub: 'joiner' }))
    const replies = messagesOf(joiner, 'sync-step2')
    const room = await server.collab.rooms.peek(project)
    await waitFor(() => room?.connections.size === 2, 'both connected')
    const connectionOf = (sub: string) => [...room!.connections].find((c) => c.userId === sub)!
    const edit = new Y.Doc()
    edit.getMap('m').set('riff', 'C-E-G')
    // Both frames in one turn of the server's event loop (as when they arrive in one read): the
    // edit is sent on at once and integrated a moment later; the answer must not miss it.
    room!.handle(connectionOf('author'), { kind: 'sync-update', update: Y.encodeStateAsUpdate(edit) })
    room!.handle(connectionOf('joiner'), {
      kind: 'sync-step1',
      stateVector: Y.encodeStateVector(new Y.Doc()),
    })
    await waitFor(() => replies.length === 1, 'the answer to step 1')
    const seen = new Y.Doc()
    Y.applyUpdate(seen, replies[0]!)
    expect(docState(seen)).toEqual({ riff: 'C-E-G' })
    author.ws.close()
    joiner.ws.close()
  })

  it('an edit sent on just before the server shuts down is stored', async () => {
    // No commit window: the log goes idle at once, so only the shutdown itself can store the edit.
    const own = await startTestServer(database, { tokenOnlyRooms: true, commitWindowMs: 0 })
    const project = uniqueProjectId()
    await openRawSocket(collabUrl(own), project, await tokenFor(project, { sub: 'author' }))
    const room = await own.collab.rooms.peek(project)
    await waitFor(() => room?.connections.size === 1, 'connected')
    const edit = new Y.Doc()
    edit.getMap('m').set('outro', 'fade')
    room!.handle([...room!.connections][0]!, { kind: 'sync-update', update: Y.encodeStateAsUpdate(edit) })
    await own.close()
    expect(docState(await loadStoredDoc(database.db, project))).toEqual({ outro: 'fade' })
  })

  it('group commit batches many updates into fewer commits', async () => {
    const project = uniqueProjectId()
    clients = await Promise.all(
      Array.from({ length: 5 }, (_, i) => connectSynced(collabUrl(server), project, { sub: `g${i}` })),
    )
    const before = { ...server.collab.stats() }
    editStorm(clients, 40)
    await waitFor(() => clients.every(isSaved), 'all edits saved', 20_000)
    const after = server.collab.stats()
    const updates = after.updatesWritten - before.updatesWritten
    const commits = after.commits - before.commits
    expect(updates).toBeGreaterThanOrEqual(5 * 40 * 2)
    // Fewer commits than updates: updates arriving during a commit share the next one.
    expect(commits).toBeLessThan(updates / 2)
  })

  it('reports saving while a change is unacknowledged and offline when disconnected', async () => {
    const project = uniqueProjectId()
    const c = await connectSynced(collabUrl(server), project)
    clients = [c]
    const seen: string[] = []
    c.saved.subscribe((s) => seen.push(s))
    c.map.set('x', 1)
    expect(c.saved.get()).toBe('saving')
    await waitFor(() => c.saved.get() === 'saved', 'saved')
    c.provider.disconnect()
    expect(c.saved.get()).toBe('offline')
    expect(seen).toEqual(['saving', 'saved', 'offline'])
  })

  it('"saved" (type 100) goes only to a client that asks with saved=1, once the edit is committed', async () => {
    const project = uniqueProjectId()
    const token = async (sub: string) => tokenFor(project, { sub })
    const plain = await openRawSocket(collabUrl(server), project, await token('plain'))
    const asking = await openRawSocket(collabUrl(server), project, await token('asking'), { saved: true })
    const framesOf = (raw: RawSocket) => {
      const frames: Uint8Array[] = []
      raw.ws.on('message', (data: Buffer) => frames.push(new Uint8Array(data)))
      return frames
    }
    const plainFrames = framesOf(plain)
    const askingFrames = framesOf(asking)
    const isSavedFrame = (frame: Uint8Array) => frame[0] === MessageType.saved
    const stored = async (key: string) => (await loadStoredDoc(database.db, project)).getMap('m').has(key)

    const plainEdit = new Y.Doc()
    plainEdit.getMap('m').set('plain', 1)
    plain.ws.send(encodeSyncUpdate(Y.encodeStateAsUpdate(plainEdit)))
    plain.ws.send(encodeSyncStep1(plainEdit))
    await waitFor(() => stored('plain'), "the plain client's edit stored")
    const askingEdit = new Y.Doc()
    askingEdit.getMap('m').set('asking', 1)
    asking.ws.send(encodeSyncUpdate(Y.encodeStateAsUpdate(askingEdit)))
    await waitFor(() => askingFrames.some(isSavedFrame), '"saved" for the client that asked')
    expect(await stored('asking')).toBe(true)
    // Commits are in order: a "saved" for the plain client would have gone out before the answer
    // to a step 1 it sends from now on (one socket's frames stay in order).
    const repliesBefore = plainFrames.filter((f) => parseMessage(f).kind === 'sync-step2').length
    plain.ws.send(encodeSyncStep1(plainEdit))
    await waitFor(
      () => plainFrames.filter((f) => parseMessage(f).kind === 'sync-step2').length > repliesBefore,
      'the plain client got its answer',
    )
    expect(plainFrames.filter(isSavedFrame)).toEqual([])
    plain.ws.close()
    asking.ws.close()
  })

  it('after a restart with no clients, a fresh client loads exactly the stored doc', async () => {
    const project = uniqueProjectId()
    clients = [await connectSynced(collabUrl(server), project)]
    editStorm(clients, 30)
    clients[0]!.map.delete('c0-3')
    await waitFor(() => isSaved(clients[0]!), 'edits saved')
    const before = docState(clients[0]!.doc)
    destroyAll(clients)
    clients = []
    await server.close()
    server = await startTestServer(database, { tokenOnlyRooms: true })
    clients = [await connectSynced(collabUrl(server), project, { sub: 'fresh' })]
    expect(docState(clients[0]!.doc)).toEqual(before)
  })
})
