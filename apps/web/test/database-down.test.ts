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
import { drivers, openTestDatabase, uniqueProjectId } from './helpers/db'
import { flakyDb } from './helpers/flaky-db'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

describe.each(drivers)('database outage on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let control: ReturnType<typeof flakyDb>
  let clients: TestClient[] = []

  beforeAll(async () => {
    database = await openTestDatabase(driver)
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

  it('while commits fail nothing is acknowledged and the room keeps working; afterwards all is stored', async () => {
    const project = uniqueProjectId()
    const a = await connectSynced(collabUrl(server), project, { sub: 'a' })
    const b = await connectSynced(collabUrl(server), project, { sub: 'b' })
    clients = [a, b]
    const failuresBefore = server.collab.stats().failedCommits
    control.setDown(true)
    for (let i = 0; i < 20; i++) a.map.set(`k${i}`, i)
    await waitFor(() => b.map.get('k19') === 19, 'edits reach the other client in memory')
    await waitFor(() => server.collab.stats().failedCommits >= failuresBefore + 2, 'commits retried')
    expect(a.saved.get()).toBe('saving')
    expect(a.saved.savedClock(a.doc.clientID)).toBe(0)
    expect(docState(await loadStoredDoc(database.db, project))).toEqual({})

    control.setDown(false)
    await waitFor(() => isSaved(a), 'acknowledged after recovery', 15_000)
    expect(docState(await loadStoredDoc(database.db, project))).toEqual(docState(a.doc))
  })
})
