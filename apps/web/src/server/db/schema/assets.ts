import { sql } from 'drizzle-orm'
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { users } from './accounts'
import { bytea } from './columns'
import { projects } from './projects'

/**
 * Audio assets: immutable files named by the SHA-256 of their bytes, stored once per hash and linked
 * to the projects whose songs use them (server/assets/). The bytes live in `asset_chunks`, rows of at
 * most 256 KiB under a blob id, so an upload is stored as it arrives and a download (or a range of
 * one) reads a few rows at a time: no step holds a whole file in memory. A blob is first an upload's
 * (its id is the upload id); when the upload completes and verifies, the asset row takes the blob
 * over, so finishing an upload copies nothing.
 */

export const assets = pgTable('assets', {
  /** Lowercase hex SHA-256 of the file, recomputed by the server: the asset id everywhere. */
  sha256: text('sha256').primaryKey(),
  /** The chunks under this blob id are the file's bytes. */
  blobId: text('blob_id').notNull().unique(),
  byteLength: bigint('byte_length', { mode: 'number' }).notNull(),
  /** Sniffed from the bytes (assets/audio-format.ts): wav, aiff, flac, mp3, ogg, m4a. */
  format: text('format').notNull(),
  /** The Content-Type a download is served with. */
  mimeType: text('mime_type').notNull(),
  createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
  /** When stored, moved to when the same bytes were last uploaded again: the sweep spares young assets. */
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
})

/** A blob's bytes: `data` holds bytes [start, start + length) of the file. */
export const assetChunks = pgTable(
  'asset_chunks',
  {
    blobId: text('blob_id').notNull(),
    start: bigint('start', { mode: 'number' }).notNull(),
    length: integer('length').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.blobId, t.start] })],
)

/** Which projects use an asset: what a member may download, and what the project's quota counts. */
export const projectAssets = pgTable(
  'project_assets',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    sha256: text('sha256')
      .notNull()
      .references(() => assets.sha256, { onDelete: 'cascade' }),
    /** The base name the file was uploaded under (into this project). */
    fileName: text('file_name').notNull(),
    uploadedBy: text('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.sha256] }), index('project_assets_sha256_idx').on(t.sha256)],
)

/**
 * A tus upload in progress (or just completed, so a client that lost the last answer finds it done).
 * `offset` moves in the same transaction as the chunk it counts, so a server killed at any moment
 * resumes from what is stored.
 */
export const assetUploads = pgTable(
  'asset_uploads',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    uploaderId: text('uploader_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The hash the client announced; the stored asset is named by the one the server computes. */
    sha256: text('sha256').notNull(),
    fileName: text('file_name').notNull(),
    /** Upload-Length: the whole file's size, fixed at creation. */
    length: bigint('length', { mode: 'number' }).notNull(),
    /** Bytes stored so far (Upload-Offset). */
    offset: bigint('offset', { mode: 'number' }).notNull().default(0),
    /** The tus Upload-Metadata pairs as sent (decoded), for HEAD. */
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Last stored chunk: an upload untouched for a day is swept. */
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    index('asset_uploads_project_idx').on(t.projectId),
    index('asset_uploads_updated_idx').on(t.updatedAt),
  ],
)

/**
 * Waveform peaks (core's `encodePeaks`), per project and asset: they arrive before the audio (the
 * recorder sends them first), so they do not wait for the asset row, and one project's editors
 * cannot change what another project's members see for the same hash.
 */
export const assetPeaks = pgTable(
  'asset_peaks',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    sha256: text('sha256').notNull(),
    data: bytea('data').notNull(),
    /** SHA-256 of `data`: the ETag, since an editor may replace them. */
    digest: text('digest').notNull(),
    updatedBy: text('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.sha256] })],
)

export type AssetUploadRow = typeof assetUploads.$inferSelect
