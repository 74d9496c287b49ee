import { and, asc, desc, eq, gt, lt, lte, sql } from 'drizzle-orm'
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

/** Reads the newest snapshot plus the tail after it: cost bounded by the compaction threshold. */
export async function readDocument(db: Db, projectId: string): Promise<StoredDocument> {
  const [snap] = await db
    .select({ upToSeq: documentSnapshots.upToSeq, state: documentSnapshots.state })
    .from(documentSnapshots)
    .where(eq(documentSnapshots.projectId, projectId))
    .orderBy(desc(documentSnapshots.upToSeq))
    .limit(1)
  const after = snap?.upToSeq ?? 0
  const tail = await db
    .select({ seq: documentUpdates.seq, update: documentUpdates.update })
    .from(documentUpdates)
    .where(and(eq(documentUpdates.projectId, projectId), gt(documentUpdates.seq, after)))
    .orderBy(asc(documentUpdates.seq))
  return { snapshot: snap ?? null, tail }
}

/** One multi-row INSERT; callers run it inside their group-commit transaction. */
export async function insertUpdates(db: Db, rows: readonly NewUpdateRow[]): Promise<void> {
  if (rows.length === 0) return
  await db.insert(documentUpdates).values([...rows])
}

/**
 * Writes a snapshot covering every row with `seq <= upToSeq` and deletes those rows and older
 * snapshots, atomically: a reader sees either the old snapshot + tail or the new one + tail.
 */
export async function compact(db: Db, projectId: string, upToSeq: number, state: Uint8Array): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(documentSnapshots)
      .values({ projectId, upToSeq, state, byteLength: state.byteLength })
      .onConflictDoNothing()
    await tx
      .delete(documentUpdates)
      .where(and(eq(documentUpdates.projectId, projectId), lte(documentUpdates.seq, upToSeq)))
    await tx
      .delete(documentSnapshots)
      .where(and(eq(documentSnapshots.projectId, projectId), lt(documentSnapshots.upToSeq, upToSeq)))
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
