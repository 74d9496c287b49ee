import { inArray } from 'drizzle-orm'
import type { CollabServer } from '../collab/server'
import { type Db, schema } from '../db'

/**
 * Membership changes are pushed to open connections by the instance that made them
 * (`setAccess`, `closeProject`). With several instances (REDIS_URL) the others learn over the
 * bus, and here as well, should that message be lost: every `intervalMs` each instance re-reads
 * the membership of the projects it has connections in and applies any difference. One query per
 * sweep; nothing runs while there are no connections. What it read is also handed to the collab
 * server (`recordMembership`): while the database is unreachable, those members may still join
 * these rooms here, e.g. coming from an instance that died meanwhile.
 */
export function startMembershipSweep(
  collab: CollabServer,
  db: Db,
  options: { intervalMs: number; tokenOnlyRooms: boolean },
): () => void {
  let running = false

  const sweep = async () => {
    const open = collab.openAccess()
    if (open.length === 0 || running) return
    running = true
    try {
      const ids = [...new Set(open.map((c) => c.projectId))]
      const at = Date.now()
      const [projects, members] = await Promise.all([
        db
          .select({ id: schema.projects.id, deletedAt: schema.projects.deletedAt })
          .from(schema.projects)
          .where(inArray(schema.projects.id, ids)),
        db
          .select({
            projectId: schema.projectMembers.projectId,
            userId: schema.projectMembers.userId,
            role: schema.projectMembers.role,
          })
          .from(schema.projectMembers)
          .where(inArray(schema.projectMembers.projectId, ids)),
      ])
      const deleted = new Map(projects.map((p) => [p.id, p.deletedAt !== null]))
      const roles = new Map(members.map((m) => [`${m.projectId}\u0000${m.userId}`, m.role]))
      const byProject = new Map<string, typeof members>()
      for (const m of members) {
        const list = byProject.get(m.projectId)
        if (list) list.push(m)
        else byProject.set(m.projectId, [m])
      }
      const closed = new Set<string>()
      for (const projectId of ids) {
        const isDeleted = deleted.get(projectId)
        if (isDeleted === false) collab.recordMembership(projectId, byProject.get(projectId) ?? [], at)
        // A token-only room (when allowed) has no row: during an outage it opens on the token alone.
        else if (isDeleted === undefined && options.tokenOnlyRooms)
          collab.recordMembership(projectId, null, at)
      }
      for (const c of open) {
        if (closed.has(c.projectId)) continue
        const isDeleted = deleted.get(c.projectId)
        // No row: a token-only room (when allowed), or a project purged since.
        if (isDeleted === undefined && options.tokenOnlyRooms) continue
        if (isDeleted !== false) {
          closed.add(c.projectId)
          collab.closeProject(c.projectId)
          continue
        }
        const role = roles.get(`${c.projectId}\u0000${c.userId}`) ?? null
        if (role !== c.role) collab.setAccess(c.projectId, c.userId, role)
      }
    } catch (err) {
      console.warn(`[members] membership sweep failed: ${err instanceof Error ? err.message : String(err)}`)
    } finally {
      running = false
    }
  }

  const timer = setInterval(() => void sweep(), options.intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
