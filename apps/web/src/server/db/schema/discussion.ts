import type { PlacedAnchor } from '@ensemble/core'
import { sql } from 'drizzle-orm'
import {
  type AnyPgColumn,
  bigserial,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core'
import { users } from './accounts'
import { projects } from './projects'

/**
 * A song's conversation: comments anchored to places in the song (threads of replies, reactions,
 * mentions) and its chat. Written only by the server, with the author from the session; the song
 * itself never holds them (they are not part of the music, and a viewer may write them).
 */

export const comments = pgTable(
  'comments',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** Null for a thread's first comment; a reply points at it (threads are one level deep). */
    parentId: text('parent_id').references((): AnyPgColumn => comments.id, { onDelete: 'cascade' }),
    // Kept when the account goes: the comment was made, only the name is gone.
    authorId: text('author_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    /** Only on a thread's first comment: where in the song, as core's `placeAnchor` stored it. */
    anchor: jsonb('anchor').$type<PlacedAnchor>(),
    /** The user ids the body mentions, resolved against the members when it was written. */
    mentions: jsonb('mentions').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolvedBy: text('resolved_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    editedAt: timestamp('edited_at', { withTimezone: true }),
  },
  (t) => [
    index('comments_project_idx').on(t.projectId, t.createdAt),
    index('comments_parent_idx').on(t.parentId),
    index('comments_author_idx').on(t.authorId, t.createdAt),
  ],
)

export const commentReactions = pgTable(
  'comment_reactions',
  {
    commentId: text('comment_id')
      .notNull()
      .references(() => comments.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    emoji: text('emoji').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.commentId, t.userId, t.emoji] })],
)

export const chatMessages = pgTable(
  'chat_messages',
  {
    /** Commit order within the database: the page cursor. */
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: text('id').notNull().unique(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    authorId: text('author_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('chat_messages_project_idx').on(t.projectId, t.seq),
    index('chat_messages_author_idx').on(t.authorId, t.createdAt),
  ],
)

/** When a member last read a song's conversation: what the song list counts as unread. */
export const discussionReads = pgTable(
  'discussion_reads',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    readAt: timestamp('read_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] })],
)

export type CommentRow = typeof comments.$inferSelect
export type ChatRow = typeof chatMessages.$inferSelect
