import { type RunningServer, startServer } from '../../src/server/app'
import { loadConfig, type ServerConfig } from '../../src/server/config'
import type { Database } from '../../src/server/db'
import { type Caller, signUp } from './api'
import { type DriverName, openTestDatabase } from './db'

export const testSecret = 'test-collab-secret'

export type ConfigOverrides = Partial<Omit<ServerConfig, 'limits' | 'compaction'>> & {
  limits?: Partial<ServerConfig['limits']>
  compaction?: Partial<ServerConfig['compaction']>
}

/** An in-process server (no Next.js) on a free port, on the given database. */
export async function startTestServer(
  database: Database,
  overrides: ConfigOverrides = {},
): Promise<RunningServer> {
  const base = loadConfig({ NODE_ENV: 'test' })
  const config: ServerConfig = {
    ...base,
    // A restarted test server loads a room when a test's client asks (what most tests check); the prewarm
    // at start has its own test (collab-cold-load.test.ts).
    prewarm: { withinMs: 0, rooms: 0 },
    // Every file's sign-ups come from 127.0.0.1, and in CI Redis counts them across the whole suite: the
    // per-IP limit has its own tests (security.test.ts), which set it.
    authRateLimit: { max: 10_000, windowSeconds: 60 },
    ...overrides,
    port: overrides.port ?? 0,
    host: '127.0.0.1',
    next: false,
    collabSecret: testSecret,
    database: { driver: 'pglite' }, // unused: the database is passed in
    limits: { ...base.limits, ...overrides.limits },
    compaction: { ...base.compaction, ...overrides.compaction },
  }
  return startServer({ config, database, log: () => {} })
}

export const collabUrl = (server: { port: number }): string => `ws://127.0.0.1:${server.port}/collab`

/** A test server on a fresh database with two signed-up users, `owner` and `editor`. */
export interface TwoUserServer {
  database: Database
  server: RunningServer
  owner: Caller
  editor: Caller
  close(): Promise<void>
}

export async function startTwoUserServer(
  driver: DriverName,
  overrides: ConfigOverrides = {},
): Promise<TwoUserServer> {
  const database = await openTestDatabase(driver)
  const server = await startTestServer(database, overrides)
  return {
    database,
    server,
    owner: await signUp(server.url, 'owner'),
    editor: await signUp(server.url, 'editor'),
    async close() {
      await server.close()
      await database.close()
    },
  }
}
