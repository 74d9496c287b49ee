import { sql } from 'drizzle-orm'
import type { CollabServer } from './collab/server'
import type { Db } from './db'
import type { RedisBus } from './fanout/redis-bus'
import { type Route, sendJson } from './http'

/**
 * `GET /readyz`: whether this instance should get new clients (a load balancer's question), with
 * the figures behind the answer. Ready = the database answers and, when scaled out, Redis does.
 * An instance that is not ready still serves its connected clients (edits stay in memory, "saved"
 * waits); `/api/health` stays 200 as long as the process runs.
 */

export interface Readiness {
  ready: boolean
  database: boolean
  /** 'off' on a single instance. */
  redis: 'ready' | 'down' | 'off'
  rooms: number
  connections: number
  /** Log entries waiting for the database (non-zero while it is away). */
  queuedUpdates: number
  failedCommits: number
}

export function readinessRoute(deps: { db: Db; collab: CollabServer; bus: RedisBus | null }): Route {
  return async (req, res, url) => {
    if (url.pathname !== '/readyz' || req.method !== 'GET') return false
    const state = await readiness(deps)
    sendJson(res, state.ready ? 200 : 503, state)
    return true
  }
}

export async function readiness(deps: {
  db: Db
  collab: CollabServer
  bus: RedisBus | null
}): Promise<Readiness> {
  const [database, redisOk] = await Promise.all([
    withTimeout(
      deps.db.execute(sql`select 1`).then(() => true),
      1000,
    ),
    deps.bus === null ? Promise.resolve(true) : deps.bus.ping(1000),
  ])
  const stats = deps.collab.stats()
  return {
    ready: database && redisOk,
    database,
    redis: deps.bus === null ? 'off' : redisOk ? 'ready' : 'down',
    rooms: stats.rooms,
    connections: stats.connections,
    queuedUpdates: stats.queued,
    failedCommits: stats.failedCommits,
  }
}

async function withTimeout(check: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([check.catch(() => false), timeout])
  } finally {
    clearTimeout(timer)
  }
}
