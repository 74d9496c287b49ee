import { sql } from 'drizzle-orm'
import {
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { users } from './accounts'

/**
 * Projects (one song each: the project id is the collab room id), their members and invite links.
 * Roles: `owner` | `editor` | `viewer`, the same strings the room tokens carry.
 */

export const projects = pgTable(
  'projects',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Metadata changes (rename, membership); song edits are dated by the update log. */
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * Set when the owner deleted the project: nobody can open it, the owner can restore it until the
     * purge (`projects/purge.ts`) removes it with its log, snapshots and versions.
     */
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    /** Viewers may comment and chat (never edit the song) unless the owner turns this off. */
    viewerComments: boolean('viewer_comments').notNull().default(true),
  },
  (t) => [index('projects_deleted_idx').on(t.deletedAt).where(sql`${t.deletedAt} is not null`)],
)

export const projectMembers = pgTable(
  'project_members',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['owner', 'editor', 'viewer'] }).notNull(),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.userId] }),
    index('project_members_user_idx').on(t.userId),
    // "Exactly one owner": the database refuses a second one, whatever the code above it does.
    uniqueIndex('project_members_one_owner').on(t.projectId).where(sql`${t.role} = 'owner'`),
  ],
)

export const projectInvites = pgTable(
  'project_invites',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** SHA-256 of the secret in the link: a database leak does not leak usable links. */
    tokenHash: text('token_hash').notNull().unique(),
    role: text('role', { enum: ['editor', 'viewer'] }).notNull(),
    maxUses: integer('max_uses').notNull(),
    uses: integer('uses').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('project_invites_project_idx').on(t.projectId)],
)
