import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import type { Database, Db } from '../src/server/db'
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

/** The real database, except that transactions and raw statements (the log's writes) fail while `down` is set. */
function flaky(db: Db): { db: Db; setDown: (down: boolean) => void } {
  let down = false
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      if ((prop === 'transaction' || prop === 'execute') && down)
        return () => Promise.reject(new Error('database is down (test)'))
      return Reflect.get(target, prop, receiver)
    },
  })
  return { db: proxy, setDown: (d) => (down = d) }
}

describe.each(drivers)('database outage on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let control: ReturnType<typeof flaky>
  let clients: TestClient[] = []

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    control = flaky(database.db)
    server = await startTestServer({ ...database, db: control.db })
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
