import { and, asc, desc, eq, gt, gte, lt, lte, sql } from 'drizzle-orm'
import type { Db } from './index'
import { documentSnapshots, documentUpdates } from './schema'

/** Queries over the document update log and its snapshots. Pure data access, no Yjs. */

export interface StoredDocument {
  /** Newest snapshot's state, if any. */
  snapshot: { upToSeq: number; state: Uint8Array } | null
  /** Log rows after the snapshot, in seq order. */
  tail: { seq: number; update: Uint8Array }[]
}

export interface NewUpdateRow {
  projectId: string
  seq: number
  update: Uint8Array
}

/**
 * Reads the newest snapshot plus the tail after it: cost bounded by the compaction threshold.
 *
 * With `afterSeq` (a replica catching up), rows up to `afterSeq` are skipped and the snapshot is
 * returned only if it covers more than that (another instance compacted past the replica).
 * Both reads run in one REPEATABLE READ transaction: a compaction committing between them would
 * otherwise delete the rows between the old snapshot and the new one under our feet.
 */
export async function readDocument(db: Db, projectId: string, afterSeq = 0): Promise<StoredDocument> {
  return db.transaction(
    async (tx) => {
      const [snap] = await tx
        .select({ upToSeq: documentSnapshots.upToSeq, state: documentSnapshots.state })
        .from(documentSnapshots)
        .where(and(eq(documentSnapshots.projectId, projectId), gt(documentSnapshots.upToSeq, afterSeq)))
        .orderBy(desc(documentSnapshots.upToSeq))
        .limit(1)
      const after = Math.max(afterSeq, snap?.upToSeq ?? 0)
      const tail = await tx
        .select({ seq: documentUpdates.seq, update: documentUpdates.update })
        .from(documentUpdates)
        .where(and(eq(documentUpdates.projectId, projectId), gt(documentUpdates.seq, after)))
        .orderBy(asc(documentUpdates.seq))
      return { snapshot: snap ?? null, tail }
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  )
}

/**
 * Serializes writers of one project's log across processes until the transaction ends: appends
 * (seq allocation) and compaction take it, so seqs are gap-free in commit order and two
 * compactions never interleave. Readers never take it (REPEATABLE READ gives them a consistent view).
 */
async function lockProjectLog(db: Db, projectId: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`ensemble.doc-log:${projectId}`}))`)
}

/**
 * Appends one project's updates inside the caller's transaction and returns their seqs. The seq
 * is allocated here, under the project lock, from the current head (newest row or snapshot), so
 * several instances writing the same room get one gap-free sequence, numbered in commit order:
 * a replica that has applied everything up to seq N can catch up by reading `seq > N`.
 * Call it for projects in sorted order so two transactions cannot deadlock on the locks.
 */
export async function appendUpdates(
  tx: Db,
  projectId: string,
  updates: readonly Uint8Array[],
): Promise<number[]> {
  if (updates.length === 0) return []
  await lockProjectLog(tx, projectId)
  const head = await headSeq(tx, projectId)
  const seqs = updates.map((_, i) => head + 1 + i)
  await tx
    .insert(documentUpdates)
    .values(updates.map((update, i) => ({ projectId, seq: head + 1 + i, update })))
  return seqs
}

/** The highest seq used by a project: newest log row, or the snapshot that swallowed it. One round trip. */
export async function headSeq(db: Db, projectId: string): Promise<number> {
  // An aggregate over no rows still yields one row; greatest() skips NULLs.
  const [row] = await db
    .select({
      head: sql<
        string | number | null
      >`greatest(max(${documentUpdates.seq}), (select max(${documentSnapshots.upToSeq}) from ${documentSnapshots} where ${documentSnapshots.projectId} = ${projectId}))`,
    })
    .from(documentUpdates)
    .where(eq(documentUpdates.projectId, projectId))
  return Number(row?.head ?? 0)
}

/** One multi-row INSERT; callers run it inside their group-commit transaction. */
export async function insertUpdates(db: Db, rows: readonly NewUpdateRow[]): Promise<void> {
  if (rows.length === 0) return
  await db.insert(documentUpdates).values([...rows])
}

/**
 * Writes a snapshot covering every row with `seq <= upToSeq` and deletes those rows and older
 * snapshots, atomically: a reader sees either the old snapshot + tail or the new one + tail.
 * Several instances may hold the room and compact at once: the project lock serializes them and
 * a compaction that finds a snapshot at least as new as its own does nothing (returns false), so
 * nothing is deleted that the newest snapshot does not cover.
 */
export async function compact(
  db: Db,
  projectId: string,
  upToSeq: number,
  state: Uint8Array,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lockProjectLog(tx, projectId)
    const [newer] = await tx
      .select({ upToSeq: documentSnapshots.upToSeq })
      .from(documentSnapshots)
      .where(and(eq(documentSnapshots.projectId, projectId), gte(documentSnapshots.upToSeq, upToSeq)))
      .limit(1)
    if (newer !== undefined) return false
    await tx.insert(documentSnapshots).values({ projectId, upToSeq, state, byteLength: state.byteLength })
    await tx
      .delete(documentUpdates)
      .where(and(eq(documentUpdates.projectId, projectId), lte(documentUpdates.seq, upToSeq)))
    await tx
      .delete(documentSnapshots)
      .where(and(eq(documentSnapshots.projectId, projectId), lt(documentSnapshots.upToSeq, upToSeq)))
    return true
  })
}

/** Row counts of one project, for tests and diagnostics. */
export async function countRows(db: Db, projectId: string): Promise<{ updates: number; snapshots: number }> {
  const [u] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(documentUpdates)
    .where(eq(documentUpdates.projectId, projectId))
  const [s] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(documentSnapshots)
    .where(eq(documentSnapshots.projectId, projectId))
  return { updates: u?.n ?? 0, snapshots: s?.n ?? 0 }
}
