import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import type { Db } from '../db'
import { Connection } from './connection'
import { DurableLog, type DurableLogStats } from './durable-log'
import { type CollabLimits, defaultLimits, Gate, KeyedCounter } from './limits'
import { CloseCode } from './protocol'
import type { CompactionPolicy } from './room'
import { Rooms } from './rooms'
import { verifyRoomToken } from './tokens'

/**
 * The collab endpoint: authenticates upgrades on `/collab/<projectId>`, hands sockets to rooms,
 * and owns the process-wide durable log. Attach `handleUpgrade` to the http server's `upgrade`
 * event; it returns false for paths that are not its own.
 */

export const collabPathPrefix = '/collab/'

export interface CollabServerOptions {
  db: Db
  secret: string
  limits?: Partial<CollabLimits>
  compaction?: Partial<CompactionPolicy>
  idleUnloadMs?: number
  retryMinMs?: number
  retryMaxMs?: number
  heartbeatMs?: number
  log?: (line: string) => void
}

export interface CollabServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean
  readonly rooms: Rooms
  readonly durableLog: DurableLog
  stats(): CollabStats
  /** Closes every connection (1001), flushes the log, unloads rooms. True if all was stored. */
  close(flushTimeoutMs?: number): Promise<boolean>
}

export interface CollabStats extends DurableLogStats {
  connections: number
  pendingUpgrades: number
  rooms: number
}

/** Project ids are opaque but bounded, so a path cannot smuggle anything into logs or SQL. */
const projectIdPattern = /^[A-Za-z0-9_.:-]{1,128}$/

export function parseCollabPath(url: string | undefined): { projectId: string; token: string | null } | null {
  const parsed = new URL(url ?? '/', 'http://localhost')
  if (!parsed.pathname.startsWith(collabPathPrefix)) return null
  let projectId: string
  try {
    projectId = decodeURIComponent(parsed.pathname.slice(collabPathPrefix.length))
  } catch {
    projectId = ''
  }
  return { projectId, token: parsed.searchParams.get('token') }
}

export function createCollabServer(options: CollabServerOptions): CollabServer {
  const limits: CollabLimits = { ...defaultLimits, ...options.limits }
  const log = options.log ?? ((line: string) => console.warn(line))
  const durableLog = new DurableLog(options.db, {
    log,
    ...(options.retryMinMs !== undefined ? { retryMinMs: options.retryMinMs } : {}),
    ...(options.retryMaxMs !== undefined ? { retryMaxMs: options.retryMaxMs } : {}),
  })
  const rooms = new Rooms(options.db, durableLog, {
    idleUnloadMs: options.idleUnloadMs ?? 30_000,
    compaction: { maxTailUpdates: 500, maxTailBytes: 4 * 1024 * 1024, ...options.compaction },
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayloadBytes })
  const pending = new Gate(limits.maxPendingUpgrades)
  const perUser = new KeyedCounter(limits.maxConnectionsPerUser)
  const connections = new Set<Connection>()
  let closing = false

  const heartbeat = setInterval(() => {
    for (const c of connections) c.heartbeat()
  }, options.heartbeatMs ?? 30_000)
  heartbeat.unref()

  async function accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    projectId: string,
    token: string | null,
  ) {
    const check = await verifyRoomToken(token, projectId, options.secret)
    if (!check.ok) return refuse(socket, check.status, check.reason)
    const { sub: userId, role } = check.claims
    if (!perUser.tryAcquire(userId)) return refuse(socket, 429, 'too many connections for this user')
    let room: Awaited<ReturnType<Rooms['acquire']>>
    try {
      room = await rooms.acquire(projectId)
    } catch (err) {
      perUser.release(userId)
      log(`[collab] loading room ${projectId} failed: ${err instanceof Error ? err.message : String(err)}`)
      return refuse(socket, 503, 'room unavailable')
    }
    if (closing || socket.destroyed) {
      perUser.release(userId)
      rooms.release(projectId)
      if (!socket.destroyed) refuse(socket, 503, 'server shutting down')
      return
    }
    // `ws` answers a bad handshake (e.g. missing Sec-WebSocket-Key) itself, with 400, and then
    // never calls back; it calls back synchronously otherwise, so the flag tells us to undo.
    let upgraded = false
    wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true
      const conn = new Connection(ws, {
        userId,
        role,
        messagesPerSecond: limits.messagesPerSecond,
        messageBurst: limits.messageBurst,
      })
      connections.add(conn)
      conn.listen({
        onMessage: (c, message) => room.handle(c, message),
        onClose: (c) => {
          connections.delete(c)
          room.removeConnection(c)
          perUser.release(userId)
          rooms.release(projectId)
        },
        log,
      })
      room.addConnection(conn)
    })
    if (!upgraded) {
      perUser.release(userId)
      rooms.release(projectId)
    }
  }

  return {
    rooms,
    durableLog,
    handleUpgrade(req, socket, head) {
      const target = parseCollabPath(req.url)
      if (target === null) return false
      // Until the upgrade completes, a socket error must not become an uncaught exception.
      socket.on('error', () => socket.destroy())
      if (closing) {
        refuse(socket, 503, 'server shutting down')
        return true
      }
      if (!projectIdPattern.test(target.projectId)) {
        refuse(socket, 404, 'unknown collab path')
        return true
      }
      if (!pending.tryEnter()) {
        refuse(socket, 503, 'too many pending connections')
        return true
      }
      accept(req, socket, head, target.projectId, target.token)
        .catch((err: unknown) => {
          log(`[collab] upgrade failed: ${err instanceof Error ? err.stack : String(err)}`)
          if (!socket.destroyed) refuse(socket, 500, 'internal error')
        })
        .finally(() => pending.leave())
      return true
    },
    stats: () => ({
      ...durableLog.stats,
      connections: connections.size,
      pendingUpgrades: pending.size,
      rooms: rooms.loadedCount,
    }),
    async close(flushTimeoutMs = 10_000) {
      closing = true
      clearInterval(heartbeat)
      for (const c of connections) c.close(CloseCode.goingAway, 'server shutting down')
      const flushed = await durableLog.flush(flushTimeoutMs)
      durableLog.close()
      await rooms.destroyAll()
      wss.close()
      return flushed
    },
  }
}

const statusText: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** Answers the upgrade request with a plain HTTP error; no WebSocket is ever created. */
function refuse(socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed) return
  const body = `${reason}\n`
  socket.end(
    `HTTP/1.1 ${status} ${statusText[status] ?? 'Error'}\r\n` +
      'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}
