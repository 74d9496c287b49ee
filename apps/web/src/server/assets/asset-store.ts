import { and, asc, eq, gt, isNull, lt, sql } from 'drizzle-orm'
import type pg from 'pg'
import { type Db, schema } from '../db'
import type { AssetUploadRow } from '../db/schema'
import type { AudioFormat } from './audio-format'

/**
 * Data access for audio assets (db/schema/assets.ts): uploads and their chunks, stored assets, the
 * links that give projects access, peaks. Policy (who may, what is refused) lives in the routes; the
 * rules this file keeps are the ones the database must hold whatever a caller does:
 *
 * - a chunk is stored in the same transaction that moves its upload's offset, and only if the offset
 *   is where the chunk starts, so two writers (two tabs, two instances) never interleave bytes and a
 *   server killed at any moment resumes from exactly what is stored;
 * - an asset row appears, with its project link, in the one transaction that ends its upload, so a
 *   download never sees half a file.
 */

/** The largest row `asset_chunks` holds: bounds what a write or a read keeps in memory. */
export const CHUNK_BYTES = 256 * 1024

/** Chunks read per query when streaming a download. */
const READ_BATCH = 4

/** Both drivers are node-postgres underneath: a raw statement answers a pg result. */
const pgResult = <T extends object>(result: unknown) => result as pg.QueryResult<T>

export class OffsetConflict extends Error {
  constructor(readonly stored: number | null) {
    super('upload offset moved')
  }
}

export async function findUpload(db: Db, id: string): Promise<AssetUploadRow | null> {
  const [row] = await db.select().from(schema.assetUploads).where(eq(schema.assetUploads.id, id))
  return row ?? null
}

export async function createUpload(
  db: Db,
  row: Pick<
    AssetUploadRow,
    'id' | 'projectId' | 'uploaderId' | 'sha256' | 'fileName' | 'length' | 'metadata'
  >,
): Promise<AssetUploadRow> {
  const [created] = await db.insert(schema.assetUploads).values(row).returning()
  if (created === undefined) throw new Error('upload row not created')
  return created
}

/**
 * Stores bytes [start, start + data.length) of an upload; returns the new offset. Throws
 * `OffsetConflict` when the stored offset is not `start` (another request moved it, or the upload
 * is gone or complete): nothing is written then.
 */
export async function appendChunk(
  db: Db,
  uploadId: string,
  start: number,
  data: Uint8Array,
): Promise<number> {
  const { assetUploads, assetChunks } = schema
  return db.transaction(async (tx) => {
    const [moved] = await tx
      .update(assetUploads)
      .set({ offset: sql`${assetUploads.offset} + ${data.length}`, updatedAt: sql`now()` })
      .where(
        and(eq(assetUploads.id, uploadId), eq(assetUploads.offset, start), isNull(assetUploads.completedAt)),
      )
      .returning({ offset: assetUploads.offset })
    if (moved === undefined) {
      const [current] = await tx
        .select({ offset: assetUploads.offset })
        .from(assetUploads)
        .where(eq(assetUploads.id, uploadId))
      throw new OffsetConflict(current?.offset ?? null)
    }
    await tx.insert(assetChunks).values({ blobId: uploadId, start, length: data.length, data })
    return moved.offset
  })
}

/** Bytes [from, to) of a blob, a few chunks per query, as the consumer takes them. */
export async function* readBlob(
  db: Db,
  blobId: string,
  from: number,
  to: number,
): AsyncGenerator<Uint8Array> {
  const { assetChunks } = schema
  let position = from
  while (position < to) {
    // The chunk holding `position` starts at most CHUNK_BYTES before it: the primary key's range.
    const rows = await db
      .select({ start: assetChunks.start, data: assetChunks.data })
      .from(assetChunks)
      .where(
        and(
          eq(assetChunks.blobId, blobId),
          gt(assetChunks.start, position - CHUNK_BYTES),
          lt(assetChunks.start, to),
          sql`${assetChunks.start} + ${assetChunks.length} > ${position}`,
        ),
      )
      .orderBy(asc(assetChunks.start))
      .limit(READ_BATCH)
    if (rows.length === 0 || rows[0]!.start > position)
      throw new Error(`blob ${blobId} has no bytes at ${position}: its chunks are not contiguous`)
    for (const row of rows) {
      if (row.start > position) throw new Error(`blob ${blobId} has a gap at ${position}`)
      const piece = row.data.subarray(position - row.start, Math.min(row.data.length, to - row.start))
      position += piece.length
      yield piece
      if (position >= to) return
    }
  }
}

/** Reads a short window of a blob whole (the format checks' reader). */
export async function readBytes(db: Db, blobId: string, offset: number, length: number): Promise<Uint8Array> {
  const pieces: Uint8Array[] = []
  for await (const piece of readBlob(db, blobId, offset, offset + length)) pieces.push(piece)
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)
}

/**
 * What a project holds against its quota: its assets, the full length of its uploads in progress
 * (reserved at creation, so parallel uploads cannot overshoot together) and its peaks.
 */
export async function projectUsage(db: Pick<Db, 'execute'>, projectId: string): Promise<number> {
  const result = await db.execute(sql`
    select
      coalesce((select sum(a.byte_length) from project_assets pa join assets a on a.sha256 = pa.sha256
                where pa.project_id = ${projectId}), 0)
      + coalesce((select sum(u.length) from asset_uploads u
                  where u.project_id = ${projectId} and u.completed_at is null), 0)
      + coalesce((select sum(octet_length(p.data)) from asset_peaks p where p.project_id = ${projectId}), 0)
      as used`)
  return Number(pgResult<{ used: string | null }>(result).rows[0]?.used ?? 0)
}

export interface StoredAsset {
  sha256: string
  blobId: string
  byteLength: number
  mimeType: string
  format: string
}

/** The asset as this project sees it: null unless it is stored and linked to the project. */
export async function projectAsset(db: Db, projectId: string, sha256: string): Promise<StoredAsset | null> {
  const { assets, projectAssets } = schema
  const [row] = await db
    .select({
      sha256: assets.sha256,
      blobId: assets.blobId,
      byteLength: assets.byteLength,
      mimeType: assets.mimeType,
      format: assets.format,
    })
    .from(projectAssets)
    .innerJoin(assets, eq(assets.sha256, projectAssets.sha256))
    .where(and(eq(projectAssets.projectId, projectId), eq(projectAssets.sha256, sha256)))
  return row ?? null
}

/** Whether these bytes are stored at all (for any project): then an upload of them copies nothing. */
export async function storedAsset(db: Db, sha256: string): Promise<{ blobId: string } | null> {
  const [row] = await db
    .select({ blobId: schema.assets.blobId })
    .from(schema.assets)
    .where(eq(schema.assets.sha256, sha256))
  return row ?? null
}

export type Completion = { ok: true; deduplicated: boolean } | { ok: false; used: number }

/**
 * Ends a verified upload: the asset is stored (the upload's chunks become its blob) or, when the same
 * bytes are already stored, the upload's chunks are dropped and the stored asset is linked. The quota
 * is checked again inside the transaction; over it, nothing changes and the caller refuses.
 */
export async function completeUpload(
  db: Db,
  upload: AssetUploadRow,
  verified: { sha256: string; format: AudioFormat; mimeType: string },
  quotaBytes: number,
  /** The blob the asset is kept in when not the upload's own chunks (its object in the object store). */
  blobId: string = upload.id,
): Promise<Completion> {
  const { assets, assetChunks, assetUploads, projectAssets } = schema
  return db.transaction(async (tx) => {
    // The upload's row orders two completions of it (a HEAD and a PATCH, on two instances): the second
    // finds it complete and changes nothing, never taking the first one's asset for a duplicate.
    const [open] = await tx
      .select({ id: assetUploads.id })
      .from(assetUploads)
      .where(and(eq(assetUploads.id, upload.id), isNull(assetUploads.completedAt)))
      .for('update')
    if (open === undefined) return { ok: true, deduplicated: false }
    const [existing] = await tx
      .select({ sha256: assets.sha256 })
      .from(assets)
      .where(eq(assets.sha256, verified.sha256))
      .for('update')
    const [linked] = await tx
      .select({ sha256: projectAssets.sha256 })
      .from(projectAssets)
      .where(and(eq(projectAssets.projectId, upload.projectId), eq(projectAssets.sha256, verified.sha256)))
    if (linked === undefined) {
      // This upload's own reservation (its length) is counted in the usage: take it out.
      const used = (await projectUsage(tx, upload.projectId)) - upload.length
      if (used + upload.length > quotaBytes) return { ok: false, used }
    }
    if (existing === undefined) {
      await tx.insert(assets).values({
        sha256: verified.sha256,
        blobId,
        byteLength: upload.length,
        format: verified.format,
        mimeType: verified.mimeType,
        createdBy: upload.uploaderId,
      })
      // Copied to the object store: the chunks were only the way there.
      if (blobId !== upload.id) await tx.delete(assetChunks).where(eq(assetChunks.blobId, upload.id))
    } else {
      await tx.delete(assetChunks).where(eq(assetChunks.blobId, upload.id))
      // A new row version, so a sweep deleting this asset as unlinked, racing this transaction, re-reads
      // it, finds it young and spares it (the link below would otherwise go with it).
      await tx.update(assets).set({ createdAt: sql`now()` }).where(eq(assets.sha256, verified.sha256))
    }
    await tx
      .insert(projectAssets)
      .values({
        projectId: upload.projectId,
        sha256: verified.sha256,
        fileName: upload.fileName,
        uploadedBy: upload.uploaderId,
      })
      .onConflictDoNothing()
    await tx.update(assetUploads).set({ completedAt: sql`now()` }).where(eq(assetUploads.id, upload.id))
    return { ok: true, deduplicated: existing !== undefined }
  })
}

/** Forgets an upload and whatever of it was stored (a refusal, a termination). */
export async function discardUpload(db: Db, uploadId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(schema.assetUploads).where(eq(schema.assetUploads.id, uploadId))
    await tx.delete(schema.assetChunks).where(eq(schema.assetChunks.blobId, uploadId))
  })
}

export interface SweepResult {
  uploads: number
  assets: number
  chunks: number
  /** Blob ids of the assets removed (those in the object store are the caller's to delete there). */
  blobs: string[]
}

/**
 * Removes uploads untouched since `before` (abandoned, or completed long ago), assets no project links
 * any more (their project was purged) and created before `before`, and chunks no upload or asset owns.
 */
export async function sweepAssets(db: Db, before: Date): Promise<SweepResult> {
  const { assetUploads, assets } = schema
  return db.transaction(async (tx) => {
    const uploads = await tx
      .delete(assetUploads)
      .where(lt(assetUploads.updatedAt, before))
      .returning({ id: assetUploads.id })
    const unlinked = await tx
      .delete(assets)
      .where(
        and(
          lt(assets.createdAt, before),
          sql`not exists (select 1 from project_assets pa where pa.sha256 = ${assets.sha256})`,
        ),
      )
      .returning({ sha256: assets.sha256, blobId: assets.blobId })
    const chunks = await tx.execute(sql`
      delete from asset_chunks c
      where not exists (select 1 from asset_uploads u where u.id = c.blob_id and u.completed_at is null)
        and not exists (select 1 from assets a where a.blob_id = c.blob_id)`)
    return {
      uploads: uploads.length,
      assets: unlinked.length,
      chunks: pgResult(chunks).rowCount ?? 0,
      blobs: unlinked.map((a) => a.blobId),
    }
  })
}

export interface StoredPeaks {
  data: Uint8Array
  digest: string
}

export async function putPeaks(
  db: Db,
  row: { projectId: string; sha256: string; data: Uint8Array; digest: string; updatedBy: string },
): Promise<void> {
  const { assetPeaks } = schema
  await db
    .insert(assetPeaks)
    .values(row)
    .onConflictDoUpdate({
      target: [assetPeaks.projectId, assetPeaks.sha256],
      set: { data: row.data, digest: row.digest, updatedBy: row.updatedBy, updatedAt: sql`now()` },
    })
}

export async function getPeaks(db: Db, projectId: string, sha256: string): Promise<StoredPeaks | null> {
  const { assetPeaks } = schema
  const [row] = await db
    .select({ data: assetPeaks.data, digest: assetPeaks.digest })
    .from(assetPeaks)
    .where(and(eq(assetPeaks.projectId, projectId), eq(assetPeaks.sha256, sha256)))
  return row ?? null
}

/** Bytes of a project's peaks for one asset (replacing them frees these against the quota). */
export async function peaksBytes(db: Db, projectId: string, sha256: string): Promise<number> {
  const result = await db.execute(
    sql`select octet_length(data) as n from asset_peaks where project_id = ${projectId} and sha256 = ${sha256}`,
  )
  return Number(pgResult<{ n: number | null }>(result).rows[0]?.n ?? 0)
}
