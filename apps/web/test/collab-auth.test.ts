import { request } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import type { Database } from '../src/server/db'
import {
  connectClient,
  connectSynced,
  destroyAll,
  docState,
  isSaved,
  loadStoredDoc,
  type TestClient,
  tokenFor,
  upgradeStatus,
} from './helpers/clients'
import { drivers, openTestDatabase, uniqueProjectId } from './helpers/db'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

describe.each(drivers)('collab tokens and roles on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let clients: TestClient[] = []

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    server = await startTestServer(database, { tokenOnlyRooms: true, limits: { maxConnectionsPerUser: 2 } })
  })
  afterEach(() => {
    destroyAll(clients)
    clients = []
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  const roomUrl = (project: string, token?: string) =>
    `${collabUrl(server)}/${project}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`

  it('refuses missing, forged, expired and malformed tokens with 401 and other-project tokens with 403', async () => {
    const project = uniqueProjectId()
    expect(await upgradeStatus(roomUrl(project))).toBe(401)
    expect(await upgradeStatus(roomUrl(project, 'not-a-jwt'))).toBe(401)
    expect(await upgradeStatus(roomUrl(project, await tokenFor(project, {}, 'some-other-secret')))).toBe(401)
    const expired = await tokenFor(project, {}, undefined, Math.floor(Date.now() / 1000) - 60)
    expect(await upgradeStatus(roomUrl(project, expired))).toBe(401)
    expect(await upgradeStatus(roomUrl(project, await tokenFor(project, { project: 'elsewhere' })))).toBe(403)
    expect(await upgradeStatus(roomUrl(project, await tokenFor(project)))).toBe(101)
    expect(server.collab.stats().rooms).toBeGreaterThanOrEqual(1)
  })

  it('limits connections per user (429) and frees the slot when one closes', async () => {
    const project = uniqueProjectId()
    const user = { sub: `limited-${project}` }
    clients = [
      await connectSynced(collabUrl(server), project, user),
      await connectSynced(collabUrl(server), project, user),
    ]
    expect(await upgradeStatus(roomUrl(project, await tokenFor(project, user)))).toBe(429)
    clients[0]!.destroy()
    await waitFor(
      async () => (await upgradeStatus(roomUrl(project, await tokenFor(project, user)))) === 101,
      'slot freed',
    )
  })

  it("a broken WebSocket handshake with a valid token does not use up the user's connection slots", async () => {
    const project = uniqueProjectId()
    const user = { sub: `broken-${project}` }
    const token = await tokenFor(project, user)
    for (let i = 0; i < 3; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(roomUrl(project, token).replace('ws:', 'http:'), {
          headers: { Connection: 'Upgrade', Upgrade: 'websocket' }, // no Sec-WebSocket-Key
        })
        req.on('response', (res) => resolve(res.statusCode ?? 0))
        req.on('upgrade', () => resolve(101))
        req.on('error', reject)
        req.end()
      })
      expect(status).toBe(400)
    }
    expect(await upgradeStatus(roomUrl(project, token))).toBe(101)
  })

  it('viewers sync and see edits, but their writes are neither applied, broadcast nor stored', async () => {
    const project = uniqueProjectId()
    const editor = await connectSynced(collabUrl(server), project, { sub: 'ed', role: 'editor' })
    clients = [editor]
    editor.map.set('before', 1)
    await waitFor(() => isSaved(editor), 'editor saved')
    const viewer = await connectSynced(collabUrl(server), project, { sub: 'vi', role: 'viewer' })
    const other = await connectClient(collabUrl(server), project, { sub: 'ot', role: 'viewer' })
    clients.push(viewer, other)
    await waitFor(() => viewer.map.get('before') === 1, 'viewer received existing content')

    viewer.map.set('viewer-write', 'nope')
    editor.map.set('after', 2) // a marker sent after the viewer's write
    await waitFor(
      () => viewer.map.get('after') === 2 && other.map.get('after') === 2 && isSaved(editor),
      'marker reached everyone',
    )
    const room = await server.collab.rooms.peek(project)
    expect(room?.droppedViewerUpdates).toBeGreaterThan(0)
    expect(room?.doc.getMap('m').has('viewer-write')).toBe(false)
    expect(editor.map.has('viewer-write')).toBe(false)
    expect(other.map.has('viewer-write')).toBe(false)
    expect(docState(await loadStoredDoc(database.db, project))).toEqual({ before: 1, after: 2 })
    // A viewer is never told its edit was saved.
    expect(viewer.saved.get()).toBe('saving')
  })
})
