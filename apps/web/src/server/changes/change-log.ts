import { listChanges, type SongChange, SongChangeSchema } from '@ensemble/core'
import { and, asc, desc, eq, gt, inArray, lt, lte, sql } from 'drizzle-orm'
import * as Y from 'yjs'
import { z } from 'zod'
import { type Db, schema } from '../db'

/**
 * The song's changes as people made them, kept past compaction. Each log row is one committed
 * update with its author (the room token's user). A compaction folds rows into a snapshot that keeps
 * only the resulting state, so just before it deletes them (`classifyFolded`, run inside the
 * compaction's transaction and lock) the rows are replayed from the previous snapshot and each one's
 * typed changes (core's `listChanges`) are stored in `song_changes`. Rows still in the log tail are
 * classified when someone asks (`readChangesSince`), from the newest snapshot.
 *
 * Costs: a compaction replays at most the rows it folds (the compaction policy bounds them); a
 * summary replays the tail (same bound) and reads at most `MAX_STORED_ENTRIES` stored rows, counting
 * the rest per author without reading them.
 */

/** Stored (already classified) entries read per summary; the rest are counted ("and N more edits"). */
export const MAX_STORED_ENTRIES = 5000

const StoredChanges = z.array(SongChangeSchema)

export interface ChangeEntry {
  seq: number
  authorId: string | null
  changes: SongChange[]
}

/** Rows classified between two turns of the event loop: a compaction must not stall the rooms. */
const ROWS_PER_TURN = 50

/**
 * Classifies the rows a compaction is about to fold (`seq <= upToSeq`) and returns the write that
 * stores the changes some member has not seen yet and drops stored changes every member has seen. A
 * `FoldHook` (db/update-log.ts): the reads and the replay run before the compaction's transaction (one
 * REPEATABLE READ snapshot, so a compaction elsewhere cannot show us a new snapshot with old rows), the
 * write inside it. Rows another compaction already stored are left as they are (the same rows replay
 * to the same changes).
 */
export async function classifyFolded(
  db: Db,
  projectId: string,
  upToSeq: number,
): Promise<(tx: Db) => Promise<void>> {
  const { documentSnapshots, documentUpdates, songChanges } = schema
  const read = await db.transaction(
    async (tx) => {
      const keepAfter = await oldestVisit(tx, projectId)
      if (keepAfter === null || keepAfter >= upToSeq) return null
      const [previous] = await tx
        .select({ state: documentSnapshots.state })
        .from(documentSnapshots)
        .where(and(eq(documentSnapshots.projectId, projectId), lt(documentSnapshots.upToSeq, upToSeq)))
        .orderBy(desc(documentSnapshots.upToSeq))
        .limit(1)
      const rows = await tx
        .select({
          seq: documentUpdates.seq,
          update: documentUpdates.update,
          authorId: documentUpdates.authorId,
        })
        .from(documentUpdates)
        .where(and(eq(documentUpdates.projectId, projectId), lte(documentUpdates.seq, upToSeq)))
        .orderBy(asc(documentUpdates.seq))
      return { keepAfter, previous, rows }
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  )
  const entries: { projectId: string; seq: number; authorId: string | null; changes: SongChange[] }[] = []
  if (read !== null) {
    const doc = new Y.Doc()
    try {
      if (read.previous !== undefined) Y.applyUpdate(doc, read.previous.state)
      for (const [i, row] of read.rows.entries()) {
        if (i > 0 && i % ROWS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve))
        const changes = listChanges(doc, row.update)
        if (changes.length > 0 && row.seq > read.keepAfter)
          entries.push({ projectId, seq: row.seq, authorId: row.authorId, changes })
      }
    } finally {
      doc.destroy()
    }
  }
  return async (tx) => {
    // Visits may have moved since the read: what is kept is decided under the lock.
    const keepAfter = await oldestVisit(tx, projectId)
    await tx
      .delete(songChanges)
      .where(
        keepAfter === null
          ? eq(songChanges.projectId, projectId)
          : and(eq(songChanges.projectId, projectId), lte(songChanges.seq, keepAfter)),
      )
    if (keepAfter === null) return
    const kept = entries.filter((e) => e.seq > keepAfter)
    // Chunks keep each statement's parameter count far below PostgreSQL's 65535.
    for (let i = 0; i < kept.length; i += 1000) {
      await tx
        .insert(songChanges)
        .values(kept.slice(i, i + 1000))
        .onConflictDoNothing()
    }
  }
}

/**
 * The oldest last visit among the song's current members: changes up to it are no one's news. null
 * when no member has a visit (a member's first visit starts from then, and a token-only room of the
 * benches and protocol tests has no members): then nothing is kept.
 */
async function oldestVisit(tx: Db, projectId: string): Promise<number | null> {
  const { songVisits, projectMembers } = schema
  const [row] = await tx
    .select({ oldest: sql<string | null>`min(${songVisits.seenSeq})` })
    .from(songVisits)
    .innerJoin(
      projectMembers,
      and(eq(projectMembers.projectId, songVisits.projectId), eq(projectMembers.userId, songVisits.userId)),
    )
    .where(eq(songVisits.projectId, projectId))
  return row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest)
}

export interface ChangesSince {
  /** Classified entries after `afterSeq`, in seq order, capped (see `uncounted`). */
  entries: ChangeEntry[]
  /** Edits past the cap, per author: counted, not classified. */
  uncounted: Map<string | null, number>
}

/**
 * Every change after `afterSeq` by anyone but `exceptUserId`: stored entries (compacted rows) first,
 * then the log tail classified now from the newest snapshot. One REPEATABLE READ transaction, so a
 * compaction committing meanwhile cannot move rows from the tail into `song_changes` under us.
 */
export async function readChangesSince(
  db: Db,
  projectId: string,
  afterSeq: number,
  exceptUserId: string,
): Promise<ChangesSince> {
  const { documentSnapshots, documentUpdates, songChanges } = schema
  const notMine = (column: typeof songChanges.authorId | typeof documentUpdates.authorId) =>
    sql`${column} is distinct from ${exceptUserId}`
  return db.transaction(
    async (tx) => {
      const [snapshot] = await tx
        .select({ upToSeq: documentSnapshots.upToSeq, state: documentSnapshots.state })
        .from(documentSnapshots)
        .where(eq(documentSnapshots.projectId, projectId))
        .orderBy(desc(documentSnapshots.upToSeq))
        .limit(1)
      const snapshotSeq = snapshot?.upToSeq ?? 0
      const uncounted = new Map<string | null, number>()
      const entries: ChangeEntry[] = []
      if (afterSeq < snapshotSeq) {
        const inRange = and(
          eq(songChanges.projectId, projectId),
          gt(songChanges.seq, afterSeq),
          lte(songChanges.seq, snapshotSeq),
          notMine(songChanges.authorId),
        )
        const stored = await tx
          .select({ seq: songChanges.seq, authorId: songChanges.authorId, changes: songChanges.changes })
          .from(songChanges)
          .where(inRange)
          .orderBy(asc(songChanges.seq))
          .limit(MAX_STORED_ENTRIES)
        for (const row of stored) {
          const parsed = StoredChanges.safeParse(row.changes)
          // A row this version cannot read (written by a newer one) is skipped, not fatal.
          if (parsed.success) entries.push({ seq: row.seq, authorId: row.authorId, changes: parsed.data })
        }
        const last = stored.at(-1)?.seq
        if (stored.length === MAX_STORED_ENTRIES && last !== undefined) {
          const rest = await tx
            .select({ authorId: songChanges.authorId, n: sql<number>`count(*)::int` })
            .from(songChanges)
            .where(and(inRange, gt(songChanges.seq, last)))
            .groupBy(songChanges.authorId)
          for (const r of rest) uncounted.set(r.authorId, r.n)
        }
      }
      const tail = await tx
        .select({
          seq: documentUpdates.seq,
          update: documentUpdates.update,
          authorId: documentUpdates.authorId,
        })
        .from(documentUpdates)
        .where(and(eq(documentUpdates.projectId, projectId), gt(documentUpdates.seq, snapshotSeq)))
        .orderBy(asc(documentUpdates.seq))
      const doc = new Y.Doc()
      try {
        if (snapshot !== undefined) Y.applyUpdate(doc, snapshot.state)
        for (const row of tail) {
          if (row.seq <= afterSeq) {
            Y.applyUpdate(doc, row.update)
            continue
          }
          const changes = listChanges(doc, row.update)
          if (row.authorId !== exceptUserId && changes.length > 0)
            entries.push({ seq: row.seq, authorId: row.authorId, changes })
        }
      } finally {
        doc.destroy()
      }
      return { entries, uncounted }
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  )
}

/** The highest seq in the project's log (0 before its first edit). */
export async function headSeq(db: Db, projectId: string): Promise<number> {
  const { documentLogHeads, documentSnapshots } = schema
  const [head] = await db
    .select({ seq: documentLogHeads.seq })
    .from(documentLogHeads)
    .where(eq(documentLogHeads.projectId, projectId))
  if (head !== undefined) return head.seq
  // No append yet: a seeded project has only its first snapshot.
  const [snap] = await db
    .select({ seq: sql<number | null>`max(${documentSnapshots.upToSeq})` })
    .from(documentSnapshots)
    .where(eq(documentSnapshots.projectId, projectId))
  return Number(snap?.seq ?? 0)
}

export async function readVisit(db: Db, projectId: string, userId: string): Promise<number | null> {
  const { songVisits } = schema
  const [row] = await db
    .select({ seenSeq: songVisits.seenSeq })
    .from(songVisits)
    .where(and(eq(songVisits.projectId, projectId), eq(songVisits.userId, userId)))
  return row?.seenSeq ?? null
}

/** Records that `userId` has seen the song up to `seq`; a visit never moves back. */
export async function recordVisit(db: Db, projectId: string, userId: string, seq: number): Promise<number> {
  const { songVisits } = schema
  const [row] = await db
    .insert(songVisits)
    .values({ projectId, userId, seenSeq: seq })
    .onConflictDoUpdate({
      target: [songVisits.projectId, songVisits.userId],
      set: { seenSeq: sql`greatest(${songVisits.seenSeq}, excluded.seen_seq)`, seenAt: sql`now()` },
    })
    .returning({ seenSeq: songVisits.seenSeq })
  return row?.seenSeq ?? seq
}

/** Names of the authors, for the summary's lines. */
export async function authorNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .select({ id: schema.users.id, name: schema.users.name })
    .from(schema.users)
    .where(inArray(schema.users.id, [...ids]))
  return new Map(rows.map((r) => [r.id, r.name]))
}
