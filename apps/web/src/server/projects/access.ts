import { TRPCError } from '@trpc/server'
import { and, eq, isNull } from 'drizzle-orm'
import type { Role } from '../collab/tokens'
import { type Db, schema } from '../db'

/**
 * Who may do what in a project. One ladder: viewer < editor < owner. Callers who are not members
 * get NOT_FOUND, the same answer as for a project that does not exist, so ids cannot be probed.
 * A deleted project (recoverable until the purge) has no members as far as this file is
 * concerned: only the owner's `projects.deleted` and `projects.restore` look at it.
 */

const rank: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 }

export const atLeast = (role: Role, min: Role): boolean => rank[role] >= rank[min]

/** The caller's role in a live (not deleted) project, or null. */
export async function memberRole(db: Db, projectId: string, userId: string): Promise<Role | null> {
  const [row] = await db
    .select({ role: schema.projectMembers.role })
    .from(schema.projectMembers)
    .innerJoin(schema.projects, eq(schema.projects.id, schema.projectMembers.projectId))
    .where(
      and(
        eq(schema.projectMembers.projectId, projectId),
        eq(schema.projectMembers.userId, userId),
        isNull(schema.projects.deletedAt),
      ),
    )
  return row?.role ?? null
}

export async function requireRole(db: Db, projectId: string, userId: string, min: Role): Promise<Role> {
  const role = await memberRole(db, projectId, userId)
  if (role === null) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such project.' })
  if (!atLeast(role, min))
    throw new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${min} role; you are ${role}.` })
  return role
}

/**
 * For the collab server: the role to grant on connect, or null to refuse. A project that does
 * not exist, or was deleted, refuses every token, however fresh. Only with `tokenOnlyRooms`
 * (COLLAB_TOKEN_ONLY_ROOMS, for protocol benches and tests) does an id that never had a project
 * row trust the token's role; a deleted project's id is refused even then.
 */
export async function collabAuthorize(
  db: Db,
  projectId: string,
  userId: string,
  tokenRole: Role,
  options: { tokenOnlyRooms: boolean },
): Promise<Role | null> {
  const [project] = await db
    .select({ deletedAt: schema.projects.deletedAt })
    .from(schema.projects)
    .where(eq(schema.projects.id, projectId))
  if (project === undefined) return options.tokenOnlyRooms ? tokenRole : null
  if (project.deletedAt !== null) return null
  return memberRole(db, projectId, userId)
}
