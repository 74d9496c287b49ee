import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { inject } from 'vitest'
import { type Database, openDatabase } from '../../src/server/db'

/** The database drivers this run covers: PGlite always, PostgreSQL when DATABASE_URL is set. */
export type DriverName = 'pglite' | 'postgres'

export const drivers: DriverName[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

let template: Blob | null = null

/**
 * A migrated database for one test. PGlite: a fresh in-memory clone of the run's template.
 * PostgreSQL: a pool on the shared, migrated test database (isolate with `uniqueProjectId`).
 */
export async function openTestDatabase(driver: DriverName): Promise<Database> {
  if (driver === 'postgres') {
    const url = process.env.DATABASE_URL
    if (!url) throw new Error('DATABASE_URL is not set')
    return openDatabase({ driver: 'postgres', url, poolSize: 4 })
  }
  template ??= new Blob([readFileSync(inject('pgliteTemplate'))])
  return openDatabase({ driver: 'pglite', loadDataDir: template })
}

/**
 * Seeds a PGlite data directory on disk from the migrated template, so that a server process
 * started on it skips initdb and migrations (seconds on a busy machine).
 */
export async function seedPgliteDir(dataDir: string): Promise<void> {
  template ??= new Blob([readFileSync(inject('pgliteTemplate'))])
  const seeded = await openDatabase({ driver: 'pglite', dataDir, loadDataDir: template })
  await seeded.close()
}

/** Project ids unique per test, so PostgreSQL runs never see each other's rows. */
export const uniqueProjectId = (label = 'p'): string => `${label}-${randomUUID()}`
