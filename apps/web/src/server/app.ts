import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { type CollabServer, createCollabServer } from './collab/server'
import { resolveCollabSecret, type ServerConfig, webAppDir } from './config'
import { type Database, openMigratedDatabase } from './db'
import { devTokenRoute } from './dev-token'
import { createRequestListener, type Fallback, healthRoute, notFound, type Route } from './http'

/**
 * Assembles the one process: database (migrated), collab WebSocket endpoint, HTTP routes, and
 * Next.js, all on one http.Server. Request order: `routes` (API handlers), then Next. Upgrade
 * order: /collab/* to the collab server, anything else to Next (its dev HMR socket).
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

  const collab = createCollabServer({
    db: database.db,
    secret,
    limits: config.limits,
    compaction: config.compaction,
    idleUnloadMs: config.idleUnloadMs,
    log: (line) => console.warn(line),
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

  const routes: Route[] = [
    healthRoute,
    ...(config.devTokens ? [devTokenRoute(secret)] : []),
    ...(options.routes ?? []),
  ]
  const server = createServer(createRequestListener(routes, fallback))
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (collab.handleUpgrade(req, socket, head)) return
    if (nextUpgrade === null) {
      socket.destroy()
      return
    }
    Promise.resolve(nextUpgrade(req, socket, head)).catch(() => socket.destroy())
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
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
    close() {
      closing ??= (async () => {
        server.close()
        const flushed = await collab.close(config.shutdownFlushMs)
        if (!flushed) console.warn('[ensemble] shutdown: some document updates could not be stored')
        server.closeAllConnections()
        if (ownsDatabase) await database.close()
      })()
      return closing
    },
  }
}
