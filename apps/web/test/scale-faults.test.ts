import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { canonical, connectSynced, destroyAll, loadStoredDoc, type TestClient } from './helpers/clients'
import {
  missingKeys,
  moveClient,
  type OwnCluster,
  spreadClients,
  startOwnCluster,
  startStorm,
  waitAllSaved,
} from './helpers/cluster'
import { uniqueProjectId } from './helpers/db'
import { ownServicesUnavailable, recordSkip } from './helpers/services'
import { waitFor } from './helpers/wait'

/**
 * Fault injection during an edit storm, on three real instances with their own throwaway Redis
 * and PostgreSQL (stopping the shared ones would break other runs). Every scenario ends the same
 * way: every client has every edit acknowledged, every edit is in the database, and every
 * replica (clients, and a fresh client on each instance) holds the same song.
 */

const unavailable = ownServicesUnavailable()
if (unavailable !== null) recordSkip(`scale-faults tests skipped: ${unavailable}`)

const clientCount = 6

describe.skipIf(unavailable !== null)('faults during an edit storm on three instances', () => {
  let own: OwnCluster
  let clients: TestClient[] = []

  beforeAll(async () => {
    own = await startOwnCluster({
      instances: 3,
      // Each instance reads the membership of its rooms this often: what admits a member while the
      // database is down.
      env: { MEMBERSHIP_SWEEP_MS: '300' },
    })
  }, 120_000)
  afterEach(async () => {
    destroyAll(clients)
    clients = []
    // A test that failed with the database stopped must not fail the ones after it.
    await own?.postgres.start().catch(() => {})
  })
  afterAll(async () => {
    await own?.destroy()
  })

  /** Every client saved, every edit stored, every replica identical. */
  async function expectConverged(project: string, edits: readonly number[]): Promise<void> {
    const reference = () => canonical(clients[0]?.doc ?? new Y.Doc())
    try {
      await waitAllSaved(clients, 40_000)
      await waitFor(() => clients.every((c) => canonical(c.doc) === reference()), 'clients converge', 20_000)
    } catch (err) {
      // What each replica holds, and the instances' own account, to tell which part fell behind.
      console.log(
        clients.map(
          (c, i) =>
            `client ${i}: ${c.map.size} keys, connected ${c.provider.wsconnected}, synced ${c.provider.synced}, saved ${c.saved.savedClock(c.doc.clientID)}/${Y.getState(c.doc.store, c.doc.clientID)}`,
        ),
      )
      for (const s of own.cluster.instances)
        console.log(await (await fetch(`http://127.0.0.1:${s.port}/readyz`).catch(() => null))?.text())
      for (const s of own.cluster.instances)
        console.log(`instance ${s.index}:\n${s.process.output().slice(-3000)}`)
      throw err
    }
    const stored = await loadStoredDoc(own.database.db, project)
    for (let i = 0; i < clientCount; i++)
      expect({ client: i, missing: missingKeys(stored, i, edits[i] ?? 0) }).toEqual({
        client: i,
        missing: [],
      })
    expect(canonical(stored)).toBe(reference())
    for (const instance of own.cluster.instances) {
      const fresh = await connectSynced(instance.url, project, { sub: 'inspector', role: 'viewer' })
      expect(canonical(fresh.doc)).toBe(reference())
      fresh.destroy()
    }
  }

  async function stormUntilSaved(project: string, minSaved: number) {
    clients = await spreadClients(own.cluster.instances, project, clientCount)
    const storm = startStorm(clients)
    await waitFor(
      () => clients.every((c) => c.saved.savedClock(c.doc.clientID) >= minSaved),
      'every client has saved edits',
      20_000,
    )
    return storm
  }

  it('kill -9 one instance: its clients reconnect to another and lose nothing that was saved', async () => {
    const project = uniqueProjectId('kill')
    const storm = await stormUntilSaved(project, 30)
    const victim = own.cluster.instances[1]
    if (victim === undefined) throw new Error('no instance 1')
    await victim.process.kill9()
    const savedAtKill = clients.map((c) => c.saved.savedClock(c.doc.clientID))
    // What the dead instance acknowledged is on the survivors, before its clients come back.
    const inspector = await connectSynced(own.cluster.instances[0]?.url ?? '', project, {
      sub: 'insp',
      role: 'viewer',
    })
    await waitFor(
      () => savedAtKill.every((s, i) => missingKeys(inspector.doc, i, s).length === 0),
      'saved edits of the dead instance reach the survivors',
    )
    inspector.destroy()
    // Its clients (1 and 4) reconnect elsewhere with their unsaved edits.
    for (const i of [1, 4]) {
      const c = clients[i]
      if (c !== undefined)
        clients[i] = await moveClient(c, own.cluster.instances[(i + 1) % 3]?.url ?? '', project, `u${i}`)
    }
    await new Promise((r) => setTimeout(r, 500))
    await storm.stop()
    await own.cluster.restart(1)
    await expectConverged(project, storm.edits)
  }, 90_000)

  it('Redis restarts: instances keep serving their own clients, delivery resumes, replicas catch up', async () => {
    const project = uniqueProjectId('redis')
    const storm = await stormUntilSaved(project, 30)
    await own.redis.stop()
    // Instance 0 serves clients 0 and 3: they still see each other.
    clients[0]?.map.set('during-redis-outage', 1)
    await waitFor(
      () => clients[3]?.map.get('during-redis-outage') === 1,
      'same-instance delivery without Redis',
    )
    const ready = await fetch(`http://127.0.0.1:${own.cluster.instances[0]?.port}/readyz`)
    expect(ready.status).toBe(503)
    expect(((await ready.json()) as { redis: string }).redis).toBe('down')
    await new Promise((r) => setTimeout(r, 1000))
    await own.redis.start()
    await new Promise((r) => setTimeout(r, 500))
    await storm.stop()
    await expectConverged(project, storm.edits)
    // Cross-instance delivery works again on the bus (not only by catch-up).
    await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${own.cluster.instances[1]?.port}/readyz`)
      return res.status === 200
    }, 'instance ready again')
  }, 90_000)

  it('PostgreSQL stops and restarts: nothing is reported saved meanwhile, clients show Saving…, all is saved after', async () => {
    const project = uniqueProjectId('pg')
    const storm = await stormUntilSaved(project, 30)
    await own.postgres.stop()
    const madeBefore = clients.map((c) => Y.getState(c.doc.store, c.doc.clientID))
    await new Promise((r) => setTimeout(r, 2000))
    // No edit made after the database went away is acknowledged while it is away. (What was stored
    // before may still be, late: a client that a loaded machine drops from the heartbeat reconnects
    // to a room its instance holds and is told what the room had stored of its edits.)
    for (const [i, c] of clients.entries())
      expect(c.saved.savedClock(c.doc.clientID)).toBeLessThanOrEqual(madeBefore[i] ?? 0)
    // ...while the storm went on making them.
    expect(clients.every((c, i) => Y.getState(c.doc.store, c.doc.clientID) > (madeBefore[i] ?? 0))).toBe(true)
    expect(clients.map((c) => c.saved.get())).toEqual(clients.map(() => 'saving'))
    for (const instance of own.cluster.instances) expect(instance.process.child.exitCode).toBeNull()
    await own.postgres.start()
    await new Promise((r) => setTimeout(r, 300))
    await storm.stop()
    await expectConverged(project, storm.edits)
    expect(clients.map((c) => c.saved.get())).toEqual(clients.map(() => 'saved'))
  }, 90_000)

  it('PostgreSQL down and an instance killed meanwhile: its clients move to instances holding the room, all is saved once it is back', async () => {
    const project = uniqueProjectId('pg-kill')
    const storm = await stormUntilSaved(project, 30)
    await new Promise((r) => setTimeout(r, 600)) // every instance's sweep has read the room since
    await own.postgres.stop()
    await own.cluster.instances[1]?.process.kill9()
    // Its clients (1 and 4) reconnect elsewhere; no instance can read the membership now.
    for (const i of [1, 4]) {
      const c = clients[i]
      if (c !== undefined)
        clients[i] = await moveClient(c, own.cluster.instances[(i + 1) % 3]?.url ?? '', project, `u${i}`)
    }
    await waitFor(
      () => [1, 4].every((i) => clients[i]?.provider.synced === true),
      'moved clients admitted while the database is down',
    )
    expect(clients.map((c) => c.saved.get())).toEqual(clients.map(() => 'saving'))
    await own.postgres.start()
    await new Promise((r) => setTimeout(r, 300))
    await storm.stop()
    await own.cluster.restart(1)
    await expectConverged(project, storm.edits)
  }, 90_000)

  it('SIGSTOP an instance longer than the heartbeat, then SIGCONT: it catches up and replicas converge', async () => {
    const project = uniqueProjectId('pause')
    const storm = await stormUntilSaved(project, 30)
    const paused = own.cluster.instances[2]?.process.child
    paused?.kill('SIGSTOP')
    await new Promise((r) => setTimeout(r, 2500)) // heartbeat is 1 s in these tests
    paused?.kill('SIGCONT')
    await new Promise((r) => setTimeout(r, 300))
    await storm.stop()
    await expectConverged(project, storm.edits)
    expect(paused?.exitCode).toBeNull()
  }, 90_000)
})
