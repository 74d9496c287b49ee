import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import { ObjectStore, objectOf, objectStoreConfig } from '../src/server/assets/object-store'
import { sweepOnce } from '../src/server/assets/sweep'
import { loadConfig } from '../src/server/config'
import { type Database, schema } from '../src/server/db'
import { type Caller, signUp } from './helpers/api'
import { download, rawUpload, tusUpload } from './helpers/assets'
import { sha256, wav } from './helpers/audio-files'
import { openTestDatabase } from './helpers/db'
import { seedProject } from './helpers/projects'
import { startTestServer } from './helpers/server'
import { recordSkip } from './helpers/services'

/**
 * The optional S3-compatible asset store (server/assets/object-store.ts), against a real store: runs when
 * ASSET_S3_ENDPOINT, ASSET_S3_BUCKET (existing), ASSET_S3_ACCESS_KEY_ID and ASSET_S3_SECRET_ACCESS_KEY are
 * set (MinIO, moto_server, R2, S3). Uploads still go to the database chunk by chunk (tus, resumable); the
 * verified asset becomes one object, served with ranges, swept with its song.
 */

const config = objectStoreConfig(process.env)
if (config === null)
  recordSkip(
    'assets-object-store tests skipped: ASSET_S3_ENDPOINT is not set (they need an S3-compatible store)',
  )

const MiB = 1024 * 1024

describe.skipIf(config === null)('audio assets in an S3-compatible store', () => {
  let database: Database
  let server: RunningServer
  let editor: Caller
  let project: string
  // Each run writes under its own prefix, so runs against one bucket never see each other's objects.
  const store =
    config === null ? null : { ...config, prefix: `${config.prefix}test-${process.pid}-${Date.now()}/` }

  beforeAll(async () => {
    database = await openTestDatabase('pglite')
    server = await startTestServer(database, {
      assets: { ...loadConfig({}).assets, maxAssetBytes: 64 * MiB, objectStore: store },
    })
    editor = await signUp(server.url, 'editor')
    project = await seedProject(database.db, [{ userId: editor.userId, role: 'owner' }])
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  const assetRow = async (hash: string) =>
    (await database.db.select().from(schema.assets).where(eq(schema.assets.sha256, hash)))[0]

  it('a take bigger than a part becomes one object, served byte for byte and by ranges; no chunk stays', async () => {
    const take = wav(100) // 18.3 MiB: three parts of a multipart upload
    const hash = sha256(take)
    await tusUpload(server.url, editor.cookie, project, take, { chunkSize: 4 * MiB })
    const row = await assetRow(hash)
    const name = objectOf(row?.blobId ?? '')
    expect(name).toMatch(new RegExp(`^${hash}\\.`))
    const chunks = await database.db.execute(sql`select count(*)::int as n from asset_chunks`)
    expect((chunks as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(0)

    const whole = await download(server.url, editor.cookie, project, hash)
    expect(whole.status).toBe(200)
    expect(sha256(Buffer.from(await whole.arrayBuffer()))).toBe(hash)
    // Across the first part's end (8 MiB).
    const from = 8 * MiB - 500
    const part = await download(server.url, editor.cookie, project, hash, {
      range: `bytes=${from}-${from + 999}`,
    })
    expect(part.status).toBe(206)
    expect(Buffer.from(await part.arrayBuffer()).equals(take.subarray(from, from + 1000))).toBe(true)

    // The same bytes in another song: linked, not copied again.
    const other = await seedProject(database.db, [{ userId: editor.userId, role: 'owner' }])
    expect((await rawUpload(server.url, editor, other, take, { patchBytes: 8 * MiB })).status).toBe(204)
    expect((await assetRow(hash))?.blobId).toBe(row?.blobId)
  }, 120_000)

  it('a small take is one PUT; when no song links it any more the sweep deletes its object', async () => {
    const take = wav(1, { frequency: 330 })
    const hash = sha256(take)
    const song = await seedProject(database.db, [{ userId: editor.userId, role: 'owner' }])
    expect((await rawUpload(server.url, editor, song, take)).status).toBe(204)
    const name = objectOf((await assetRow(hash))?.blobId ?? '')!
    const objects = new ObjectStore(store!)
    const read = async () => {
      const pieces: Uint8Array[] = []
      for await (const piece of objects.read(name, 0, take.length)) pieces.push(piece)
      return Buffer.concat(pieces)
    }
    expect((await read()).equals(take)).toBe(true)

    await database.db.delete(schema.projectAssets).where(eq(schema.projectAssets.projectId, song))
    const swept = await sweepOnce(database.db, new Date(Date.now() + 60_000), { objects, log: () => {} })
    expect(swept?.assets).toBeGreaterThanOrEqual(1)
    expect(await assetRow(hash)).toBeUndefined()
    await expect(read()).rejects.toThrow(/answered 404/)
  })
})
