import { TRPCError } from '@trpc/server'
import { and, eq } from 'drizzle-orm'
import type { Role } from '../collab/tokens'
import { type Db, schema } from '../db'

/**
 * Who may do what in a project. One ladder: viewer < editor < owner. Callers who are not members
 * get NOT_FOUND, the same answer as for a project that does not exist, so ids cannot be probed.
 */

const rank: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 }

export const atLeast = (role: Role, min: Role): boolean => rank[role] >= rank[min]

export async function memberRole(db: Db, projectId: string, userId: string): Promise<Role | null> {
  const [row] = await db
    .select({ role: schema.projectMembers.role })
    .from(schema.projectMembers)
    .where(and(eq(schema.projectMembers.projectId, projectId), eq(schema.projectMembers.userId, userId)))
  return row?.role ?? null
}

export async function requireRole(db: Db, projectId: string, userId: string, min: Role): Promise<Role> {
  const role = await memberRole(db, projectId, userId)
  if (role === null) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such project.' })
  if (!atLeast(role, min))
    throw new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${min} role; you are ${role}.` })
  return role
}

/** For the collab server: the role to grant on connect, or null. Rooms with no project row are token-only. */
export async function collabAuthorize(db: Db, projectId: string, userId: string, tokenRole: Role) {
  const [project] = await db
    .select({ id: schema.projects.id })
    .from(schema.projects)
    .where(eq(schema.projects.id, projectId))
  if (project === undefined) return tokenRole
  return memberRole(db, projectId, userId)
}
