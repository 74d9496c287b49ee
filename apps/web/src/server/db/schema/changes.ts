import { sql } from 'drizzle-orm'
import { bigint, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * "What changed since you left" (server/changes/). A log row is classified when a compaction folds
 * it into a snapshot, because the snapshot keeps only the resulting state: its changes, typed (core's
 * `SongChange`), and its author stay here. Rows with no song change (presence-free no-ops, proposals
 * being shared) are not kept. Rows older than every member's last visit are deleted with the next
 * compaction, so the table holds only what someone has not seen yet.
 */
export const songChanges = pgTable(
  'song_changes',
  {
    projectId: text('project_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    authorId: text('author_id'),
    /** A `SongChange[]`, validated with core's schema when read. */
    changes: jsonb('changes').notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.seq] })],
)

/** Each member's last visit of each song: every log row with `seq <= seenSeq` counts as seen. */
export const songVisits = pgTable(
  'song_visits',
  {
    projectId: text('project_id').notNull(),
    userId: text('user_id').notNull(),
    seenSeq: bigint('seen_seq', { mode: 'number' }).notNull(),
    seenAt: timestamp('seen_at', { withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] })],
)
