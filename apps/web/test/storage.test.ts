import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../src/server/db'
import { compact, countRows, insertUpdates, readDocument } from '../src/server/db/update-log'
import { drivers, openTestDatabase, uniqueProjectId } from './helpers/db'

const bytes = (...values: number[]) => new Uint8Array(values)

// One database per driver for the file (PGlite start-up costs ~1 s); tests isolate by project id.
describe.each(drivers)('update log storage on %s', (driver) => {
  let database: Database
  beforeAll(async () => {
    database = await openTestDatabase(driver)
  })
  afterAll(async () => {
    await database.close()
  })

  it('migrations are idempotent', async () => {
    await database.migrate()
    await database.migrate()
  })

  it('stores updates as bytes and reads them back in seq order', async () => {
    const project = uniqueProjectId()
    await insertUpdates(database.db, [
      { projectId: project, seq: 2, update: bytes(2, 0, 255) },
      { projectId: project, seq: 1, update: bytes(1) },
    ])
    await insertUpdates(database.db, [{ projectId: uniqueProjectId(), seq: 1, update: bytes(9) }])
    const stored = await readDocument(database.db, project)
    expect(stored.snapshot).toBeNull()
    expect(stored.tail.map((r) => r.seq)).toEqual([1, 2])
    expect([...(stored.tail[1]?.update ?? [])]).toEqual([2, 0, 255])
    expect(stored.tail[0]?.update).toBeInstanceOf(Uint8Array)
  })

  it('rejects a duplicate seq for the same project (one writer per room)', async () => {
    const project = uniqueProjectId()
    await insertUpdates(database.db, [{ projectId: project, seq: 1, update: bytes(1) }])
    await expect(
      insertUpdates(database.db, [{ projectId: project, seq: 1, update: bytes(2) }]),
    ).rejects.toThrow()
  })

  it('compaction writes a snapshot, deletes covered rows, and the tail continues after it', async () => {
    const project = uniqueProjectId()
    await insertUpdates(
      database.db,
      [1, 2, 3, 4].map((seq) => ({ projectId: project, seq, update: bytes(seq) })),
    )
    await compact(database.db, project, 3, bytes(7, 7))
    await insertUpdates(database.db, [{ projectId: project, seq: 5, update: bytes(5) }])
    await compact(database.db, project, 4, bytes(8, 8)) // replaces the older snapshot
    const stored = await readDocument(database.db, project)
    expect(stored.snapshot?.upToSeq).toBe(4)
    expect([...(stored.snapshot?.state ?? [])]).toEqual([8, 8])
    expect(stored.tail.map((r) => r.seq)).toEqual([5])
    expect(await countRows(database.db, project)).toEqual({ updates: 1, snapshots: 1 })
  })
})
