import type { WebSocket } from 'ws'
import { encodeJamNotice } from '../../wire/jam'
import { TokenBucket } from './limits'
import { CloseCode, encodeSaved, MessageType, mergeSaved, parseMessage, type SavedClocks } from './protocol'
import type { Role } from './tokens'

/**
 * One client WebSocket in one room: rate limit, parsing, and send helpers. It owns no document
 * logic; parsed messages go to `onMessage` (the room). Errors never escape a socket callback.
 */

export interface ConnectionInfo {
  userId: string
  /** The name bandmates see for this connection's presence (from the room token). */
  userName: string
  projectId: string
  role: Role
  /** The client asked for "saved" messages (`saved=1` on the WebSocket URL). */
  wantsSaved: boolean
  /** The client asked for conversation events (`discussion=1`, message type 101). */
  wantsDiscussion: boolean
  /** The client asked to be told when an asset is stored (`assets=1`, message type 102). */
  wantsAssets: boolean
  /** The client speaks the live-jam messages (`jam=1`, message types 103–107). */
  wantsJam: boolean
  messagesPerSecond: number
  messageBurst: number
  /** The live-jam note bucket (`CollabLimits.jamNotesPerSecond`); notes over it are dropped, not fatal. */
  jamNotesPerSecond: number
  jamNoteBurst: number
}

/** How often, at most, a client flooding notes is told how many were dropped. */
const DROPPED_NOTICE_MS = 250

let nextId = 1

export class Connection {
  readonly id = nextId++
  readonly userId: string
  readonly userName: string
  readonly projectId: string
  readonly wantsSaved: boolean
  readonly wantsDiscussion: boolean
  readonly wantsAssets: boolean
  readonly wantsJam: boolean
  /** Live notes this connection sent over its note bucket, dropped (and told in a notice). */
  droppedNotes = 0
  /** Mutable: membership changes apply to open connections (`CollabServer.setAccess`). */
  role: Role
  /**
   * The awareness client id this connection owns: the first it sent a state for that no other
   * live connection owned (`Room.acceptAwareness`). Its state is removed when the connection closes.
   */
  awarenessClient: number | null = null
  private readonly bucket: TokenBucket
  private readonly noteBucket: TokenBucket
  /** Dropped notes not yet told to the client, and the timer that will tell them. */
  private untoldDrops = 0
  private noticeTimer: NodeJS.Timeout | null = null
  private pendingSaved: Map<number, number> | null = null
  private closed = false
  /** The payload of the latest ping, and whether its pong came back (`heartbeat`). */
  private ping = 0
  private answered = true

  constructor(
    private readonly ws: WebSocket,
    info: ConnectionInfo,
  ) {
    this.userId = info.userId
    this.userName = info.userName
    this.projectId = info.projectId
    this.wantsSaved = info.wantsSaved
    this.wantsDiscussion = info.wantsDiscussion
    this.wantsAssets = info.wantsAssets
    this.wantsJam = info.wantsJam
    this.role = info.role
    this.bucket = new TokenBucket(info.messagesPerSecond, info.messageBurst, Date.now())
    this.noteBucket = new TokenBucket(info.jamNotesPerSecond, info.jamNoteBurst, Date.now())
    ws.on('pong', (data) => {
      if (data.toString() === String(this.ping)) this.answered = true
    })
  }

  get canWrite(): boolean {
    return this.role !== 'viewer'
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN
  }

  /** Wires the socket to the room. `onMessage` runs for every frame that passes the checks. */
  listen(handlers: {
    onMessage: (
      conn: Connection,
      message: Exclude<ReturnType<typeof parseMessage>, { kind: 'malformed' }>,
    ) => void
    onClose: (conn: Connection) => void
    log: (line: string) => void
  }): void {
    this.ws.on('message', (data, isBinary) => {
      if (this.closed) return
      try {
        const bytes = toBytes(data)
        // A live note has its own bucket and is dropped over it, never fatal (a player holding a key or a
        // runaway controller should not leave the jam); its type is one byte (106 < 128), read unparsed so
        // a flood costs no decoding.
        if (this.wantsJam && isBinary && bytes[0] === MessageType.jamNote) {
          if (!this.noteBucket.take(Date.now())) return this.dropNote()
        } else if (!this.bucket.take(Date.now()))
          return this.close(CloseCode.rateLimited, 'message rate limit exceeded')
        if (!isBinary) return this.close(CloseCode.malformed, 'text frames are not part of the protocol')
        const message = parseMessage(bytes)
        if (message.kind === 'malformed') return this.close(message.code, message.reason)
        handlers.onMessage(this, message)
      } catch (err) {
        handlers.log(`[collab] connection ${this.id}: ${err instanceof Error ? err.stack : String(err)}`)
        this.close(CloseCode.internalError, 'internal error')
      }
    })
    this.ws.on('close', () => {
      this.closed = true
      if (this.noticeTimer !== null) clearTimeout(this.noticeTimer)
      handlers.onClose(this)
    })
    // Without a listener `ws` would rethrow socket errors (e.g. 1009 frames) as uncaught.
    this.ws.on('error', (err) => handlers.log(`[collab] connection ${this.id} socket error: ${err.message}`))
  }

  send(bytes: Uint8Array): void {
    if (!this.isOpen) return
    this.ws.send(bytes, (err) => {
      if (err) this.ws.terminate()
    })
  }

  /** Counts a note over the bucket; the client hears the count at most every `DROPPED_NOTICE_MS`. */
  private dropNote(): void {
    this.droppedNotes++
    this.untoldDrops++
    this.noticeTimer ??= setTimeout(() => {
      this.noticeTimer = null
      const count = this.untoldDrops
      this.untoldDrops = 0
      this.send(encodeJamNotice({ kind: 'notes-dropped', count }))
    }, DROPPED_NOTICE_MS)
  }

  /** Coalesces the acks of one group commit into a single "saved" message. */
  queueSaved(saved: SavedClocks): void {
    if (!this.wantsSaved || saved.size === 0) return
    if (this.pendingSaved !== null) {
      mergeSaved(this.pendingSaved, saved)
      return
    }
    this.pendingSaved = mergeSaved(new Map(), saved)
    queueMicrotask(() => {
      const pending = this.pendingSaved
      this.pendingSaved = null
      if (pending !== null) this.send(encodeSaved(pending))
    })
  }

  close(code: number, reason: string): void {
    if (this.closed) return
    this.closed = true
    this.ws.close(code, reason)
  }

  /**
   * One tick of the server's heartbeat: a client that has not answered the previous ping is
   * terminated; otherwise it gets a new one. Only the pong to the latest ping counts (pings carry
   * a number), so an answer the client sent before it went away cannot keep it for another round.
   * `judge` false (a late tick, see `createCollabServer`): ping only, judge at the next tick.
   */
  heartbeat(judge: boolean): void {
    if (judge && !this.answered) {
      this.ws.terminate()
      return
    }
    this.ping++
    this.answered = false
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping(String(this.ping))
  }
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  return data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}
