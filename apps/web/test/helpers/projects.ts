import { randomUUID } from 'node:crypto'
import type { Role } from '../../src/server/collab/tokens'
import { type Db, schema } from '../../src/server/db'

/**
 * Test fixtures written straight to the database: a project with the given members. The invite
 * flow has its own tests; here it would only make every matrix case slower.
 */
export async function seedProject(
  db: Db,
  members: readonly { userId: string; role: Role }[],
  name = 'Fixture song',
): Promise<string> {
  const id = randomUUID()
  await db.insert(schema.projects).values({ id, name })
  await db.insert(schema.projectMembers).values(members.map((m) => ({ projectId: id, ...m })))
  return id
}
