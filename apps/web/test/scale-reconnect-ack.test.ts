import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import type { Database } from '../src/server/db'
import {
  connectSynced,
  destroyAll,
  docState,
  isSaved,
  loadStoredDoc,
  type TestClient,
} from './helpers/clients'
import { openTestDatabase, uniqueProjectId } from './helpers/db'
import { flakyDb } from './helpers/flaky-db'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/**
 * Found by the scale-out fault tests: a client whose connection drops while its edits wait for the
 * database reconnects to a room that already holds them, so its sync step 2 is empty and no
 * "saved" would ever come (the UI would say "Saving…" forever). The room acknowledges the state it
 * shares with a connecting client once everything queued before is committed.
 */
describe('reconnect while saves are pending', () => {
  let database: Database
  let server: RunningServer
  let control: ReturnType<typeof flakyDb>
  let clients: TestClient[] = []

  beforeAll(async () => {
    database = await openTestDatabase('pglite')
    control = flakyDb(database.db)
    server = await startTestServer({ ...database, db: control.db }, { tokenOnlyRooms: true })
  })
  afterEach(() => {
    destroyAll(clients)
    clients = []
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it('edits the room already has are acknowledged on the new connection once committed', async () => {
    const project = uniqueProjectId('reack')
    const a = await connectSynced(collabUrl(server), project, { sub: 'a' })
    clients = [a]
    control.setDown(true)
    for (let i = 0; i < 10; i++) a.map.set(`k${i}`, i)
    const room = await server.collab.rooms.peek(project)
    await waitFor(() => room?.doc.getMap('m').size === 10, 'the room holds the edits in memory')
    // The connection drops before any "saved"; the client reconnects with nothing new to send.
    a.provider.disconnect()
    a.provider.connect()
    await waitFor(() => a.provider.synced, 'resynced')
    expect(a.saved.get()).toBe('saving')
    control.setDown(false)
    await waitFor(() => isSaved(a), 'acknowledged on the new connection', 15_000)
    expect(docState(await loadStoredDoc(database.db, project))).toEqual(docState(a.doc))
  })
})
