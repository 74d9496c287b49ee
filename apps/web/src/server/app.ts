import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { createInferenceClient } from '@ensemble/inference/client'
import { sharedInferenceSecret } from '@ensemble/inference/config'
import { discussionLimits } from '../discussion/limits'
import { trpcRoute } from './api/route'
import { ObjectStore } from './assets/object-store'
import { assetsRoute } from './assets/route'
import { startAssetSweep } from './assets/sweep'
import { databaseAttemptCounts, redisAttemptCounts } from './auth/attempt-counts'
import { type Auth, authRoute, createAuth } from './auth/auth'
import { RecentSessions } from './auth/recent-sessions'
import { classifyFolded } from './changes/change-log'
import { type CollabServer, createCollabServer } from './collab/server'
import { signRoomToken } from './collab/tokens'
import { resolveAuthSecret, resolveCollabSecret, type ServerConfig, webAppDir } from './config'
import { type Database, openMigratedDatabase } from './db'
import { recentlyEditedProjects } from './db/update-log'
import { RedisBus } from './fanout/redis-bus'
import { createRequestListener, type Fallback, healthRoute, notFound, type Route, sendJson } from './http'
import { installPageAccess } from './page-access'
import { collabAuthorize, memberRole } from './projects/access'
import { projectId as projectIdInput } from './projects/inputs'
import { startMembershipSweep } from './projects/membership-sweep'
import { startPurge } from './projects/purge'
import { seedSong, songState } from './projects/song-state'
import { followSongTitle, retitleSong } from './projects/song-title'
import { PerUserRate } from './quotas/discussion-rates'
import { SuggestionsInFlight } from './quotas/suggestions-in-flight'
import { readinessRoute } from './readiness'
import { archiveRoute } from './registry/archive-route'
import { inferenceBundleCheck } from './registry/bundle-check'
import { publishRoute } from './registry/publish'
import { defaultOrigins, isAllowedOrigin, isStateChanging, stampClientIp } from './security/origin'

/**
 * Assembles the one process: database (migrated), collab WebSocket endpoint, HTTP routes, and
 * Next.js, all on one http.Server. Request order: origin check for writes, health, /api/auth
 * (better-auth), /api/trpc, `routes`, then Next. Upgrade order: origin check, /collab/* to the
 * collab server, anything else to Next (its dev HMR socket).
 */

export interface StartOptions {
  config: ServerConfig
  /** Extra HTTP handlers tried before Next.js (tRPC goes here). */
  routes?: readonly Route[]
  /** Use an already open database (tests); it is not closed by `close()`. */
  database?: Database
  log?: (line: string) => void
}

export interface RunningServer {
  url: string
  port: number
  server: Server
  collab: CollabServer
  database: Database
  secret: string
  auth: Auth
  /** The browser origins this server accepts writes and WebSockets from. */
  origins: readonly string[]
  /** Stops accepting, closes sockets, flushes the update log, closes the database. */
  close(): Promise<void>
}

type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void | Promise<void>

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options
  const log = options.log ?? ((line: string) => console.log(line))
  const secret = resolveCollabSecret(config)
  const ownsDatabase = options.database === undefined
  const database = options.database ?? (await openMigratedDatabase(config.database))

  // Scaled out (REDIS_URL): rooms share updates and awareness with other instances' replicas.
  const bus =
    config.redisUrl === null
      ? null
      : new RedisBus({
          url: config.redisUrl,
          channelPrefix: config.redisChannelPrefix,
          log: (l) => console.warn(l),
        })
  const collab = createCollabServer({
    ...(bus === null ? {} : { bus, catchUpMs: config.catchUpMs }),
    heartbeatMs: config.heartbeatMs,
    db: database.db,
    secret,
    limits: config.limits,
    compaction: config.compaction,
    idleUnloadMs: config.idleUnloadMs,
    commitWindowMs: config.commitWindowMs,
    beforeFold: classifyFolded,
    log: (line) => console.warn(line),
    authorize: (projectId, userId, tokenRole) =>
      collabAuthorize(database.db, projectId, userId, tokenRole, { tokenOnlyRooms: config.tokenOnlyRooms }),
    onRoomLoaded: (room) => followSongTitle(room, database.db, (line) => console.warn(line)),
    membershipStaleMs: config.membershipStaleMs,
  })

  let fallback: Fallback = notFound
  let nextUpgrade: UpgradeHandler | null = null
  if (config.next) {
    const { default: next } = await import('next')
    const app = next({ dev: config.dev, dir: webAppDir, hostname: config.host, port: config.port })
    await app.prepare()
    fallback = app.getRequestHandler()
    nextUpgrade = app.getUpgradeHandler()
  }

  // Filled in once the port (and so the default origins) is known; nothing is served before.
  let origins: readonly string[] = []
  const routes: Route[] = []
  const server = createServer(createRequestListener(routes, fallback))
  // Node closes an idle kept-alive socket after 5 s, the moment a client may reuse it for a POST it will
  // not retry (a tRPC mutation answered "other side closed"). Idle sockets live longer than any client
  // waits between calls; headersTimeout must stay above it.
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!isAllowedOrigin(req, origins)) {
      socket.on('error', () => socket.destroy())
      socket.end(
        'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 20\r\n\r\ncross-origin upgrade',
      )
      return
    }
    if (collab.handleUpgrade(req, socket, head)) return
    if (nextUpgrade === null) {
      socket.destroy()
      return
    }
    Promise.resolve(nextUpgrade(req, socket, head)).catch(() => socket.destroy())
  })

  if (config.prewarm.rooms > 0) {
    const started = performance.now()
    try {
      const recent = await recentlyEditedProjects(database.db, config.prewarm.withinMs, config.prewarm.rooms)
      const loaded = await collab.prewarm(recent)
      if (loaded > 0)
        log(
          `[collab] prewarmed ${loaded} recently edited rooms in ${Math.round(performance.now() - started)} ms`,
        )
    } catch (err) {
      // Only a head start: rooms still load on demand.
      log(`[collab] prewarming skipped: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  origins = config.origins ?? defaultOrigins(url)
  // Sign-in and sign-up attempts, counted where every instance sees them (auth/attempt-counts.ts).
  const attempts =
    config.redisUrl === null
      ? databaseAttemptCounts(database.db)
      : redisAttemptCounts(config.redisUrl, config.redisChannelPrefix)
  const auth = createAuth({
    db: database.db,
    secret: resolveAuthSecret(config),
    origins,
    rateLimit: config.authRateLimit,
    emailRateLimit: config.authEmailRateLimit,
    attempts,
  })
  if (config.next)
    installPageAccess(async (headers, projectId) => {
      const session = await auth.api.getSession({ headers })
      if (session === null) return 'signed-out'
      if (!projectIdInput.safeParse(projectId).success) return 'none'
      return (await memberRole(database.db, projectId, session.user.id)) ?? 'none'
    })
  const stopSweep = startMembershipSweep(collab, database.db, {
    intervalMs: config.membershipSweepMs,
    tokenOnlyRooms: config.tokenOnlyRooms,
  })
  const deletedRetentionMs = config.deletedRetentionDays * 24 * 60 * 60 * 1000
  const stopPurge = startPurge(database.db, {
    retentionMs: deletedRetentionMs,
    intervalMs: config.purgeIntervalMs,
    log,
  })
  const assetObjects = config.assets.objectStore === null ? null : new ObjectStore(config.assets.objectStore)
  const stopAssetSweep = startAssetSweep(database.db, {
    expiryMs: config.assets.uploadExpiryMs,
    intervalMs: config.assets.sweepIntervalMs,
    objects: assetObjects,
    log,
  })
  const inferenceSecret = sharedInferenceSecret(config.dataDir, config.inferenceSecret ?? undefined)
  const inference = createInferenceClient(config.inferenceUrl, inferenceSecret)
  const recentSessions = new RecentSessions()
  routes.push(
    sameOriginWrites(() => origins),
    healthRoute,
    readinessRoute({ db: database.db, collab, bus }),
    authRoute(auth, recentSessions),
    trpcRoute(auth, recentSessions, {
      db: database.db,
      songState: (projectId) => songState(collab, database.db, projectId),
      holdRoom: (projectId, use) => collab.rooms.hold(projectId, use),
      writeRules: collab.writeRules,
      seedSong: (projectId, state) => seedSong(database.db, projectId, state),
      retitleSong: (projectId, title) => retitleSong(collab.rooms, projectId, title),
      setAccess: (projectId, userId, role) => {
        collab.setAccess(projectId, userId, role)
      },
      closeProject: (projectId) => {
        collab.closeProject(projectId)
      },
      deletedRetentionMs,
      signRoomToken: async (claims) => {
        const exp = Math.floor(Date.now() / 1000) + config.roomTokenTtlSeconds
        const token = await signRoomToken(claims, { secret, exp })
        return { token, expiresAt: exp * 1000 }
      },
      inference,
      suggestionsInFlight: new SuggestionsInFlight(config.suggestionLimits),
      firstPartyNames: new Map(),
      notifyDiscussion: (projectId, json) => collab.notifyDiscussion(projectId, json),
      discussionRates: {
        comments: new PerUserRate(discussionLimits.commentsPerMinute),
        chat: new PerUserRate(discussionLimits.chatPerMinute),
      },
    }),
    publishRoute({ db: database.db, checkBundle: inferenceBundleCheck(inference) }),
    archiveRoute({ db: database.db, secret: inferenceSecret }),
    assetsRoute({
      db: database.db,
      auth,
      objects: assetObjects,
      limits: config.assets,
      onStored: (projectId, part, sha256) => collab.notifyAssetStored(projectId, part, sha256),
    }),
    ...(options.routes ?? []),
  )
  log(
    `[ensemble] web server listening on ${url} (collab ${url.replace('http', 'ws')}/collab, db ${database.driver}, next ${config.next ? (config.dev ? 'dev' : 'prod') : 'off'})`,
  )

  let closing: Promise<void> | null = null
  return {
    url,
    port,
    server,
    collab,
    database,
    secret,
    auth,
    origins,
    close() {
      closing ??= (async () => {
        server.close()
        stopSweep()
        stopPurge()
        stopAssetSweep()
        const flushed = await collab.close(config.shutdownFlushMs)
        await bus?.close()
        await attempts.close()
        if (!flushed) console.warn('[ensemble] shutdown: some document updates could not be stored')
        server.closeAllConnections()
        if (ownsDatabase) await database.close()
      })()
      return closing
    },
  }
}

/**
 * Refuses state-changing requests that a browser sent from another site (CSRF): the session
 * cookie would ride along, so the Origin header must be one of ours. Also stamps the client IP
 * that better-auth's rate limiter keys on.
 */
function sameOriginWrites(origins: () => readonly string[]): Route {
  return (req, res) => {
    stampClientIp(req)
    if (!isStateChanging(req) || isAllowedOrigin(req, origins())) return false
    sendJson(res, 403, { error: 'cross-origin request refused' })
    return true
  }
}
