import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { EMBEDDED_SETTINGS } from './settings'

/**
 * Creates the embedded database's cluster in a fresh data directory, in a process of its own
 * (thread.ts starts it): `node --import tsx initdb.ts <dataDir>`. Running initdb inside PGlite grows
 * its WebAssembly memory and the process's malloc arenas by ~450 MiB; a process gives all of it back
 * to the system when it exits, where a thread left the allocator's share of it in the server.
 */
const dataDir = process.argv[2]
if (dataDir === undefined) throw new Error('usage: initdb.ts <dataDir>')
mkdirSync(dataDir, { recursive: true })
const db = await PGlite.create({ dataDir, postgresqlconf: EMBEDDED_SETTINGS })
await db.close()
