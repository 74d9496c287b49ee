import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { openMigratedDatabase } from '../src/server/db'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of a tarball of a migrated PGlite data directory (see helpers/db.ts). */
    pgliteTemplate: string
  }
}

const resultsDir = path.join(import.meta.dirname, '..', '.test-results')

/**
 * Runs once per `vitest run`: migrating PGlite costs seconds, so we migrate one in-memory
 * instance, dump it, and every test clones the dump with `loadDataDir`.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const dir = path.join(tmpdir(), `ensemble-web-test-${process.pid}`)
  mkdirSync(dir, { recursive: true })
  const template = await openMigratedDatabase({ driver: 'pglite' })
  const dump = await template.dumpDataDir?.()
  await template.close()
  if (dump === undefined) throw new Error('PGlite dump unavailable')
  const file = path.join(dir, 'pglite-template.tar')
  writeFileSync(file, new Uint8Array(await dump.arrayBuffer()))
  project.provide('pgliteTemplate', file)

  mkdirSync(resultsDir, { recursive: true })
  const databaseUrl = process.env.DATABASE_URL
  if (databaseUrl) {
    const pg = await openMigratedDatabase({ driver: 'postgres', url: databaseUrl })
    await pg.close()
    rmSync(path.join(resultsDir, 'skipped.txt'), { force: true })
    console.log(`[test] storage and collab tests run on PGlite and on PostgreSQL (${redact(databaseUrl)})`)
  } else {
    const note =
      'PostgreSQL variant of the storage/collab tests skipped: DATABASE_URL is not set (ran on PGlite only)'
    writeFileSync(path.join(resultsDir, 'skipped.txt'), `${note}\n`)
    console.log(`[test] ${note}`)
  }
  return () => rmSync(dir, { recursive: true, force: true })
}

const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')
