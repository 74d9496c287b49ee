import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import type { Database } from '../src/server/db'
import { countRows, readDocument } from '../src/server/db/update-log'
import {
  connectSynced,
  destroyAll,
  docState,
  isSaved,
  loadStoredDoc,
  type TestClient,
} from './helpers/clients'
import { drivers, openTestDatabase, uniqueProjectId } from './helpers/db'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

describe.each(drivers)('compaction and room lifecycle on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let clients: TestClient[] = []

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    server = await startTestServer(database, {
      tokenOnlyRooms: true,
      compaction: { maxTailUpdates: 25 },
      idleUnloadMs: 50,
    })
  })
  afterEach(() => {
    destroyAll(clients)
    clients = []
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it('compacts the log into a snapshot; reloading gives the pre-compaction state', async () => {
    const project = uniqueProjectId()
    const c = await connectSynced(collabUrl(server), project)
    clients = [c]
    const compactionsBefore = server.collab.stats().compactions
    for (let i = 0; i < 100; i++) {
      c.map.set(`k${i % 30}`, i) // overwrites: the snapshot must keep only the winners
      if (i % 7 === 0) c.doc.getArray('a').push([i])
    }
    c.map.delete('k3')
    await waitFor(() => isSaved(c), 'saved')
    await waitFor(() => server.collab.durableLog.idle, 'log idle')
    const expected = docState(c.doc)

    expect(server.collab.stats().compactions).toBeGreaterThan(compactionsBefore)
    const rows = await countRows(database.db, project)
    expect(rows.snapshots).toBe(1)
    expect(rows.updates).toBeLessThanOrEqual(25)
    const stored = await readDocument(database.db, project)
    expect(stored.tail.every((r) => r.seq > (stored.snapshot?.upToSeq ?? 0))).toBe(true)
    expect(docState(await loadStoredDoc(database.db, project))).toEqual(expected)

    // Unload the room (idle), then a fresh client gets the same state from snapshot + tail.
    destroyAll(clients)
    clients = []
    await waitFor(async () => (await server.collab.rooms.peek(project)) === undefined, 'room unloaded')
    const fresh = await connectSynced(collabUrl(server), project, { sub: 'fresh' })
    clients = [fresh]
    expect(docState(fresh.doc)).toEqual(expected)
    expect(fresh.doc.getArray('a').toJSON()).toEqual(c.doc.getArray('a').toJSON())
  })

  it('a forced compaction at any point keeps the document identical', async () => {
    const project = uniqueProjectId()
    const c = await connectSynced(collabUrl(server), project)
    clients = [c]
    c.map.set('a', 1)
    c.map.set('b', 2)
    await waitFor(() => isSaved(c), 'saved')
    const room = await server.collab.rooms.peek(project)
    expect(await room?.log.compactNow()).toBe(true)
    c.map.set('c', 3)
    await waitFor(() => isSaved(c), 'saved after compaction')
    expect(await countRows(database.db, project)).toEqual({ updates: 1, snapshots: 1 })
    expect(docState(await loadStoredDoc(database.db, project))).toEqual({ a: 1, b: 2, c: 3 })
  })

  it('connections arriving while a room loads all wait for the one load', async () => {
    const project = uniqueProjectId()
    const first = await connectSynced(collabUrl(server), project)
    first.map.set('seed', 1)
    await waitFor(() => isSaved(first), 'seed saved')
    first.destroy()
    await waitFor(async () => (await server.collab.rooms.peek(project)) === undefined, 'room unloaded')
    clients = await Promise.all(
      Array.from({ length: 6 }, (_, i) => connectSynced(collabUrl(server), project, { sub: `w${i}` })),
    )
    for (const c of clients) expect(c.map.get('seed')).toBe(1)
    const rooms = await server.collab.rooms.all()
    expect(rooms.filter((r) => r.projectId === project)).toHaveLength(1)
  })
})
