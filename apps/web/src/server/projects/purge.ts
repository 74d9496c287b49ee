import { and, inArray, isNotNull, lt } from 'drizzle-orm'
import { type Db, schema } from '../db'

/**
 * A deleted project stays restorable by its owner for the retention period
 * (DELETED_PROJECT_RETENTION_DAYS); after that it is removed for good: its row with members,
 * invites, versions, AI runs and installed plugins (foreign keys cascade), and its song's log,
 * snapshots, log head, classified changes and visits (keyed by project id without a foreign key: the log is written on the
 * hot path, see db/schema/collab.ts). One transaction, so a purge never leaves half a song.
 * Every instance runs the sweep; two that overlap delete the same rows once.
 */

/** Removes every project deleted before `deletedBefore`; returns their ids. */
export async function purgeDeletedProjects(db: Db, deletedBefore: Date): Promise<string[]> {
  const { projects, documentUpdates, documentSnapshots, documentLogHeads, songChanges, songVisits } = schema
  return db.transaction(async (tx) => {
    const gone = await tx
      .delete(projects)
      .where(and(isNotNull(projects.deletedAt), lt(projects.deletedAt, deletedBefore)))
      .returning({ id: projects.id })
    const ids = gone.map((p) => p.id)
    if (ids.length === 0) return ids
    await tx.delete(documentUpdates).where(inArray(documentUpdates.projectId, ids))
    await tx.delete(documentSnapshots).where(inArray(documentSnapshots.projectId, ids))
    await tx.delete(documentLogHeads).where(inArray(documentLogHeads.projectId, ids))
    await tx.delete(songChanges).where(inArray(songChanges.projectId, ids))
    await tx.delete(songVisits).where(inArray(songVisits.projectId, ids))
    return ids
  })
}

export interface PurgeOptions {
  /** How long a deleted project can be restored. */
  retentionMs: number
  /** How often the sweep runs. */
  intervalMs: number
  log: (line: string) => void
}

/** Runs the purge every `intervalMs` (and once at start); returns the stop function. */
export function startPurge(db: Db, options: PurgeOptions): () => void {
  let running = false
  const purge = async () => {
    if (running) return
    running = true
    try {
      const ids = await purgeDeletedProjects(db, new Date(Date.now() - options.retentionMs))
      if (ids.length > 0) options.log(`[projects] purged ${ids.length} deleted project(s)`)
    } catch (err) {
      options.log(`[projects] purge failed: ${err instanceof Error ? err.message : String(err)}`)
    } finally {
      running = false
    }
  }
  void purge()
  const timer = setInterval(() => void purge(), options.intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
