import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import WebSocket from 'ws'
import type * as Y from 'yjs'
import { connectSong } from '../../src/client/collab'
import { type Database, openDatabase, openMigratedDatabase } from '../../src/server/db'
import { freePort, type ServerProcess, spawnServer } from './child'
import { connectSynced, isSaved, type TestClient, tokenFor } from './clients'
import { type OwnPostgres, type OwnRedis, startOwnPostgres, startOwnRedis } from './services'
import { waitFor } from './wait'

/**
 * N real server processes on one PostgreSQL and one Redis, each on its own port: what
 * `scripts/cluster.mjs` does for development, with handles to kill, pause and restart them.
 */

export interface ClusterOptions {
  instances: number
  databaseUrl: string
  redisUrl: string
  /** Extra env for every instance. */
  env?: Record<string, string>
  /** Extra env for instance `i` only (after `env`). */
  envOf?: (i: number) => Record<string, string>
}

export interface Instance {
  index: number
  port: number
  url: string
  process: ServerProcess
}

export interface Cluster {
  instances: Instance[]
  /** Starts instance `i` again on its port (after a kill). */
  restart(i: number): Promise<Instance>
  destroy(): Promise<void>
}

/** Faster than production so tests stay short: catch-up every 300 ms, 1 s heartbeat. */
export const clusterTestEnv: Record<string, string> = {
  COLLAB_CATCH_UP_MS: '300',
  COLLAB_HEARTBEAT_MS: '1000',
  // Edit storms run far above a person's message rate; these tests are about delivery.
  COLLAB_MESSAGES_PER_SECOND: '1000000',
  COLLAB_MESSAGE_BURST: '1000000',
  COLLAB_IDLE_UNLOAD_MS: '2000',
  // The storms use token-only rooms (no accounts); tests that need projects seed them.
  COLLAB_TOKEN_ONLY_ROOMS: '1',
  // On the shared test database a starting instance would prewarm the rooms every other test file just edited.
  COLLAB_PREWARM_ROOMS: '0',
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  // Migrate once up front; instances would otherwise race each other's migrations.
  const migrated = await openMigratedDatabase({ driver: 'postgres', url: options.databaseUrl })
  await migrated.close()
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-cluster-'))
  const ports: number[] = []
  for (let i = 0; i < options.instances; i++) ports.push(await freePort())
  const spawnOne = async (i: number): Promise<Instance> => {
    const port = ports[i] ?? 0
    const proc = await spawnServer({
      port,
      dataDir,
      driver: 'postgres',
      timeoutMs: 60_000,
      env: {
        ...clusterTestEnv,
        DATABASE_URL: options.databaseUrl,
        REDIS_URL: options.redisUrl,
        ...options.env,
        ...options.envOf?.(i),
      },
    })
    return { index: i, port, url: `ws://127.0.0.1:${port}/collab`, process: proc }
  }
  const instances = await Promise.all(ports.map((_, i) => spawnOne(i)))
  return {
    instances,
    async restart(i) {
      const instance = await spawnOne(i)
      instances[i] = instance
      return instance
    },
    async destroy() {
      await Promise.all(instances.map((s) => s.process.kill9().catch(() => {})))
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface OwnClusterOptions extends Omit<ClusterOptions, 'databaseUrl' | 'redisUrl' | 'envOf'> {
  /** As `ClusterOptions.envOf`, given the URL of the cluster's own PostgreSQL. */
  envOf?: (i: number, databaseUrl: string) => Record<string, string>
}

/**
 * A cluster on a PostgreSQL and a Redis of its own, for tests that stop, kill or pause them
 * (doing that to the shared ones would break other runs), with a connection of the test's own.
 */
export interface OwnCluster {
  redis: OwnRedis
  postgres: OwnPostgres
  cluster: Cluster
  database: Database
  destroy(): Promise<void>
}

export async function startOwnCluster(options: OwnClusterOptions): Promise<OwnCluster> {
  const [redis, postgres] = await Promise.all([startOwnRedis(), startOwnPostgres()])
  const { envOf, ...rest } = options
  let cluster: Cluster | undefined
  try {
    cluster = await startCluster({
      ...rest,
      databaseUrl: postgres.url,
      redisUrl: redis.url,
      envOf: envOf === undefined ? undefined : (i) => envOf(i, postgres.url),
    })
    const database = await openDatabase({ driver: 'postgres', url: postgres.url, poolSize: 2 })
    const started = cluster
    return {
      redis,
      postgres,
      cluster: started,
      database,
      async destroy() {
        await started.destroy()
        await database.close()
        await redis.destroy()
        await postgres.destroy()
      },
    }
  } catch (err) {
    // Nothing else holds these processes yet: a failed start must not leave them running.
    await cluster?.destroy()
    await redis.destroy()
    await postgres.destroy()
    throw err
  }
}

/**
 * Client i only ever does `map.set('c<i>-<n>', n)` on a fresh doc, so its n-th edit has clock n:
 * a saved clock S means keys c<i>-0 … c<i>-(S-1) are stored (as in crash.test.ts).
 */
export function startStorm(clients: readonly TestClient[]): { stop: () => Promise<void>; edits: number[] } {
  const edits = clients.map(() => 0)
  let running = true
  const loops = clients.map(async (c, i) => {
    while (running) {
      c.map.set(`c${i}-${edits[i]}`, edits[i])
      edits[i] = (edits[i] ?? 0) + 1
      // A few edits per millisecond per client: a storm, yet frames and acks keep flowing.
      if ((edits[i] ?? 0) % 2 === 0) await new Promise((resolve) => setTimeout(resolve, 2))
    }
  })
  return {
    edits,
    stop: async () => {
      running = false
      await Promise.all(loops)
    },
  }
}

/** Keys of client i missing from `doc` among its first `upTo` edits. */
export function missingKeys(doc: Y.Doc, i: number, upTo: number): number[] {
  const m = doc.getMap('m')
  const missing: number[] = []
  for (let n = 0; n < upTo; n++) if (m.get(`c${i}-${n}`) !== n) missing.push(n)
  return missing
}

/** Clients spread round-robin over the instances. */
export async function spreadClients(instances: readonly Instance[], project: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      connectSynced(instances[i % instances.length]?.url ?? '', project, { sub: `u${i}` }),
    ),
  )
}

/**
 * Moves a client to another instance, keeping its doc (and so its unsaved edits): what a browser
 * does when its instance dies and the load balancer sends the reconnect elsewhere.
 */
export async function moveClient(
  client: TestClient,
  url: string,
  project: string,
  sub: string,
): Promise<TestClient> {
  client.destroy()
  const token = await tokenFor(project, { sub })
  const conn = connectSong({
    url,
    projectId: project,
    token,
    doc: client.doc,
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
  })
  return { ...conn, doc: client.doc, map: client.doc.getMap('m') }
}

/** Waits until every client is synced and has every local edit acknowledged as saved. */
export async function waitAllSaved(clients: readonly TestClient[], timeoutMs = 30_000): Promise<void> {
  await waitFor(() => clients.every((c) => c.provider.synced && isSaved(c)), 'every client saved', timeoutMs)
}
