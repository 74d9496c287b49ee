import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'

/**
 * Creates the embedded database's cluster in a fresh data directory, in a process of its own that
 * thread.ts starts: `node initdb.mjs <dataDir> <settings as JSON>`. Running initdb inside PGlite grows
 * its WebAssembly memory and the process's malloc arenas by ~450 MiB that are never given back while
 * the process lives; this process returns all of it to the system when it exits. Plain JavaScript so
 * that it starts without tsx's loader (a thread and a compiler of its own).
 */
const [dataDir, settings] = process.argv.slice(2)
try {
  if (dataDir === undefined || settings === undefined)
    throw new Error('usage: initdb.mjs <dataDir> <settings>')
  mkdirSync(dataDir, { recursive: true })
  const db = await PGlite.create({ dataDir, postgresqlconf: JSON.parse(settings) })
  await db.close()
} catch (err) {
  // One line for the server's error (its stack would only point here).
  process.stderr.write(err instanceof Error ? err.message : String(err))
  process.exit(1)
}
