import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import { CloseCode } from '../src/server/collab/protocol'
import { type Database, schema } from '../src/server/db'
import { type Caller, signUp } from './helpers/api'
import { openSongAs } from './helpers/clients'
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
    const conn = await openSongAs(collabUrl(server), editor, projectId)
    const member = and(
      eq(schema.projectMembers.projectId, projectId),
      eq(schema.projectMembers.userId, editor.userId),
    )

    await database.db.update(schema.projectMembers).set({ role: 'viewer' }).where(member)
    await waitFor(() => conn.closes.includes(CloseCode.roleChanged), 'demotion applied', 5000)
    await waitFor(() => server.collab.openAccess().some((c) => c.role === 'viewer'), 'reconnected as viewer')

    await database.db.delete(schema.projectMembers).where(member)
    await waitFor(() => conn.closes.includes(CloseCode.accessRevoked), 'removal applied', 5000)
    conn.destroy()

    // Deletion elsewhere (the row marked deleted, as projects.delete does): the owner's open connection is closed too.
    const ownerConn = await openSongAs(collabUrl(server), owner, projectId)
    await database.db
      .update(schema.projects)
      .set({ deletedAt: new Date() })
      .where(eq(schema.projects.id, projectId))
    await waitFor(() => ownerConn.closes.includes(CloseCode.accessRevoked), 'deletion applied', 5000)
    expect(server.collab.openAccess().filter((c) => c.projectId === projectId)).toEqual([])
    ownerConn.destroy()
  })
})
