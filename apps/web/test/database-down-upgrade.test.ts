import { randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import type { RunningServer } from '../src/server/app'
import type { Role } from '../src/server/collab/tokens'
import { type Database, openMigratedDatabase, schema } from '../src/server/db'
import { connectSynced, destroyAll, isSaved, type TestClient, tokenFor } from './helpers/clients'
import { seedProject } from './helpers/projects'
import { type ConfigOverrides, collabUrl, startTestServer } from './helpers/server'
import { type OwnPostgres, ownServicesUnavailable, recordSkip, startOwnPostgres } from './helpers/services'
import { waitFor } from './helpers/wait'

/**
 * Reconnecting while PostgreSQL is down. Every upgrade reads the membership; when it cannot, the
 * answer is 503 with Retry-After and one log line, unless the room is loaded on this instance and
 * the instance read the user's membership lately (its membership sweep reads the whole membership
 * of its rooms): then the member is admitted, so that clients of an instance that dies during the
 * outage can move to one that holds their room. Tokens are verified all the same, the role is the
 * lesser of the token's and the one read, and a membership read too long ago admits no one. The
 * database is a PostgreSQL of this test's own, really stopped.
 */

const unavailable = ownServicesUnavailable()
if (unavailable !== null) recordSkip(`database-down-upgrade tests skipped: ${unavailable}`)

/** The status of a refused upgrade and its Retry-After header (101 if it was accepted). */
function upgradeAnswer(url: string): Promise<{ status: number; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.on('unexpected-response', (_req, res) => {
      const retryAfter = res.headers['retry-after']
      resolve({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null })
      ws.terminate()
    })
    ws.on('open', () => {
      resolve({ status: 101, retryAfter: null })
      ws.close()
    })
    ws.on('error', reject)
  })
}

describe.skipIf(unavailable !== null)('upgrades while the database is down', () => {
  let postgres: OwnPostgres
  let database: Database
  let server: RunningServer | null = null
  let clients: TestClient[] = []
  let warnings: string[] = []

  beforeAll(async () => {
    postgres = await startOwnPostgres()
    database = await openMigratedDatabase({ driver: 'postgres', url: postgres.url })
  }, 120_000)
  afterEach(async () => {
    vi.restoreAllMocks()
    destroyAll(clients)
    clients = []
    await server?.close()
    server = null
    await postgres.start().catch(() => {}) // already running unless a test failed midway
  })
  afterAll(async () => {
    await database?.close()
    await postgres?.destroy()
  })

  async function seedUser(label: string): Promise<string> {
    const id = `${label}-${randomUUID()}`
    await database.db.insert(schema.users).values({ id, name: label, email: `${id}@example.test` })
    return id
  }

  async function start(overrides: ConfigOverrides): Promise<RunningServer> {
    server = await startTestServer(database, { membershipSweepMs: 100, ...overrides })
    // The collab server logs through console.warn (the app's wiring, as in production).
    warnings = []
    vi.spyOn(console, 'warn').mockImplementation((line: unknown) => {
      warnings.push(String(line))
    })
    return server
  }

  const roomUrl = async (s: RunningServer, projectId: string, sub: string, role: Role = 'editor') =>
    `${collabUrl(s)}/${projectId}?token=${encodeURIComponent(await tokenFor(projectId, { sub, role }))}`

  it('admits a member read lately to a room loaded here, refuses everyone else with 503 and Retry-After', async () => {
    const [host, mover, viewer, revoked, outsider] = await Promise.all(
      ['host', 'mover', 'viewer', 'revoked', 'outsider'].map(seedUser),
    )
    if (!host || !mover || !viewer || !revoked || !outsider) throw new Error('users not seeded')
    const song = await seedProject(database.db, [
      { userId: host, role: 'editor' },
      { userId: mover, role: 'editor' },
      { userId: viewer, role: 'viewer' },
      { userId: revoked, role: 'editor' },
    ])
    const notLoaded = await seedProject(database.db, [{ userId: mover, role: 'editor' }])
    const s = await start({})
    const url = collabUrl(s)
    // The host keeps the room loaded here; `mover` and `viewer` never connected to this instance.
    const hostClient = await connectSynced(url, song, { sub: host })
    const revokedClient = await connectSynced(url, song, { sub: revoked })
    clients = [hostClient, revokedClient]
    // Removed elsewhere: the sweep closes the connection and forgets the membership.
    await database.db
      .delete(schema.projectMembers)
      .where(and(eq(schema.projectMembers.projectId, song), eq(schema.projectMembers.userId, revoked)))
    await waitFor(() => s.collab.openAccess().every((c) => c.userId !== revoked), 'revoked member closed')
    revokedClient.destroy()
    await new Promise((r) => setTimeout(r, 500)) // a few more sweeps read the whole membership

    await postgres.stop()
    // Clients of an instance that died meanwhile come here: members read lately are let in.
    const moverClient = await connectSynced(url, song, { sub: mover })
    clients.push(moverClient)
    moverClient.map.set('written-during-outage', 1)
    await waitFor(() => hostClient.map.get('written-during-outage') === 1, 'edit reaches the host in memory')
    expect(moverClient.saved.get()).toBe('saving')
    // Never more than the token says nor more than the membership read: an editor's token for a viewer.
    const viewerClient = await connectSynced(url, song, { sub: viewer, role: 'editor' })
    clients.push(viewerClient)
    expect(s.collab.openAccess().find((c) => c.userId === viewer)?.role).toBe('viewer')

    // Everyone else waits for the database, told so: a non-member, the member removed before the
    // outage, and a member of a room this instance does not hold.
    for (const [projectId, sub] of [
      [song, outsider],
      [song, revoked],
      [notLoaded, mover],
    ] as const) {
      expect(await upgradeAnswer(await roomUrl(s, projectId, sub))).toEqual({ status: 503, retryAfter: '2' })
    }
    // Tokens are still verified.
    const forged = await tokenFor(song, { sub: mover }, 'another-secret')
    expect((await upgradeAnswer(`${url}/${song}?token=${forged}`)).status).toBe(401)
    // One line per refusal, no stack trace.
    const refusals = warnings.filter((l) => l.includes('refused with 503'))
    expect(refusals).toHaveLength(3)
    expect(warnings.filter((l) => /\n\s+at /.test(l))).toEqual([])

    await postgres.start()
    await waitFor(() => isSaved(moverClient), 'the edit made during the outage is saved', 20_000)
    expect((await upgradeAnswer(await roomUrl(s, song, outsider))).status).toBe(403)
    expect((await upgradeAnswer(await roomUrl(s, notLoaded, mover))).status).toBe(101)
  }, 90_000)

  it('a membership read longer ago than COLLAB_MEMBERSHIP_STALE_MS admits no one', async () => {
    const host = await seedUser('host')
    const mover = await seedUser('mover')
    const song = await seedProject(database.db, [
      { userId: host, role: 'editor' },
      { userId: mover, role: 'editor' },
    ])
    const staleMs = 1000
    const s = await start({ membershipStaleMs: staleMs })
    clients = [await connectSynced(collabUrl(s), song, { sub: host })]
    await new Promise((r) => setTimeout(r, 300)) // swept at least once
    await postgres.stop()
    await new Promise((r) => setTimeout(r, staleMs + 200))
    expect(await upgradeAnswer(await roomUrl(s, song, mover))).toEqual({ status: 503, retryAfter: '2' })
    expect(s.collab.openAccess().map((c) => c.userId)).toEqual([host])
  }, 60_000)
})
