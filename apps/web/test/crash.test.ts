import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { freePort, killAllServers, type ServerProcess, spawnServer } from './helpers/child'
import { canonical, connectSynced, destroyAll, isSaved, type TestClient } from './helpers/clients'
import { drivers, seedPgliteDir, uniqueProjectId } from './helpers/db'
import { waitFor } from './helpers/wait'

/**
 * Durability end to end: a real server process is killed with SIGKILL in the middle of an edit
 * storm. Every edit a client was told is saved must survive; edits it was not told about are
 * still in the client and must be re-sent and stored when it reconnects.
 *
 * Client i only ever does `map.set('c<i>-<n>', n)` on a fresh doc, so its n-th edit has clock n:
 * a saved clock S means keys c<i>-0 … c<i>-(S-1) are stored.
 */
const clientCount = 4
/**
 * Bounds for a loaded machine (the suite runs beside builds on 2 cores): the most one server start may take,
 * and the most one wait for the clients' progress may. The test's own bound (600 s) holds three starts and
 * three waits. A server that never listens, or edits never acknowledged, still fail the test.
 */
const startMs = 120_000
const progressMs = 60_000

function startStorm(clients: readonly TestClient[]): { stop: () => Promise<void>; edits: number[] } {
  const edits = clients.map(() => 0)
  let running = true
  const loops = clients.map(async (c, i) => {
    while (running) {
      c.map.set(`c${i}-${edits[i]}`, edits[i])
      edits[i]! += 1
      // Yield now and then so frames go out and acks come in while the storm goes on.
      if (edits[i]! % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    }
  })
  return {
    edits,
    stop: async () => {
      running = false
      await Promise.all(loops)
    },
  }
}

const keysPresent = (doc: Y.Doc, i: number, upTo: number): number[] => {
  const m = doc.getMap('m')
  const missing: number[] = []
  for (let n = 0; n < upTo; n++) if (m.get(`c${i}-${n}`) !== n) missing.push(n)
  return missing
}

describe.each(drivers)('crash recovery on %s', (driver) => {
  let servers: ServerProcess[] = []
  let clients: TestClient[] = []
  let dataDir = ''

  afterEach(async () => {
    destroyAll(clients)
    clients = []
    await killAllServers()
    servers = []
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('kill -9 mid-storm: acknowledged edits survive, unacknowledged ones are re-sent, replicas converge', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-crash-'))
    if (driver === 'pglite') await seedPgliteDir(path.join(dataDir, 'pglite'))
    const port = await freePort()
    const url = `ws://127.0.0.1:${port}/collab`
    const project = uniqueProjectId('crash')
    const start = async () => {
      // The storm runs far above a person's message rate; this test is about durability.
      const env = {
        COLLAB_MESSAGES_PER_SECOND: '1000000',
        COLLAB_MESSAGE_BURST: '1000000',
        COLLAB_TOKEN_ONLY_ROOMS: '1',
      }
      // Ready when it logs that it listens (spawnServer waits for that line, and fails at once with the
      // output if the server exits first). On a loaded machine tsx's compile, the database's start and its
      // migrations once took longer than spawnServer's default 30 s.
      const s = await spawnServer({ port, dataDir, driver, env, timeoutMs: startMs })
      servers.push(s)
      return s
    }

    const first = await start()
    clients = await Promise.all(
      Array.from({ length: clientCount }, (_, i) => connectSynced(url, project, { sub: `crash-${i}` })),
    )
    // A close the client will not retry (4400-4499) would make the rest meaningless: fail fast.
    const refused: number[] = []
    for (const c of clients) c.provider.on('closed', (event) => refused.push(event.code))
    const storm = startStorm(clients)
    await waitFor(
      () => {
        if (refused.length > 0) throw new Error(`server closed a client with ${refused.join(', ')}`)
        return clients.every((c) => c.saved.savedClock(c.doc.clientID) >= 40)
      },
      'every client has acknowledged edits',
      progressMs,
    )
    await first.kill9() // mid-storm: the loops are still writing
    await storm.stop()
    const savedAtKill = clients.map((c) => c.saved.savedClock(c.doc.clientID))
    for (const c of clients) c.provider.disconnect()
    // Offline edits: certainly never acknowledged, so they can only arrive by being re-sent.
    clients.forEach((c, i) => {
      for (let k = 0; k < 10; k++) c.map.set(`c${i}-${storm.edits[i]! + k}`, storm.edits[i]! + k)
      storm.edits[i]! += 10
    })
    const totals = [...storm.edits]
    for (const [i, c] of clients.entries()) {
      expect(Y.getState(c.doc.store, c.doc.clientID)).toBe(totals[i])
      expect(savedAtKill[i]).toBeLessThan(totals[i]!)
    }

    // 1. After the restart, before any old client is back: the database has every saved edit.
    await start()
    const inspector = await connectSynced(url, project, { sub: 'inspector', role: 'viewer' })
    for (let i = 0; i < clientCount; i++) {
      expect({ client: i, missing: keysPresent(inspector.doc, i, savedAtKill[i]!) }).toEqual({
        client: i,
        missing: [],
      })
    }
    inspector.destroy()

    // 2. The clients reconnect, re-send what the server lacks, and get it acknowledged.
    for (const c of clients) c.provider.connect()
    await waitFor(
      () => clients.every((c) => isSaved(c) && c.provider.synced),
      'all clients saved again',
      progressMs,
    )
    await waitFor(
      () => clients.every((c) => canonical(c.doc) === canonical(clients[0]!.doc)),
      'replicas converge',
      progressMs,
    )

    // 3. A graceful restart with no clients: a fresh client loads exactly that document.
    const expected = canonical(clients[0]!.doc)
    destroyAll(clients)
    clients = []
    const second = servers.at(-1)!
    expect(await second.stop()).toBe(0)
    await start()
    const fresh = await connectSynced(url, project, { sub: 'fresh' })
    clients = [fresh]
    expect(canonical(fresh.doc)).toBe(expected)
    for (let i = 0; i < clientCount; i++) expect(keysPresent(fresh.doc, i, totals[i]!)).toEqual([])
  }, 600_000)
})
