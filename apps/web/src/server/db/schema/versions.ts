import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { users } from './accounts'
import { bytea } from './columns'
import { projects } from './projects'

/**
 * Named versions: the whole song (Y.Doc state as one update) at the moment someone named it.
 * Immutable; restoring one writes a new change to the song, it never rewrites history.
 */
export const songVersions = pgTable(
  'song_versions',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    authorId: text('author_id').references(() => users.id, { onDelete: 'set null' }),
    state: bytea('state').notNull(),
    byteLength: integer('byte_length').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('song_versions_project_idx').on(t.projectId, t.createdAt)],
)
