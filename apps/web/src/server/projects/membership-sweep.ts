import { inArray } from 'drizzle-orm'
import type { CollabServer } from '../collab/server'
import { type Db, schema } from '../db'

/**
 * Membership changes are pushed to open connections by the instance that made them
 * (`setAccess`). With several instances (REDIS_URL) the others learn here: every `intervalMs`
 * each instance re-reads the membership of the projects it has connections in and applies any
 * difference. One query per sweep; nothing runs while there are no connections. What it read is
 * also handed to the collab server (`recordMembership`): while the database is unreachable, those
 * members may still join these rooms here, e.g. coming from an instance that died meanwhile.
 */
export function startMembershipSweep(collab: CollabServer, db: Db, intervalMs: number): () => void {
  /** Projects seen with a row: if the row disappears, the project was deleted elsewhere. */
  const known = new Set<string>()
  let running = false

  const sweep = async () => {
    const open = collab.openAccess()
    if (open.length === 0 || running) return
    running = true
    try {
      const ids = [...new Set(open.map((c) => c.projectId))]
      const at = Date.now()
      const [projects, members] = await Promise.all([
        db.select({ id: schema.projects.id }).from(schema.projects).where(inArray(schema.projects.id, ids)),
        db
          .select({
            projectId: schema.projectMembers.projectId,
            userId: schema.projectMembers.userId,
            role: schema.projectMembers.role,
          })
          .from(schema.projectMembers)
          .where(inArray(schema.projectMembers.projectId, ids)),
      ])
      const existing = new Set(projects.map((p) => p.id))
      const roles = new Map(members.map((m) => [`${m.projectId}\u0000${m.userId}`, m.role]))
      for (const projectId of ids) {
        // A project deleted since the last sweep is closed below, not opened to tokens alone.
        if (existing.has(projectId)) {
          collab.recordMembership(
            projectId,
            members.filter((m) => m.projectId === projectId),
            at,
          )
        } else if (!known.has(projectId)) collab.recordMembership(projectId, null, at)
      }
      for (const c of open) {
        if (!existing.has(c.projectId)) {
          // Token-only rooms never had a row; a project we saw before did and was deleted.
          if (known.delete(c.projectId)) collab.setAccess(c.projectId, null, null)
          continue
        }
        known.add(c.projectId)
        const role = roles.get(`${c.projectId}\u0000${c.userId}`) ?? null
        if (role !== c.role) collab.setAccess(c.projectId, c.userId, role)
      }
    } catch (err) {
      console.warn(`[members] membership sweep failed: ${err instanceof Error ? err.message : String(err)}`)
    } finally {
      running = false
    }
  }

  const timer = setInterval(() => void sweep(), intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
