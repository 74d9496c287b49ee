import { bigint, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { bytea } from './columns'

/**
 * The durable log of one project's Y.Doc: every accepted document update, in commit order. `seq` is
 * per project, allocated from `documentLogHeads` by the statement that inserts the rows, so it is
 * gap-free and increasing within a project even with several instances writing one room.
 */
export const documentUpdates = pgTable(
  'document_updates',
  {
    projectId: text('project_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    update: bytea('update').notNull(),
    /**
     * The member whose connection sent the edit (the room token's user), or null for the server's own
     * writes. "What changed since you left" groups edits by it (see `changes.ts`).
     */
    authorId: text('author_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.seq] })],
)

/**
 * Compacted state: the whole doc as one update, covering every log row with `seq <= upToSeq`
 * (those rows are deleted in the same transaction that writes the snapshot).
 */
export const documentSnapshots = pgTable(
  'document_snapshots',
  {
    projectId: text('project_id').notNull(),
    upToSeq: bigint('up_to_seq', { mode: 'number' }).notNull(),
    state: bytea('state').notNull(),
    /** Size of `state`, kept so that size reports need not read the bytes. */
    byteLength: integer('byte_length').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // The primary key also serves "newest snapshot of a project" (ORDER BY up_to_seq DESC LIMIT 1).
  (t) => [primaryKey({ columns: [t.projectId, t.upToSeq] })],
)

/**
 * The highest seq allocated in each project's log. Appends bump it and insert their rows in one
 * statement: the upsert's row lock orders concurrent writers (across instances) and each sees the
 * previous writer's committed head, which a lock plus `max(seq)` could only do in separate
 * statements (a statement reads the snapshot taken before it waited). Created on a project's first
 * append, from its existing rows and snapshot.
 */
export const documentLogHeads = pgTable('document_log_heads', {
  projectId: text('project_id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
})
