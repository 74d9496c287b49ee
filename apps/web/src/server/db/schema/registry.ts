import type { PluginManifest } from '@ensemble/core/plugin'
import { foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { users } from './accounts'
import { bytea } from './columns'
import { projects } from './projects'

/**
 * The third-party plugin registry (docs/PLUGINS.md): publishers, their upload tokens, plugins and
 * their immutable versions, and which project installed which version.
 *
 * Archives live in the database (bytea), not under DATA_DIR: PostgreSQL is the one durable store
 * (several web instances share it, none shares a disk), a version row and its bytes commit in one
 * transaction, and an archive is at most 8 MiB. Versions are never updated except to yank them.
 */

/** An account that may publish, under a public name (unique, lower case). One per account. */
export const publishers = pgTable('publishers', {
  id: text('id').primaryKey(),
  userId: text('user_id')
    .notNull()
    .unique()
    .references(() => users.id, { onDelete: 'cascade' }),
  name: text('name').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
})

/** Bearer tokens for `POST /api/plugins/publish`. Only the SHA-256 is stored; the token is shown once. */
export const publisherTokens = pgTable(
  'publisher_tokens',
  {
    id: text('id').primaryKey(),
    publisherId: text('publisher_id')
      .notNull()
      .references(() => publishers.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    label: text('label').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('publisher_tokens_publisher_idx').on(t.publisherId)],
)

/** A plugin id (reverse DNS) belongs to the publisher who first published it, for good. */
export const plugins = pgTable(
  'plugins',
  {
    id: text('id').primaryKey(),
    // restrict: a publisher with plugins cannot vanish and free the id for someone else.
    publisherId: text('publisher_id')
      .notNull()
      .references(() => publishers.id, { onDelete: 'restrict' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('plugins_publisher_idx').on(t.publisherId)],
)

export const pluginVersions = pgTable(
  'plugin_versions',
  {
    pluginId: text('plugin_id')
      .notNull()
      .references(() => plugins.id, { onDelete: 'restrict' }),
    version: text('version').notNull(),
    /** The archive's manifest.json, as validated; kind, capabilities and licence are copied out to query on. */
    manifest: jsonb('manifest').$type<PluginManifest>().notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['generator', 'arranger', 'harmonizer'] }).notNull(),
    capabilities: jsonb('capabilities').$type<PluginManifest['capabilities']>().notNull(),
    licence: text('licence').notNull(),
    archive: bytea('archive').notNull(),
    archiveBytes: integer('archive_bytes').notNull(),
    archiveSha256: text('archive_sha256').notNull(),
    bundleSha256: text('bundle_sha256').notNull(),
    publishedBy: text('published_by').references(() => users.id, { onDelete: 'set null' }),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set once, never cleared: the kill list. A yanked version never runs again anywhere. */
    yankedAt: timestamp('yanked_at', { withTimezone: true }),
    yankReason: text('yank_reason'),
  },
  (t) => [
    // The primary key is what makes a version number impossible to reuse.
    primaryKey({ columns: [t.pluginId, t.version] }),
    index('plugin_versions_kind_idx').on(t.kind),
  ],
)

/** One version of a plugin per project, chosen by the project's owner. */
export const projectPlugins = pgTable(
  'project_plugins',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    pluginId: text('plugin_id').notNull(),
    version: text('version').notNull(),
    installedBy: text('installed_by').references(() => users.id, { onDelete: 'set null' }),
    installedAt: timestamp('installed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.pluginId] }),
    foreignKey({
      columns: [t.pluginId, t.version],
      foreignColumns: [pluginVersions.pluginId, pluginVersions.version],
      name: 'project_plugins_version_fk',
    }).onDelete('restrict'),
    index('project_plugins_plugin_idx').on(t.pluginId, t.version),
  ],
)

/**
 * A band's rating of a plugin it installed: one per project and plugin (the primary key), so a project can
 * change its rating but not add a second; the gallery shows the mean and the count of projects.
 */
export const pluginRatings = pgTable(
  'plugin_ratings',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    // A registry plugin's id or a first-party plugin's (those are not in `plugins`, so no foreign key).
    pluginId: text('plugin_id').notNull(),
    /** 1 to 5 stars. */
    stars: integer('stars').notNull(),
    ratedBy: text('rated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.pluginId] }),
    index('plugin_ratings_plugin_idx').on(t.pluginId),
  ],
)
