import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode } from '../src/server/collab/protocol'
import { schema } from '../src/server/db'
import { openSongAs } from './helpers/clients'
import { drivers } from './helpers/db'
import { seedProject } from './helpers/projects'
import { collabUrl, startTwoUserServer, type TwoUserServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/**
 * A membership change made by another instance (here: written straight to the database, which is
 * all this instance would see of it) still reaches open connections within seconds.
 */
describe.each(drivers)('membership sweep on %s', (driver) => {
  let band: TwoUserServer

  beforeAll(async () => {
    band = await startTwoUserServer(driver, {
      membershipSweepMs: 200,
    })
  })
  afterAll(async () => {
    await band?.close()
  })

  it('applies a demotion, a removal and a deletion made elsewhere', async () => {
    const projectId = await seedProject(band.database.db, [
      { userId: band.owner.userId, role: 'owner' },
      { userId: band.editor.userId, role: 'editor' },
    ])
    const conn = await openSongAs(collabUrl(band.server), band.editor, projectId)
    const member = and(
      eq(schema.projectMembers.projectId, projectId),
      eq(schema.projectMembers.userId, band.editor.userId),
    )

    await band.database.db.update(schema.projectMembers).set({ role: 'viewer' }).where(member)
    await waitFor(() => conn.closes.includes(CloseCode.roleChanged), 'demotion applied', 5000)
    await waitFor(
      () => band.server.collab.openAccess().some((c) => c.role === 'viewer'),
      'reconnected as viewer',
    )

    await band.database.db.delete(schema.projectMembers).where(member)
    await waitFor(() => conn.closes.includes(CloseCode.accessRevoked), 'removal applied', 5000)
    conn.destroy()

    // Deletion elsewhere (the row marked deleted, as projects.delete does): the owner's open connection is closed too.
    const ownerConn = await openSongAs(collabUrl(band.server), band.owner, projectId)
    await band.database.db
      .update(schema.projects)
      .set({ deletedAt: new Date() })
      .where(eq(schema.projects.id, projectId))
    await waitFor(() => ownerConn.closes.includes(CloseCode.accessRevoked), 'deletion applied', 5000)
    expect(band.server.collab.openAccess().filter((c) => c.projectId === projectId)).toEqual([])
    ownerConn.destroy()
  })
})
