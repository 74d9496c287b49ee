import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { CloseCode, CollabParam, type StoredPart } from '../../wire/collab'
import type { Db } from '../db'
import type { FoldHook } from '../db/update-log'
import type { RoomBus } from '../fanout/bus'
import { Connection } from './connection'
import { DurableLog, type DurableLogStats } from './durable-log'
import { type CollabLimits, defaultLimits, Gate, KeyedCounter } from './limits'
import { encodeAssetStored, encodeDiscussion } from './protocol'
import { Replication, type ReplicationStats } from './replication'
import type { Room } from './room'
import type { CompactionPolicy } from './room-log'
import { Rooms } from './rooms'
import { lesserRole, type Role, signRoomToken, verifyRoomToken } from './tokens'
import { VerifiedMembers } from './verified-members'
import { WriteRules } from './write-rules'

/**
 * The collab endpoint: authenticates upgrades on `/collab/<projectId>`, hands sockets to rooms,
 * and owns the process-wide durable log. Attach `handleUpgrade` to the http server's `upgrade`
 * event; it returns false for paths that are not its own.
 *
 * When the membership cannot be read (the database is down), an upgrade is refused with 503 and
 * Retry-After, logged as one line, unless the room is loaded here and this instance read the
 * user's membership within `membershipStaleMs` (`VerifiedMembers`): then it is admitted with the
 * lesser of that role and the token's. The token is verified either way.
 */

export const collabPathPrefix = '/collab/'

export interface CollabServerOptions {
  db: Db
  secret: string
  limits?: Partial<CollabLimits>
  compaction?: Partial<CompactionPolicy>
  idleUnloadMs?: number
  /** See DurableLogOptions.commitWindowMs (default 0; the app passes COLLAB_COMMIT_WINDOW_MS). */
  commitWindowMs?: number
  retryMinMs?: number
  retryMaxMs?: number
  /** See DurableLogOptions.beforeFold (the app keeps the changes a compaction folds, server/changes/). */
  beforeFold?: FoldHook
  heartbeatMs?: number
  log?: (line: string) => void
  /** Scaled out: the bus to the room's replicas on other instances (absent: single instance). */
  bus?: RoomBus
  /** How often every loaded room catches up from the log when scaled out. */
  catchUpMs?: number
  /** How long a gap in the bus's seqs may last before the room catches up from the log. */
  gapMs?: number
  /**
   * Current membership, checked on every upgrade after the token: the role to grant, or null to
   * refuse (403). Tokens live for minutes; this makes a removal or demotion stick at once.
   */
  authorize?: (projectId: string, userId: string, tokenRole: Role) => Promise<Role | null>
  /** Called with each room once loaded (see RoomsOptions.onLoad). */
  onRoomLoaded?: (room: Room) => void
  /**
   * How old a membership this instance read may be and still admit that member to a room loaded
   * here while `authorize` fails (database unreachable); 0 never admits without a fresh read.
   */
  membershipStaleMs?: number
}

export interface CollabServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean
  /**
   * Before the server listens: loads these rooms (see `Rooms.prewarm`) and runs the token check and the
   * membership query once, so the first client after a start pays for none of them. Returns rooms loaded.
   */
  prewarm(projectIds: readonly string[]): Promise<number>
  readonly rooms: Rooms
  /** Seals the runs the server makes and refuses clients' writes of proposals and AI provenance. */
  readonly writeRules: WriteRules
  readonly durableLog: DurableLog
  stats(): CollabStats
  /**
   * Applies a membership change to open connections: `null` closes them (4403, no reconnect);
   * a role closes them with 4001 so the client reconnects under the new role (a demoted editor's
   * frames are dropped from this moment). `userId` null means everyone in the project.
   */
  setAccess(projectId: string, userId: string | null, role: Role | null): number
  /**
   * The project was deleted: closes its connections (4403) and unloads its room, here and (scaled
   * out) on every instance that has it loaded. Returns the connections closed here.
   */
  closeProject(projectId: string): number
  /**
   * Sends a conversation event (JSON) to the song's open connections here and, scaled out, to every
   * instance (the room's bus channel). Called after the change committed; a lost one is made up for by the
   * studio reading the conversation again when it reconnects.
   */
  notifyDiscussion(projectId: string, json: string): void
  /**
   * Tells the song's open connections here and, scaled out, on every instance that an asset's audio or
   * peaks are stored for it (message type 102). Called after the commit, so a client told fetches what is
   * there; a lost one is made up for by the client asking again when it reconnects.
   */
  notifyAssetStored(projectId: string, part: StoredPart, sha256: string): void
  /** Who holds which open connection, for the membership sweep (changes made on other instances). */
  openAccess(): { projectId: string; userId: string; role: Role }[]
  /**
   * A project's whole membership as read by a query that started at `at` (the membership sweep),
   * for admitting its members while the database is unreachable; `null`: the project has no row
   * (its room opens on the token alone).
   */
  recordMembership(
    projectId: string,
    members: readonly { userId: string; role: Role }[] | null,
    at: number,
  ): void
  /** Closes every connection (1001), flushes the log, unloads rooms. True if all was stored. */
  close(flushTimeoutMs?: number): Promise<boolean>
}

export interface CollabStats extends DurableLogStats {
  /** Null on a single instance. */
  replication: ReplicationStats | null
  connections: number
  pendingUpgrades: number
  rooms: number
}

/** Project ids are opaque but bounded, so a path cannot smuggle anything into logs or SQL. */
const projectIdPattern = /^[A-Za-z0-9_.:-]{1,128}$/

/** Sent with every 503: the refusal is temporary (y-websocket clients retry on their own backoff). */
const retryAfterSeconds = 2

export interface CollabTarget {
  projectId: string
  token: string | null
  /**
   * `saved=1`: the client understands the "saved" message (type 100). Without it the server is a
   * plain y-websocket server: a stock y-websocket client logs every unknown message type.
   */
  wantsSaved: boolean
  /** `discussion=1`: the client reads conversation events (type 101). */
  wantsDiscussion: boolean
  /** `assets=1`: the client is told when an asset is stored (type 102). */
  wantsAssets: boolean
  /** `jam=1`: the client speaks the live-jam messages (types 103–107). */
  wantsJam: boolean
}

export function parseCollabPath(url: string | undefined): CollabTarget | null {
  const parsed = new URL(url ?? '/', 'http://localhost')
  if (!parsed.pathname.startsWith(collabPathPrefix)) return null
  let projectId: string
  try {
    projectId = decodeURIComponent(parsed.pathname.slice(collabPathPrefix.length))
  } catch {
    projectId = ''
  }
  return {
    projectId,
    token: parsed.searchParams.get(CollabParam.token),
    wantsSaved: parsed.searchParams.get(CollabParam.saved) === '1',
    wantsDiscussion: parsed.searchParams.get(CollabParam.discussion) === '1',
    wantsAssets: parsed.searchParams.get(CollabParam.assets) === '1',
    wantsJam: parsed.searchParams.get(CollabParam.jam) === '1',
  }
}

export function createCollabServer(options: CollabServerOptions): CollabServer {
  const limits: CollabLimits = { ...defaultLimits, ...options.limits }
  const log = options.log ?? ((line: string) => console.warn(line))
  const durableLog = new DurableLog(options.db, {
    log,
    ...(options.beforeFold === undefined ? {} : { beforeFold: options.beforeFold }),
    ...(options.commitWindowMs !== undefined ? { commitWindowMs: options.commitWindowMs } : {}),
    ...(options.retryMinMs !== undefined ? { retryMinMs: options.retryMinMs } : {}),
    ...(options.retryMaxMs !== undefined ? { retryMaxMs: options.retryMaxMs } : {}),
  })
  const replication =
    options.bus === undefined
      ? null
      : new Replication(options.db, options.bus, {
          catchUpMs: options.catchUpMs ?? 5000,
          gapMs: options.gapMs ?? 250,
          log,
          onClosed: (projectId) => closeHere(projectId),
          onDiscussion: (projectId, json) => discussHere(projectId, json),
          onAssetStored: (projectId, part, sha256) => assetStoredHere(projectId, part, sha256),
        })
  const writeRules = new WriteRules(options.secret)
  const rooms = new Rooms(options.db, durableLog, {
    idleUnloadMs: options.idleUnloadMs ?? 30_000,
    compaction: { maxTailUpdates: 500, maxTailBytes: 4 * 1024 * 1024, ...options.compaction },
    replication,
    ...(options.onRoomLoaded === undefined ? {} : { onLoad: options.onRoomLoaded }),
    log,
    writeRules,
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayloadBytes })
  const pending = new Gate(limits.maxPendingUpgrades)
  const perUser = new KeyedCounter(limits.maxConnectionsPerUser)
  const connections = new Set<Connection>()
  const verified = new VerifiedMembers(options.membershipStaleMs ?? 60_000)
  let closing = false

  /** The role to grant: the membership as read now, or as read lately if the database cannot answer. */
  async function admit(
    projectId: string,
    userId: string,
    tokenRole: Role,
  ): Promise<{ role: Role | null } | { unavailable: string }> {
    if (options.authorize === undefined) return { role: tokenRole }
    const at = Date.now()
    try {
      const role = await options.authorize(projectId, userId, tokenRole)
      verified.record(projectId, userId, role, at)
      return { role }
    } catch (err) {
      const reason = errorText(err)
      const known = rooms.isLoaded(projectId) ? verified.lookup(projectId, userId, Date.now()) : null
      if (known === null) return { unavailable: reason }
      log(
        `[collab] membership of ${userId} in ${projectId} unreadable (${reason}): admitted as read ${Math.round(known.ageMs / 1000)} s ago`,
      )
      return { role: 'tokenOnly' in known ? tokenRole : lesserRole(known.role, tokenRole) }
    }
  }

  const heartbeatMs = options.heartbeatMs ?? 30_000
  let lastBeat = performance.now()
  const heartbeat = setInterval(() => {
    const now = performance.now()
    // A tick this late means the process could not run (SIGSTOP, a VM pause, starvation). After
    // SIGCONT Node runs due timers before it reads the sockets, so the pongs to the last ping may
    // be sitting unread: judging now would drop every live client. Ping again; judge next tick.
    const onTime = now - lastBeat < heartbeatMs * 1.5
    lastBeat = now
    for (const c of connections) c.heartbeat(onTime)
  }, heartbeatMs)
  heartbeat.unref()

  async function accept(req: IncomingMessage, socket: Duplex, head: Buffer, target: CollabTarget) {
    const { projectId } = target
    const check = await verifyRoomToken(target.token, projectId, options.secret)
    if (!check.ok) return refuse(socket, check.status, check.reason)
    const { sub: userId } = check.claims
    const admission = await admit(projectId, userId, check.claims.role)
    if ('unavailable' in admission) {
      log(
        `[collab] upgrade to ${projectId} refused with 503: membership unreadable (${admission.unavailable})`,
      )
      return refuse(socket, 503, 'membership cannot be checked now, try again')
    }
    const { role } = admission
    if (role === null) return refuse(socket, 403, 'not a member of this project')
    if (!perUser.tryAcquire(userId)) return refuse(socket, 429, 'too many connections for this user')
    let room: Room
    try {
      room = await rooms.acquire(projectId)
    } catch (err) {
      perUser.release(userId)
      log(`[collab] loading room ${projectId} failed: ${errorText(err)}`)
      return refuse(socket, 503, 'room unavailable')
    }
    if (closing || socket.destroyed) {
      perUser.release(userId)
      rooms.release(room)
      if (!socket.destroyed) refuse(socket, 503, 'server shutting down')
      return
    }
    // The project was deleted while this upgrade waited for its room.
    if (!rooms.holds(room)) {
      perUser.release(userId)
      return refuse(socket, 403, 'this project was deleted')
    }
    // `ws` answers a bad handshake (e.g. missing Sec-WebSocket-Key) itself, with 400, and then
    // never calls back; it calls back synchronously otherwise, so the flag tells us to undo.
    let upgraded = false
    wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true
      const conn = new Connection(ws, {
        userId,
        userName: check.claims.name ?? userId,
        projectId,
        role,
        wantsSaved: target.wantsSaved,
        wantsDiscussion: target.wantsDiscussion,
        wantsAssets: target.wantsAssets,
        wantsJam: target.wantsJam,
        messagesPerSecond: limits.messagesPerSecond,
        messageBurst: limits.messageBurst,
        jamNotesPerSecond: limits.jamNotesPerSecond,
        jamNoteBurst: limits.jamNoteBurst,
      })
      connections.add(conn)
      conn.listen({
        onMessage: (c, message) => room.handle(c, message),
        onClose: (c) => {
          connections.delete(c)
          room.removeConnection(c)
          perUser.release(userId)
          rooms.release(room)
        },
        log,
      })
      room.addConnection(conn)
    })
    if (!upgraded) {
      perUser.release(userId)
      rooms.release(room)
    }
  }

  function setAccess(projectId: string, userId: string | null, role: Role | null): number {
    // Written to the database just now: what an upgrade would read.
    if (userId === null || role === null) verified.forget(projectId, userId)
    else verified.record(projectId, userId, role, Date.now())
    let affected = 0
    for (const c of connections) {
      if (c.projectId !== projectId || (userId !== null && c.userId !== userId)) continue
      affected++
      if (role === null) {
        c.role = 'viewer'
        c.close(CloseCode.accessRevoked, 'access to this project was revoked')
      } else if (role !== c.role) {
        if (role === 'viewer') c.role = 'viewer'
        c.close(CloseCode.roleChanged, `role changed to ${role}`)
      }
    }
    return affected
  }

  function discussHere(projectId: string, json: string): void {
    let frame: Uint8Array | null = null
    for (const c of connections) {
      if (c.projectId !== projectId || !c.wantsDiscussion) continue
      frame ??= encodeDiscussion(json)
      c.send(frame)
    }
  }

  function assetStoredHere(projectId: string, part: StoredPart, sha256: string): void {
    let frame: Uint8Array | null = null
    for (const c of connections) {
      if (c.projectId !== projectId || !c.wantsAssets) continue
      frame ??= encodeAssetStored(part, sha256)
      c.send(frame)
    }
  }

  function closeHere(projectId: string): number {
    const closed = setAccess(projectId, null, null)
    rooms.evict(projectId).catch((err: unknown) => {
      log(
        `[collab] unloading deleted room ${projectId} failed: ${err instanceof Error ? err.message : String(err)}`,
      )
    })
    return closed
  }

  return {
    rooms,
    writeRules,
    durableLog,
    async prewarm(projectIds) {
      const probe = projectIds[0] ?? 'prewarm'
      const token = await signRoomToken(
        { sub: 'prewarm', project: probe, role: 'viewer' },
        { secret: options.secret },
      )
      await verifyRoomToken(token, probe, options.secret)
      // Read-only: the answer is thrown away, the query's first run is what a first client would wait for.
      for (const projectId of projectIds)
        await options.authorize?.(projectId, 'prewarm', 'viewer').catch(() => null)
      return rooms.prewarm(projectIds)
    },
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
      accept(req, socket, head, target)
        .catch((err: unknown) => {
          log(`[collab] upgrade failed: ${err instanceof Error ? err.stack : String(err)}`)
          if (!socket.destroyed) refuse(socket, 500, 'internal error')
        })
        .finally(() => pending.leave())
      return true
    },
    openAccess: () =>
      [...connections].map((c) => ({ projectId: c.projectId, userId: c.userId, role: c.role })),
    recordMembership: (projectId, members, at) => verified.recordProject(projectId, members, at),
    setAccess,
    closeProject(projectId) {
      replication?.publishClosed(projectId)
      return closeHere(projectId)
    },
    notifyDiscussion(projectId, json) {
      discussHere(projectId, json)
      replication?.publishDiscussion(projectId, json)
    },
    notifyAssetStored(projectId, part, sha256) {
      assetStoredHere(projectId, part, sha256)
      replication?.publishAssetStored(projectId, part, sha256)
    },
    stats: () => ({
      ...durableLog.stats,
      replication: replication === null ? null : { ...replication.stats },
      connections: connections.size,
      pendingUpgrades: pending.size,
      rooms: rooms.loadedCount,
    }),
    async close(flushTimeoutMs = 10_000) {
      closing = true
      clearInterval(heartbeat)
      for (const c of connections) c.close(CloseCode.goingAway, 'server shutting down')
      for (const room of await rooms.all()) room.integrate()
      const flushed = await durableLog.flush(flushTimeoutMs)
      durableLog.close()
      replication?.close()
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

/** One line for the log. A refused connect to several addresses is an AggregateError with no message. */
const errorText = (err: unknown): string =>
  err instanceof Error ? err.message || (err as NodeJS.ErrnoException).code || err.name : String(err)

/** Answers the upgrade request with a plain HTTP error; no WebSocket is ever created. */
function refuse(socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed) return
  const body = `${reason}\n`
  socket.end(
    `HTTP/1.1 ${status} ${statusText[status] ?? 'Error'}\r\n` +
      'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      (status === 503 ? `Retry-After: ${retryAfterSeconds}\r\n` : '') +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}
