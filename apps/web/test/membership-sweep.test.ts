import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { connectSong } from '../src/client/collab'
import type { RunningServer } from '../src/server/app'
import { CloseCode } from '../src/server/collab/protocol'
import { type Database, schema } from '../src/server/db'
import { type Caller, signUp } from './helpers/api'
import { drivers, openTestDatabase } from './helpers/db'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/**
 * A membership change made by another instance (here: written straight to the database, which is
 * all this instance would see of it) still reaches open connections within seconds.
 */
describe.each(drivers)('membership sweep on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let owner: Caller
  let editor: Caller

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    server = await startTestServer(database, {
      membershipSweepMs: 200,
      authRateLimit: { max: 10_000, windowSeconds: 60 },
    })
    owner = await signUp(server.url, 'owner')
    editor = await signUp(server.url, 'editor')
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it('applies a demotion, a removal and a deletion made elsewhere', async () => {
    const projectId = await seedProject(database.db, [
      { userId: owner.userId, role: 'owner' },
      { userId: editor.userId, role: 'editor' },
    ])
    const { token } = await editor.api.rooms.token.mutate({ projectId })
    const doc = new Y.Doc()
    const conn = connectSong({
      url: collabUrl(server),
      projectId,
      token,
      doc,
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    })
    const closes: number[] = []
    conn.provider.on('connection-close', (e) => e && closes.push(e.code))
    await waitFor(() => conn.provider.synced, 'synced')
    const member = and(
      eq(schema.projectMembers.projectId, projectId),
      eq(schema.projectMembers.userId, editor.userId),
    )

    await database.db.update(schema.projectMembers).set({ role: 'viewer' }).where(member)
    await waitFor(() => closes.includes(CloseCode.roleChanged), 'demotion applied', 5000)
    await waitFor(() => server.collab.openAccess().some((c) => c.role === 'viewer'), 'reconnected as viewer')

    await database.db.delete(schema.projectMembers).where(member)
    await waitFor(() => closes.includes(CloseCode.accessRevoked), 'removal applied', 5000)
    conn.destroy()

    // Deletion elsewhere: the owner's open connection is closed too.
    const { token: ownerToken } = await owner.api.rooms.token.mutate({ projectId })
    const ownerDoc = new Y.Doc()
    const ownerConn = connectSong({
      url: collabUrl(server),
      projectId,
      token: ownerToken,
      doc: ownerDoc,
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    })
    const ownerCloses: number[] = []
    ownerConn.provider.on('connection-close', (e) => e && ownerCloses.push(e.code))
    await waitFor(() => ownerConn.provider.synced, 'owner synced')
    await new Promise((r) => setTimeout(r, 400)) // one sweep sees the project
    await database.db.delete(schema.projects).where(eq(schema.projects.id, projectId))
    await waitFor(() => ownerCloses.includes(CloseCode.accessRevoked), 'deletion applied', 5000)
    expect(server.collab.openAccess().filter((c) => c.projectId === projectId)).toEqual([])
    ownerConn.destroy()
  })
})
