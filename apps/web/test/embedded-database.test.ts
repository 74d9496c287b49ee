import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Database, openDatabase } from '../src/server/db'
import { joinBytes, splitWireMessages } from '../src/server/db/pglite/wire'
import { openTestDatabase } from './helpers/db'

/** The embedded PGlite runs in a thread of its own and is reached over the PostgreSQL wire protocol. */
describe('embedded database thread', () => {
  let database: Database
  let pool: pg.Pool
  beforeAll(async () => {
    database = await openTestDatabase('pglite')
    pool = (database.db as unknown as { $client: pg.Pool }).$client
  })
  afterAll(async () => {
    await database.close()
  })

  it('keeps the server thread free while a statement runs', async () => {
    // In-process PGlite runs SQL synchronously: no timer could fire until the statement returned.
    let timerFiredFirst: boolean | null = null
    const query = database.db
      .execute(sql`select count(*) from generate_series(1, 3000000) a join generate_series(1, 1) b on true`)
      .then(() => {
        timerFiredFirst ??= false
      })
    setTimeout(() => {
      timerFiredFirst ??= true
    }, 1)
    await query
    expect(timerFiredFirst).toBe(true)
  })

  it('a failed statement leaves the connection usable', async () => {
    await expect(database.db.execute(sql`select nonsense from nowhere`)).rejects.toThrow()
    const { rows } = await pool.query<{ answer: number }>('select 41 + 1 as answer')
    expect(rows[0]).toEqual({ answer: 42 })
  })

  it('rolls back the transaction of a connection that went away, so the next one starts clean', async () => {
    await database.db.execute(sql`create table if not exists dropped_tx (id int)`)
    const client = await pool.connect()
    await client.query('begin')
    await client.query('insert into dropped_tx values (1)')
    client.release(new Error('connection lost (test)'))
    const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from dropped_tx')
    expect(rows[0]?.n).toBe(0)
    // A transaction left open would swallow this statement into it; committed, it is visible.
    await pool.query('insert into dropped_tx values (2)')
    const again = await pool.query<{ n: number }>('select count(*)::int as n from dropped_tx')
    expect(again.rows[0]?.n).toBe(1)
  })

  it('starts every new connection in a fresh session: named statements and settings do not outlive theirs', async () => {
    // PGlite is one backend for every connection. node-postgres replaces a connection that failed
    // or sat idle past the pool's timeout and re-prepares its named statements on the new one:
    // "already exists" there stopped every commit after it for good.
    const first = await pool.connect()
    await first.query({ name: 'session-probe', text: 'select $1::int as v', values: [1] })
    await first.query("set application_name = 'first'")
    first.release(true)
    const second = await pool.connect()
    try {
      const { rows } = await second.query<{ v: number }>({
        name: 'session-probe',
        text: 'select $1::int as v',
        values: [2],
      })
      expect(rows[0]?.v).toBe(2)
      const name = await second.query<{ application_name: string }>('show application_name')
      expect(name.rows[0]?.application_name).not.toBe('first')
    } finally {
      second.release()
    }
  })

  it('serves concurrent callers one statement at a time without mixing their results', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => pool.query<{ v: number }>('select $1::int as v', [i])),
    )
    expect(results.map((r) => r.rows[0]?.v)).toEqual(Array.from({ length: 50 }, (_, i) => i))
  })
})

describe('embedded database start', () => {
  it('creates a fresh data directory already migrated, and a restart finds the same tables', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'ensemble-embedded-')), 'pglite')
    const tables = async (db: Database) => {
      const client = (db.db as unknown as { $client: pg.Pool }).$client
      const { rows } = await client.query<{ n: number }>(
        "select count(*)::int as n from information_schema.tables where table_name in ('projects', 'document_log_heads')",
      )
      return rows[0]?.n
    }
    // No migrate() call: the process that created the cluster applied the migrations.
    const fresh = await openDatabase({ driver: 'pglite', dataDir })
    expect(await tables(fresh)).toBe(2)
    await fresh.close()
    const again = await openDatabase({ driver: 'pglite', dataDir })
    await again.migrate()
    expect(await tables(again)).toBe(2)
    await again.close()
  }, 120_000)

  it('fails with a clear error, not a hang, when its data directory cannot be used', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ensemble-embedded-')), 'not-a-dir')
    writeFileSync(file, 'x')
    await expect(openDatabase({ driver: 'pglite', dataDir: path.join(file, 'pglite') })).rejects.toThrow(
      /embedded database failed to start: .*ENOTDIR/,
    )
  })
})

describe('wire framing', () => {
  const startup = new Uint8Array([0, 0, 0, 9, 0, 3, 0, 0, 0])
  const query = new Uint8Array([0x51, 0, 0, 0, 6, 0x41, 0]) // 'Q', length 6, "A\0"

  it('splits the startup message (no type byte) and typed messages, keeping a partial tail', () => {
    const bytes = joinBytes(startup, query, query.subarray(0, 3))
    const { messages, rest } = splitWireMessages(bytes, false)
    expect(messages.map((m) => [...m])).toEqual([[...startup], [...query]])
    expect([...rest]).toEqual([...query.subarray(0, 3)])
    const next = splitWireMessages(joinBytes(rest, query.subarray(3)), true)
    expect(next.messages.map((m) => [...m])).toEqual([[...query]])
    expect(next.rest.byteLength).toBe(0)
  })

  it('waits for more bytes when even the header is incomplete', () => {
    expect(splitWireMessages(startup.subarray(0, 3), false)).toEqual({
      messages: [],
      rest: startup.subarray(0, 3),
    })
  })

  it('refuses a length that cannot be a message', () => {
    expect(() => splitWireMessages(new Uint8Array([0x51, 0, 0, 0, 1]), true)).toThrow(/malformed/)
  })
})
