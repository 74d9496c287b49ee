import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { drizzle } from 'drizzle-orm/pglite'
import { migrate } from 'drizzle-orm/pglite/migrator'

/**
 * Creates the embedded database's cluster in a fresh data directory and applies the migrations, in a
 * process of its own that thread.ts starts: `node initdb.mjs <dataDir> <settings as JSON> <migrations>`.
 * Running initdb inside PGlite grows its WebAssembly memory and the process's malloc arenas by ~450 MiB
 * that are never given back while the process lives, and the first migrations' DDL adds more; this
 * process returns all of it to the system when it exits. Plain JavaScript so that it starts without
 * tsx's loader (a thread and a compiler of its own).
 */
const [dataDir, settings, migrationsFolder] = process.argv.slice(2)
try {
  if (dataDir === undefined || settings === undefined || migrationsFolder === undefined)
    throw new Error('usage: initdb.mjs <dataDir> <settings> <migrations folder>')
  mkdirSync(dataDir, { recursive: true })
  const db = await PGlite.create({ dataDir, postgresqlconf: JSON.parse(settings) })
  await migrate(drizzle({ client: db }), { migrationsFolder })
  await db.close()
} catch (err) {
  // One line for the server's error (its stack would only point here).
  process.stderr.write(err instanceof Error ? err.message : String(err))
  process.exit(1)
}
