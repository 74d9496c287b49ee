import { and, asc, desc, eq, gt, gte, lt, lte, sql } from 'drizzle-orm'
import type pg from 'pg'
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
 * Projects whose log was written in the last `withinMs`, newest first, at most `limit`: the songs bands were
 * working on when the server stopped, which they will reopen first. Deleted projects are left out; a room with
 * no project row (token-only rooms of protocol benches) is not.
 */
export async function recentlyEditedProjects(db: Db, withinMs: number, limit: number): Promise<string[]> {
  const result = await db.execute(sql`
    select project_id, max(at) as last
    from (
      select project_id, created_at as at from document_updates
      where created_at > now() - make_interval(secs => ${withinMs / 1000})
      union all
      select project_id, created_at as at from document_snapshots
      where created_at > now() - make_interval(secs => ${withinMs / 1000})
    ) recent
    where not exists (select 1 from projects p where p.id = recent.project_id and p.deleted_at is not null)
    group by project_id
    order by last desc
    limit ${limit}`)
  return (result as unknown as pg.QueryResult<{ project_id: string }>).rows.map((r) => r.project_id)
}

/** The text whose `hashtext` is the advisory lock key of a project's log (`tryLockProjectLog`). */
export const projectLogLockKey = (projectId: string): string => `ensemble.doc-log:${projectId}`

/**
 * Serializes compactions of one project's log across processes until the transaction ends, so two
 * never interleave. Only tried, never waited for: the holder may be an instance that is paused
 * (SIGSTOP, a long GC, a frozen VM) with its transaction open, and a compaction that can wait
 * instead is one more thing that can stall. Appends do not take it (they are ordered by the head
 * row, see appendUpdates); readers never take it (REPEATABLE READ gives them a consistent view).
 */
async function tryLockProjectLog(db: Db, projectId: string): Promise<boolean> {
  const result = await db.execute(
    sql`select pg_try_advisory_xact_lock(hashtext(${projectLogLockKey(projectId)})) as locked`,
  )
  // Both drivers are node-postgres underneath (see appendUpdates): a QueryResult.
  const [row] = (result as unknown as pg.QueryResult<{ locked: boolean }>).rows
  return row?.locked === true
}

/**
 * Bumps the project's head row (created on the first append, above the project's existing rows and
 * snapshot) and inserts the updates under it; returns their seqs. $1 project id, $2 row count, $3
 * the updates as one bytea[], $4 their authors as one text[] (null: the server's own write).
 */
const APPEND_SQL = `
  with head as (
    insert into document_log_heads (project_id, seq)
    values ($1, $2::bigint + greatest(
      (select max(seq) from document_updates where project_id = $1),
      (select max(up_to_seq) from document_snapshots where project_id = $1),
      0))
    on conflict (project_id) do update set seq = document_log_heads.seq + $2::bigint
    returning seq
  )
  insert into document_updates (project_id, seq, update, author_id)
  select $1, head.seq - $2::bigint + u.ord, u.data, u.author_id
  from head, unnest($3::bytea[], $4::text[]) with ordinality as u(data, author_id, ord)
  returning seq`

/**
 * Appends one project's updates as one statement, which commits on its own, and returns their
 * seqs. The upsert's row lock on the head makes concurrent appenders of the same project (several
 * instances writing one room) wait for each other and continue from the committed head, so seqs
 * are gap-free and numbered in commit order: a replica that has applied everything up to seq N can
 * catch up by reading `seq > N`. One round trip as a named prepared statement, so each connection
 * parses and plans it once (this is the group commit's hot path).
 */
export async function appendUpdates(
  db: Db,
  projectId: string,
  updates: readonly Uint8Array[],
  /** Who sent each update (same order), for "what changed since you left"; null: the server. */
  authors: readonly (string | null)[] = [],
): Promise<number[]> {
  if (updates.length === 0) return []
  // node-postgres serialises Buffers inside arrays (a plain Uint8Array it would not); no copy.
  const data = updates.map((u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength))
  const values = [projectId, updates.length, data, updates.map((_, i) => authors[i] ?? null)]
  // The driver under drizzle: a node-postgres pool, for PostgreSQL and the embedded PGlite alike.
  const client = (db as unknown as { $client: pg.Pool }).$client
  const { rows } = await client.query<{ seq: string }>({
    name: 'ensemble.append-updates',
    text: APPEND_SQL,
    values,
  })
  // bigint arrives as a string.
  return rows.map((r) => Number(r.seq)).sort((a, b) => a - b)
}

/** Inserts rows at the seqs given, in one statement (tests seed a log with it; the server appends with `appendUpdates`). */
export async function insertUpdates(db: Db, rows: readonly NewUpdateRow[]): Promise<void> {
  if (rows.length === 0) return
  await db.insert(documentUpdates).values([...rows])
}

/**
 * What a compaction did: wrote its snapshot; found one at least as new (another replica compacted
 * further, which is as good); or skipped because another compaction of the project holds its lock
 * (the caller tries again later).
 */
export type CompactionOutcome = 'compacted' | 'superseded' | 'busy'

/**
 * Keeps what a compaction is about to fold away (server/changes/ classifies the rows). Called before
 * the compaction's transaction, so its own reads and work hold no lock and no connection the group
 * commit needs; the write it returns runs inside the transaction, under the lock, before the rows with
 * `seq <= upToSeq` are deleted, and only if the compaction goes ahead. A throw fails the compaction.
 */
export type FoldHook = (db: Db, projectId: string, upToSeq: number) => Promise<(tx: Db) => Promise<void>>

/**
 * Writes a snapshot covering every row with `seq <= upToSeq` and deletes those rows and older
 * snapshots, atomically: a reader sees either the old snapshot + tail or the new one + tail.
 * Several instances may hold the room and compact at once: the project lock serializes them (the
 * second one skips instead of waiting), and a compaction that finds a snapshot at least as new as
 * its own does nothing, so nothing is deleted that the newest snapshot does not cover.
 */
export async function compact(
  db: Db,
  projectId: string,
  upToSeq: number,
  state: Uint8Array,
  beforeFold?: FoldHook,
): Promise<CompactionOutcome> {
  const keep = beforeFold === undefined ? null : await beforeFold(db, projectId, upToSeq)
  return db.transaction(async (tx) => {
    if (!(await tryLockProjectLog(tx, projectId))) return 'busy'
    const [newer] = await tx
      .select({ upToSeq: documentSnapshots.upToSeq })
      .from(documentSnapshots)
      .where(and(eq(documentSnapshots.projectId, projectId), gte(documentSnapshots.upToSeq, upToSeq)))
      .limit(1)
    if (newer !== undefined) return 'superseded'
    if (keep !== null) await keep(tx)
    await tx.insert(documentSnapshots).values({ projectId, upToSeq, state, byteLength: state.byteLength })
    await tx
      .delete(documentUpdates)
      .where(and(eq(documentUpdates.projectId, projectId), lte(documentUpdates.seq, upToSeq)))
    await tx
      .delete(documentSnapshots)
      .where(and(eq(documentSnapshots.projectId, projectId), lt(documentSnapshots.upToSeq, upToSeq)))
    return 'compacted'
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
