import { eq } from 'drizzle-orm'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { type Database, openDatabase, schema } from '../src/server/db'
import {
  appendUpdates,
  compact,
  countRows,
  projectLogLockKey,
  readDocument,
} from '../src/server/db/update-log'
import { drivers, openTestDatabase, uniqueProjectId } from './helpers/db'

/**
 * The update log with several writers (instances) on one project: seqs stay gap-free in commit
 * order, concurrent compactions neither lose nor duplicate rows, and a reader racing a compaction
 * always sees a whole document. On PostgreSQL the writers are separate pools (separate sessions,
 * like separate processes); PGlite has one session, which still checks the logic.
 */

const edit = (doc: Y.Doc, key: string): Uint8Array => {
  let update: Uint8Array = new Uint8Array()
  const capture = (u: Uint8Array) => {
    update = u
  }
  doc.once('update', capture)
  doc.getMap('m').set(key, key)
  return update
}

const load = (stored: Awaited<ReturnType<typeof readDocument>>): Y.Doc => {
  const doc = new Y.Doc()
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.state)
  for (const row of stored.tail) Y.applyUpdate(doc, row.update)
  return doc
}

describe.each(drivers)('update log with several writers on %s', (driver) => {
  let a: Database
  let b: Database
  beforeAll(async () => {
    a = await openTestDatabase(driver)
    b =
      driver === 'postgres'
        ? await openDatabase({ driver: 'postgres', url: process.env.DATABASE_URL ?? '', poolSize: 4 })
        : a
  })
  afterAll(async () => {
    if (b !== a) await b.close()
    await a.close()
  })

  it('concurrent appends from two writers get one gap-free sequence', async () => {
    const project = uniqueProjectId('seq')
    const doc = new Y.Doc()
    const writes = Array.from({ length: 20 }, (_, i) => {
      const db = (i % 2 === 0 ? a : b).db
      const updates = [edit(doc, `k${i}a`), edit(doc, `k${i}b`)]
      return appendUpdates(db, project, updates)
    })
    const seqs = (await Promise.all(writes)).flat().sort((x, y) => x - y)
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    const stored = await readDocument(a.db, project)
    expect(stored.tail.map((r) => r.seq)).toEqual(seqs)
    expect(load(stored).getMap('m').size).toBe(40)
  })

  it('the first append continues above rows and a snapshot written before the head existed', async () => {
    const project = uniqueProjectId('seq2')
    const doc = new Y.Doc()
    // As a new project is seeded (a snapshot at seq 1) and as logs written before migration 0004 look.
    await a.db
      .insert(schema.documentSnapshots)
      .values({ projectId: project, upToSeq: 1, state: edit(doc, 's'), byteLength: 1 })
    expect(await appendUpdates(a.db, project, [edit(doc, 'k0')])).toEqual([2])
    await a.db.delete(schema.documentLogHeads).where(eq(schema.documentLogHeads.projectId, project))
    expect(await appendUpdates(a.db, project, [edit(doc, 'k1')])).toEqual([3])
  })

  it('a burst of 2,500 updates in one append is numbered in order', async () => {
    const project = uniqueProjectId('seq3')
    const doc = new Y.Doc()
    const updates = Array.from({ length: 2500 }, (_, i) => edit(doc, `k${i}`))
    const seqs = await appendUpdates(a.db, project, updates)
    expect(seqs).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1))
    const stored = await readDocument(a.db, project)
    expect(stored.tail.map((r) => r.seq)).toEqual(seqs)
    expect(load(stored).getMap('m').size).toBe(2500)
  })

  it('two compactions at once: the newest snapshot wins, nothing is lost or duplicated', async () => {
    const project = uniqueProjectId('compact')
    const doc = new Y.Doc()
    const updates = Array.from({ length: 12 }, (_, i) => edit(doc, `k${i}`))
    await appendUpdates(a.db, project, updates)
    // Replica states as of seq 5 and seq 8 (each replica holds exactly the rows up to its watermark).
    const upTo = (n: number) => {
      const d = new Y.Doc()
      for (const u of updates.slice(0, n)) Y.applyUpdate(d, u)
      return Y.encodeStateAsUpdate(d)
    }
    const [newer] = await Promise.all([
      compact(a.db, project, 8, upTo(8)),
      compact(b.db, project, 5, upTo(5)),
    ])
    // Whichever took the lock first wrote; the other found it taken and skipped, or ran after it.
    // A replica whose compaction was skipped tries again later, as this one does now.
    if (newer === 'busy') expect(await compact(a.db, project, 8, upTo(8))).toBe('compacted')
    expect(await countRows(a.db, project)).toEqual({ updates: 4, snapshots: 1 })
    const stored = await readDocument(a.db, project)
    expect(stored.snapshot?.upToSeq).toBe(8)
    expect(stored.tail.map((r) => r.seq)).toEqual([9, 10, 11, 12])
    expect(load(stored).getMap('m').size).toBe(12)
    // A stale compaction afterwards changes nothing.
    expect(await compact(b.db, project, 6, upTo(6))).toBe('superseded')
    expect(await countRows(a.db, project)).toEqual({ updates: 4, snapshots: 1 })
    // New appends continue after the snapshot, and a replica at seq 3 catches up via the snapshot.
    const [next] = await appendUpdates(b.db, project, [edit(doc, 'k12')])
    expect(next).toBe(13)
    const catchUp = await readDocument(a.db, project, 3)
    expect(catchUp.snapshot?.upToSeq).toBe(8)
    expect(catchUp.tail.map((r) => r.seq)).toEqual([9, 10, 11, 12, 13])
    const upToDate = await readDocument(a.db, project, 13)
    expect(upToDate).toEqual({ snapshot: null, tail: [] })
  })

  // PGlite has one session, which holds every lock it takes; separate sessions need PostgreSQL.
  it.skipIf(driver === 'pglite')(
    'a compaction skips at once, without waiting, while another session holds the project lock',
    async () => {
      const project = uniqueProjectId('busy')
      const doc = new Y.Doc()
      await appendUpdates(a.db, project, [edit(doc, 'k0'), edit(doc, 'k1')])
      const state = Y.encodeStateAsUpdate(doc)
      // Another instance in the middle of its compaction (or paused there): its transaction is open.
      const holder = await (b.db as unknown as { $client: pg.Pool }).$client.connect()
      try {
        await holder.query('begin')
        await holder.query('select pg_advisory_xact_lock(hashtext($1))', [projectLogLockKey(project)])
        expect(await compact(a.db, project, 2, state)).toBe('busy')
        expect(await countRows(a.db, project)).toEqual({ updates: 2, snapshots: 0 })
        // Appends never take the lock.
        expect(await appendUpdates(a.db, project, [edit(doc, 'k2')])).toEqual([3])
      } finally {
        await holder.query('rollback')
        holder.release()
      }
      expect(await compact(a.db, project, 2, state)).toBe('compacted')
      expect(await countRows(a.db, project)).toEqual({ updates: 1, snapshots: 1 })
    },
  )

  it('a load racing compactions always sees the whole document', async () => {
    const project = uniqueProjectId('race')
    const doc = new Y.Doc()
    const updates = Array.from({ length: 30 }, (_, i) => edit(doc, `k${i}`))
    await appendUpdates(a.db, project, updates)
    const state = (n: number) => {
      const d = new Y.Doc()
      for (const u of updates.slice(0, n)) Y.applyUpdate(d, u)
      return Y.encodeStateAsUpdate(d)
    }
    const compactions = (async () => {
      for (let n = 3; n <= 30; n += 3) await compact(a.db, project, n, state(n))
    })()
    const sizes: number[] = []
    const reads = (async () => {
      for (let i = 0; i < 20; i++) sizes.push(load(await readDocument(b.db, project)).getMap('m').size)
    })()
    await Promise.all([compactions, reads])
    expect(sizes.every((n) => n === 30)).toBe(true)
  })
})
