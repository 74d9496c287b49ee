import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import pg from 'pg'
import { type EmbeddedOptions, startEmbeddedPostgres } from './pglite/thread'
import * as schema from './schema'

export { schema }
export type Schema = typeof schema

/** What the app sees: drizzle's pg-core query builder, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>

export type DatabaseConfig =
  /** Embedded PostgreSQL (PGlite, in a thread of its own). */
  ({ driver: 'pglite' } & EmbeddedOptions) | { driver: 'postgres'; url: string; poolSize?: number }

export interface Database {
  readonly db: Db
  readonly driver: DatabaseConfig['driver']
  /** Applies the checked-in drizzle-kit migrations (idempotent). */
  migrate(): Promise<void>
  close(): Promise<void>
  /** PGlite only: the data directory as a tarball, used by tests to clone a migrated template. */
  dumpDataDir?(): Promise<Blob>
}

export const migrationsFolder = fileURLToPath(new URL('../../../drizzle', import.meta.url))

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.driver === 'postgres') {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize ?? 5,
      // A database that goes away must turn into errors (the durable log retries them), never into
      // a query or a pool checkout that waits forever and silently stops every commit after it.
      connectionTimeoutMillis: 10_000,
      query_timeout: 60_000,
      keepAlive: true,
    })
    // An idle client losing its connection (database restart) must not crash the process;
    // the next query gets a fresh connection and the durable log retries failed commits.
    pool.on('error', (err) => console.warn(`[db] idle PostgreSQL client error: ${err.message}`))
    // A checked-out client whose connection drops emits 'error' too, with no pool listener on it:
    // that would be an uncaught exception. The query in flight rejects on its own (and is retried).
    pool.on('connect', (client) => {
      client.on('error', (err) => console.warn(`[db] PostgreSQL connection lost: ${err.message}`))
    })
    const db = drizzle({ client: pool, schema })
    return {
      db,
      driver: 'postgres',
      migrate: () => migrate(db, { migrationsFolder }),
      close: () => pool.end(),
    }
  }
  const embedded = await startEmbeddedPostgres(config, migrationsFolder)
  const db = drizzle({ client: embedded.pool, schema })
  return {
    db,
    driver: 'pglite',
    migrate: () => migrate(db, { migrationsFolder }),
    close: () => embedded.close(),
    dumpDataDir: () => embedded.dump(),
  }
}

/** Opens and migrates: what the server does on start. */
export async function openMigratedDatabase(config: DatabaseConfig): Promise<Database> {
  const database = await openDatabase(config)
  try {
    await database.migrate()
  } catch (err) {
    await database.close().catch(() => {})
    throw err
  }
  return database
}
