import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode, encodeSyncUpdate } from '../src/server/collab/protocol'
import { type Database, openDatabase } from '../src/server/db'
import {
  canonical,
  connectSynced,
  destroyAll,
  loadStoredDoc,
  openRawSocket,
  type TestClient,
  tokenFor,
} from './helpers/clients'
import {
  type Cluster,
  missingKeys,
  spreadClients,
  startCluster,
  startStorm,
  waitAllSaved,
} from './helpers/cluster'
import { uniqueProjectId } from './helpers/db'
import { recordSkip } from './helpers/services'
import { waitFor } from './helpers/wait'

/**
 * Scale-out on the shared services (REDIS_URL, DATABASE_URL): three real server processes serve
 * one song; clients spread over them converge, and a fuzzer cannot hurt any instance. The fault
 * tests (scale-faults.test.ts) run on their own Redis and PostgreSQL instead.
 */

const redisUrl = process.env.REDIS_URL
const databaseUrl = process.env.DATABASE_URL
const skip = !redisUrl || !databaseUrl
if (skip)
  recordSkip(
    `scale-cluster tests skipped: ${!redisUrl ? 'REDIS_URL' : 'DATABASE_URL'} is not set (they need real Redis and PostgreSQL)`,
  )

describe.skipIf(skip)('three instances on Redis and PostgreSQL', () => {
  let cluster: Cluster
  let database: Database
  let clients: TestClient[] = []

  beforeAll(async () => {
    // Its own channel prefix: other runs on the same Redis never see these messages.
    cluster = await startCluster({
      instances: 3,
      databaseUrl: databaseUrl ?? '',
      redisUrl: redisUrl ?? '',
      env: { REDIS_CHANNEL_PREFIX: `test-${process.pid}:` },
    })
    database = await openDatabase({ driver: 'postgres', url: databaseUrl ?? '', poolSize: 2 })
  }, 120_000)
  afterEach(() => {
    destroyAll(clients)
    clients = []
  })
  afterAll(async () => {
    destroyAll(clients)
    await cluster?.destroy()
    await database?.close()
  })

  it('clients spread over 3 instances editing one song converge; updates and awareness cross instances', async () => {
    const project = uniqueProjectId('scale')
    // Client 0 is present before instances 1 and 2 load the room: they ask the others for their
    // clients' awareness on load instead of waiting up to 15 s for its renewal.
    const first = await connectSynced(cluster.instances[0]?.url ?? '', project, { sub: 'u0' })
    first.provider.awareness.setLocalStateField('user', { name: 'zero' })
    const rest = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        connectSynced(cluster.instances[i % 3]?.url ?? '', project, { sub: `u${i}` }),
      ),
    )
    clients = [first, ...rest]
    const zeroId = first.doc.clientID
    await waitFor(
      () => clients.every((c) => c.provider.awareness.getStates().get(zeroId)?.user !== undefined),
      'awareness reached every instance',
      10_000,
    )

    const storm = startStorm(clients)
    await waitFor(() => storm.edits.every((n) => n >= 150), 'storm ran', 20_000)
    await storm.stop()
    await waitAllSaved(clients)
    await waitFor(
      () => clients.every((c) => canonical(c.doc) === canonical(clients[0]?.doc ?? new Y.Doc())),
      'replicas converge',
      20_000,
    )
    const stored = await loadStoredDoc(database.db, project)
    for (const [i] of clients.entries()) expect(missingKeys(stored, i, storm.edits[i] ?? 0)).toEqual([])
    expect(canonical(stored)).toBe(canonical(clients[0]?.doc ?? new Y.Doc()))

    // A late joiner on every instance loads the same song.
    for (const instance of cluster.instances) {
      const late = await connectSynced(instance.url, project, { sub: 'late', role: 'viewer' })
      expect(canonical(late.doc)).toBe(canonical(stored))
      late.destroy()
    }
    destroyAll(clients)
    clients = []
  }, 90_000)

  it('fuzzer: malformed, truncated, oversized and random frames close only the sender; no instance crashes; storage unchanged', async () => {
    const project = uniqueProjectId('fuzz')
    const editors = await spreadClients(cluster.instances, project, 3)
    clients = editors
    for (const [i, c] of editors.entries()) c.map.set(`before-${i}`, i)
    await waitAllSaved(editors)
    await waitFor(() => editors.every((c) => c.map.size === 3), 'initial edits everywhere')
    const before = canonical(await loadStoredDoc(database.db, project))
    const unexpectedCloses: number[] = []
    for (const c of editors)
      c.provider.on('connection-close', (e: CloseEvent | null) => unexpectedCloses.push(e?.code ?? 0))

    const rand = mulberry32(0x5eed)
    const frames = fuzzFrames(rand, 40)
    const deadline = Date.now() + 30_000
    const codes = new Map<number, number>()
    for (const [n, { frame, role }] of frames.entries()) {
      if (Date.now() > deadline) break
      const instance = cluster.instances[n % cluster.instances.length]
      if (instance === undefined) continue
      const token = await tokenFor(project, { sub: `fuzz-${n}`, role })
      const raw = await openRawSocket(instance.url, project, token)
      raw.ws.send(frame)
      // A frame the server accepts (rare: a random frame that parses) leaves the socket open.
      const closed = await Promise.race([
        raw.closed,
        new Promise<null>((r) => setTimeout(() => r(null), 300)),
      ])
      if (closed === null) raw.ws.terminate()
      else codes.set(closed.code, (codes.get(closed.code) ?? 0) + 1)
    }
    // Each class of bad input met its close code.
    expect(codes.get(CloseCode.malformed) ?? 0).toBeGreaterThan(0)
    expect(codes.get(CloseCode.invalidUpdate) ?? 0).toBeGreaterThan(0)
    expect(codes.get(CloseCode.tooLarge) ?? 0).toBeGreaterThan(0)

    for (const instance of cluster.instances) {
      expect(instance.process.child.exitCode).toBeNull()
      const res = await fetch(`http://127.0.0.1:${instance.port}/readyz`)
      expect(res.status).toBe(200)
    }
    expect(unexpectedCloses).toEqual([])
    expect(editors.every((c) => c.provider.wsconnected)).toBe(true)
    expect(canonical(await loadStoredDoc(database.db, project))).toBe(before)
    // And the good clients still work across instances.
    editors[0]?.map.set('after', 1)
    await waitFor(() => editors.every((c) => c.map.get('after') === 1), 'edit after fuzzing reaches all')
    destroyAll(clients)
    clients = []
  }, 90_000)
})

/** Deterministic PRNG so a failing fuzz run can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function validUpdateFrame(rand: () => number): Uint8Array {
  const doc = new Y.Doc()
  doc.getMap('m').set(`k${Math.floor(rand() * 1e6)}`, 'x'.repeat(1 + Math.floor(rand() * 64)))
  return encodeSyncUpdate(Y.encodeStateAsUpdate(doc))
}

/**
 * `count` frames of each kind. Mutations of valid frames go out as a viewer: a flipped byte in a
 * string can still be a valid update, and a viewer's writes are dropped, so storage must not
 * change whatever the frame turns out to be. Random and truncated frames go out as an editor.
 */
function fuzzFrames(rand: () => number, count: number): { frame: Uint8Array; role: 'editor' | 'viewer' }[] {
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256))
  const out: { frame: Uint8Array; role: 'editor' | 'viewer' }[] = []
  for (let i = 0; i < count; i++) {
    // Random bytes behind a plausible header (sync update / awareness) or none at all.
    const header = [[0, 2], [1], [0, 1], []][i % 4] ?? []
    out.push({
      frame: Uint8Array.from([...header, ...randomBytes(1 + Math.floor(rand() * 200))]),
      role: 'editor',
    })
    const valid = validUpdateFrame(rand)
    out.push({ frame: valid.slice(0, 3 + Math.floor(rand() * (valid.length - 4))), role: 'editor' })
    const flipped = valid.slice()
    const at = 3 + Math.floor(rand() * (flipped.length - 3))
    flipped[at] = (flipped[at] ?? 0) ^ (1 + Math.floor(rand() * 255))
    out.push({ frame: flipped, role: 'viewer' })
    out.push({
      frame: Uint8Array.from([...valid, ...randomBytes(1 + Math.floor(rand() * 8))]),
      role: 'editor',
    })
  }
  // Oversized: above the 2 MiB default payload limit (ws closes with 1009).
  for (let i = 0; i < 3; i++) out.push({ frame: new Uint8Array(2 * 1024 * 1024 + 1 + i), role: 'editor' })
  // Interleave kinds so every instance sees every kind.
  return out.sort(() => rand() - 0.5)
}
