import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { presenceColour } from '../../presence/colour'
import type { StoredDocument } from '../db/update-log'
import type { Connection } from './connection'
import type { CompactionResult, DurableLog } from './durable-log'
import {
  type AwarenessEntry,
  CloseCode,
  encodeAwareness,
  encodeAwarenessEntries,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  type IncomingMessage,
  type SavedClocks,
} from './protocol'

/**
 * One loaded project: its Y.Doc, awareness, connections, and its slice of the update log.
 *
 * Every change to the doc arrives through `doc.on('update')` as the effective diff (Yjs emits
 * nothing for content it already had), which is appended to the durable log and broadcast (a
 * client's live edit is sent on to the others as it came, and integrated a moment later: see
 * `forward` and `integrate`). After applying a client's update, the room queues a barrier; when it
 * commits, the sender is told which clocks are stored (see `savedClocksAfter`).
 *
 * Scaled out, the same room may be loaded on several instances (replicas). Each replica logs
 * only what its own clients sent; the seq the log assigns comes back on commit and the update is
 * then published to the other replicas (`RoomReplica`), which apply it with `replicaOrigin`: sent
 * to their clients, never logged again. `appliedSeq` is the replica's watermark: every log row up
 * to it is in this doc. Rows it has seen past a gap wait in `heldSeqs`; catch-up from the
 * database (`collab/replication.ts`) closes gaps and advances the watermark.
 */

/** Where a replica's committed updates and awareness changes go (the other instances). */
export interface RoomReplica {
  publishUpdate(seq: number, update: Uint8Array): void
  publishAwareness(update: Uint8Array): void
}

/** Transaction origin of content that came from another replica or from the database. */
export const replicaOrigin = Symbol('replica')

export interface CompactionPolicy {
  /** Compact once the log tail holds more rows than this... */
  maxTailUpdates: number
  /** ...or more bytes than this. */
  maxTailBytes: number
}

export type RoomMessage = Exclude<IncomingMessage, { kind: 'malformed' }>

/**
 * How long a forwarded live edit waits before the room integrates it (a timer of 0 ms runs after
 * at least 1 ms). The wait ends the server's turn on the CPU right after the sends: on a shared
 * machine the processes it just woke (its clients, the database) run at once instead of after the
 * integration, and a burst of edits is sent on in full before any of it is integrated. Anything
 * that reads the doc integrates first (`doc`), so nothing is ever seen without them.
 */
const INTEGRATE_AFTER_MS = 0

/**
 * How long a room waits before compacting again after another instance held the project's
 * compaction lock: that instance is compacting the same log (or is paused while it does), and
 * trying after every commit would only add round trips.
 */
const COMPACTION_BUSY_RETRY_MS = 1000

export class Room {
  private readonly ydoc = new Y.Doc()
  readonly awareness: awarenessProtocol.Awareness
  readonly connections = new Set<Connection>()
  /** Log entries queued but not yet committed: the room may not unload while this is > 0. */
  private pendingWrites = 0
  /** Every log row with seq <= this is in `doc`. */
  private watermark: number
  /** Seqs above the watermark known to be in `doc` (own commits, bus messages). */
  private readonly heldSeqs = new Set<number>()
  /** Set by replication when scaled out; null on a single instance. */
  replica: RoomReplica | null = null
  private tailUpdates: number
  private tailBytes: number
  private compactionRequested = false
  private compactionRetry: NodeJS.Timeout | null = null
  /** Live edits already sent to the others, in arrival order, not yet in the doc (`integrate`). */
  private forwarded: { from: Connection; update: Uint8Array }[] = []
  private integrateTimer: NodeJS.Timeout | null = null
  /** True while applying a live edit the others already have as it came (`applyClientUpdate`). */
  private applyingSentOn = false
  /** Updates a viewer tried to write, for tests and logs. */
  droppedViewerUpdates = 0
  /** Awareness entries a connection sent for a client id it does not own (`acceptAwareness`). */
  droppedAwarenessEntries = 0

  constructor(
    readonly projectId: string,
    stored: StoredDocument,
    private readonly log: DurableLog,
    private readonly policy: CompactionPolicy,
    private readonly logLine: (line: string) => void,
  ) {
    this.ydoc.transact(() => {
      if (stored.snapshot) Y.applyUpdate(this.ydoc, stored.snapshot.state)
      for (const row of stored.tail) Y.applyUpdate(this.ydoc, row.update)
    })
    const lastSeq = stored.tail.at(-1)?.seq ?? stored.snapshot?.upToSeq ?? 0
    this.watermark = lastSeq
    this.tailUpdates = stored.tail.length
    this.tailBytes = stored.tail.reduce((n, r) => n + r.update.byteLength, 0)

    this.awareness = new awarenessProtocol.Awareness(this.ydoc)
    // The server is not a participant.
    this.awareness.setLocalState(null)
    // Registered after loading so stored content is not logged again.
    this.ydoc.on('update', (update: Uint8Array, origin: unknown) => this.onDocUpdate(update, origin))
    this.awareness.on('update', (change: AwarenessChange, origin: unknown) =>
      this.onAwarenessUpdate(change, origin),
    )
  }

  /** The room's song, with every edit it has sent on integrated. */
  get doc(): Y.Doc {
    this.integrate()
    return this.ydoc
  }

  get hasPendingWrites(): boolean {
    return this.pendingWrites > 0 || this.forwarded.length > 0
  }

  addConnection(conn: Connection): void {
    const step1 = encodeSyncStep1(this.doc)
    this.connections.add(conn)
    conn.send(step1)
    const states = this.awareness.getStates()
    if (states.size > 0) {
      conn.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...states.keys()])))
    }
  }

  removeConnection(conn: Connection): void {
    this.connections.delete(conn)
    const own = conn.awarenessClient
    if (own !== null && this.awareness.getStates().has(own)) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [own], null)
    }
  }

  /** Handles a parsed frame. Throws only on server bugs; the connection turns that into 1011. */
  handle(conn: Connection, message: RoomMessage): void {
    switch (message.kind) {
      case 'sync-step1':
        conn.send(encodeSyncStep2(this.doc, message.stateVector))
        if (conn.canWrite && conn.wantsSaved) this.ackKnownState(conn, message.stateVector)
        return
      case 'sync-step2':
      case 'sync-update':
        if (!conn.canWrite) {
          this.droppedViewerUpdates++
          return
        }
        if (message.kind === 'sync-update') {
          this.forward(conn, message.update)
          return
        }
        // In arrival order: what was sent on before comes first.
        this.integrate()
        this.applyClientUpdate(conn, message.update, false)
        return
      case 'awareness': {
        const accepted = this.acceptAwareness(conn, message.entries)
        if (accepted.length > 0) {
          awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(accepted), conn)
        }
        return
      }
      case 'query-awareness':
        conn.send(
          encodeAwareness(
            awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]),
          ),
        )
        return
    }
  }

  /**
   * Presence is the sender's own, under its verified name. A connection owns one awareness client
   * id: the first it sends a state for, unless another live connection owns it or another replica
   * shows it under another user (a stock y-websocket client has one id for the life of its
   * provider; a reload makes a new provider, a new id and a new connection). Entries for any other
   * id, removals included, are dropped: a viewer cannot move the owner's cursor, rename them or
   * make them leave. Each accepted state's `user.id` and `user.name` are set from the room token,
   * and `user.colour` from that id (presence/colour.ts), so what a client claims about itself is
   * never what its bandmates see; other fields (the cursor, the view) are the client's own.
   */
  private acceptAwareness(conn: Connection, entries: readonly AwarenessEntry[]): AwarenessEntry[] {
    const accepted: AwarenessEntry[] = []
    for (const entry of entries) {
      // y-protocols clients only send objects; anything else has nowhere to hold the verified user.
      const valid = entry.state === null || isRecord(entry.state)
      if (!valid || !this.claim(conn, entry)) {
        this.droppedAwarenessEntries++
        continue
      }
      if (!isRecord(entry.state)) {
        accepted.push(entry)
        continue
      }
      const user = isRecord(entry.state.user) ? entry.state.user : {}
      const verified = { ...user, id: conn.userId, name: conn.userName, colour: presenceColour(conn.userId) }
      accepted.push({ ...entry, state: { ...entry.state, user: verified } })
    }
    return accepted
  }

  private claim(conn: Connection, { clientID, state }: AwarenessEntry): boolean {
    if (conn.awarenessClient !== null) return conn.awarenessClient === clientID
    // Leaving claims nothing.
    if (state === null) return false
    for (const c of this.connections) if (c.awarenessClient === clientID) return false
    const known = this.awareness.getStates().get(clientID)
    if (known !== undefined && isRecord(known.user) && known.user.id !== conn.userId) return false
    conn.awarenessClient = clientID
    return true
  }

  /**
   * A (re)connecting client may hold edits the room already has: sent on a connection that died
   * before their "saved" arrived (database down, instance paused, another replica). Its step 2 then
   * carries nothing, so nothing would ever acknowledge them. Acknowledge what the client and the
   * room have in common, once everything queued so far is committed (a barrier, as for updates).
   */
  private ackKnownState(conn: Connection, stateVector: Uint8Array): void {
    const saved = new Map<number, number>()
    const store = this.doc.store
    for (const [client, clock] of Y.decodeStateVector(stateVector)) {
      const known = Math.min(clock, Y.getState(store, client))
      if (known > 0) saved.set(client, known)
    }
    if (saved.size === 0) return
    this.pendingWrites++
    this.log.append({
      row: null,
      onCommitted: () => {
        this.pendingWrites--
        conn.queueSaved(saved)
      },
    })
  }

  /**
   * `forwarded`: the update already went to the other connections as it came, so the room's own
   * broadcast of it is skipped, unless structs held back for missing dependencies were waiting:
   * this update may release them, and those the clients have not seen.
   */
  private applyClientUpdate(conn: Connection, update: Uint8Array, forwarded: boolean): void {
    const store = this.ydoc.store
    this.applyingSentOn = forwarded && store.pendingStructs === null && store.pendingDs === null
    try {
      Y.applyUpdate(this.ydoc, update, conn)
    } finally {
      this.applyingSentOn = false
    }
    if (!conn.wantsSaved) return
    const saved = savedClocksAfter(this.ydoc, update)
    this.pendingWrites++
    this.log.append({
      row: null,
      onCommitted: () => {
        this.pendingWrites--
        conn.queueSaved(saved)
      },
    })
  }

  /**
   * A live edit goes to the other clients as its author sent it, before the room integrates it:
   * integrating is the slowest step between a bandmate's edit and everyone else seeing it, and the
   * clients need nothing from the room's copy to apply it (validated by parseMessage, with
   * Y.decodeUpdate, so any Yjs client can apply it; it cannot half-apply). Step 2 of a
   * (re)connecting client is not forwarded: it mostly repeats what the room has, and only the
   * effective diff is worth sending on.
   */
  private forward(from: Connection, update: Uint8Array): void {
    // The sends come before the append: the commit window starts now, so "saved" is not later for them.
    this.log.expectAppend()
    const frame = encodeSyncUpdate(update)
    for (const c of this.connections) if (c !== from) c.send(frame)
    this.forwarded.push({ from, update })
    this.integrateTimer ??= setTimeout(() => this.integrate(), INTEGRATE_AFTER_MS)
  }

  /** Applies and logs the forwarded edits, in the order they came. */
  integrate(): void {
    if (this.integrateTimer !== null) clearTimeout(this.integrateTimer)
    this.integrateTimer = null
    if (this.forwarded.length === 0) return
    const edits = this.forwarded
    this.forwarded = []
    for (const { from, update } of edits) {
      try {
        this.applyClientUpdate(from, update, true)
      } catch (err) {
        // Not on the socket's callback any more: a server bug here must cost only its author.
        this.logLine(
          `[collab] room ${this.projectId}: integrating an edit failed: ${err instanceof Error ? err.stack : String(err)}`,
        )
        from.close(CloseCode.internalError, 'internal error')
      }
    }
  }

  /** The replica's watermark: every log row up to this seq is in the doc. */
  get appliedSeq(): number {
    return this.watermark
  }

  /** Log rows this replica holds beyond a gap: nonzero means a catch-up is due. */
  get heldCount(): number {
    return this.heldSeqs.size
  }

  /** A committed update from another replica (the bus). Idempotent: Yjs ignores known content. */
  applyReplicaUpdate(seq: number, update: Uint8Array): void {
    if (seq > this.watermark) {
      Y.applyUpdate(this.doc, update, replicaOrigin)
      this.noteSeq(seq)
    }
  }

  /** Awareness states of this replica's own clients (for a replica that just loaded the room). */
  localAwareness(): Uint8Array | null {
    const states = this.awareness.getStates()
    const ids: number[] = []
    for (const c of this.connections) {
      if (c.awarenessClient !== null && states.has(c.awarenessClient)) ids.push(c.awarenessClient)
    }
    return ids.length === 0 ? null : awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids)
  }

  /** Awareness of clients connected to another replica. */
  applyReplicaAwareness(update: Uint8Array): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, replicaOrigin)
  }

  /**
   * Catch-up from the database: `stored` holds the rows after `appliedSeq` (and a snapshot if
   * another replica compacted past it). Applied as one transaction, so clients get one diff.
   */
  applyStored(stored: StoredDocument): void {
    if (stored.snapshot === null && stored.tail.length === 0) return
    const doc = this.doc
    doc.transact(() => {
      if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.state)
      for (const row of stored.tail) Y.applyUpdate(doc, row.update)
    }, replicaOrigin)
    const last = stored.tail.at(-1)?.seq ?? stored.snapshot?.upToSeq ?? this.watermark
    if (stored.snapshot !== null && stored.snapshot.upToSeq > this.watermark) {
      // Compacted elsewhere: the tail we counted towards our own compaction is gone.
      this.tailUpdates = 0
      this.tailBytes = 0
    }
    this.tailUpdates += stored.tail.length
    this.tailBytes += stored.tail.reduce((n, r) => n + r.update.byteLength, 0)
    if (last > this.watermark) this.watermark = last
    for (const seq of this.heldSeqs) if (seq <= this.watermark) this.heldSeqs.delete(seq)
    this.advanceWatermark()
  }

  private noteSeq(seq: number): void {
    if (seq <= this.watermark) return
    // A single instance is the only writer of its rooms' logs: no gaps to wait for.
    if (this.replica === null) this.watermark = seq
    else this.heldSeqs.add(seq)
    this.advanceWatermark()
  }

  private advanceWatermark(): void {
    while (this.heldSeqs.delete(this.watermark + 1)) this.watermark++
  }

  private onDocUpdate(update: Uint8Array, origin: unknown): void {
    if (origin === replicaOrigin) {
      // Already in the log (another replica committed it): only our clients need it.
      this.tailUpdates++
      this.tailBytes += update.byteLength
      const frame = encodeSyncUpdate(update)
      for (const c of this.connections) c.send(frame)
      return
    }
    this.pendingWrites++
    this.log.append({
      row: { projectId: this.projectId, update },
      onCommitted: (seq) => {
        this.pendingWrites--
        if (seq === null) return
        this.noteSeq(seq)
        this.tailUpdates++
        this.tailBytes += update.byteLength
        // Published only once committed: a replica never holds what the log lacks.
        this.replica?.publishUpdate(seq, update)
        this.maybeCompact()
      },
    })
    // A live edit the room already sent on as its author sent it (`forward`).
    if (this.applyingSentOn) return
    const frame = encodeSyncUpdate(update)
    for (const c of this.connections) if (c !== origin) c.send(frame)
  }

  private onAwarenessUpdate({ added, updated, removed }: AwarenessChange, origin: unknown): void {
    const changed = [...added, ...updated, ...removed]
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)
    const frame = encodeAwareness(update)
    for (const c of this.connections) c.send(frame)
    // Not on 'timeout': that is this replica expiring a state it stopped hearing about (e.g. the
    // bus was down), which must not remove the client on the replica it is still connected to.
    if (origin !== replicaOrigin && origin !== 'timeout') this.replica?.publishAwareness(update)
  }

  private maybeCompact(): void {
    if (this.compactionRequested || this.compactionRetry !== null) return
    if (this.tailUpdates <= this.policy.maxTailUpdates && this.tailBytes <= this.policy.maxTailBytes) return
    void this.compactNow()
  }

  /** Writes a snapshot and drops the covered log rows; resolves false if it did not. */
  compactNow(): Promise<boolean> {
    this.compactionRequested = true
    // What the snapshot covers of the tail counted so far: commits made while it is written stay counted.
    let covered = { updates: 0, bytes: 0 }
    return new Promise((resolve) => {
      this.log.requestCompaction(
        this.projectId,
        // The doc holds at least every row up to the watermark (possibly more, still queued or past
        // a gap: replaying those later is idempotent in Yjs).
        () => {
          covered = { updates: this.tailUpdates, bytes: this.tailBytes }
          return { upToSeq: this.watermark, state: Y.encodeStateAsUpdate(this.doc) }
        },
        (result: CompactionResult) => {
          this.compactionRequested = false
          const ok = result === 'compacted' || result === 'superseded'
          if (ok) {
            this.tailUpdates = Math.max(0, this.tailUpdates - covered.updates)
            this.tailBytes = Math.max(0, this.tailBytes - covered.bytes)
            // The commits made meanwhile may already call for the next one.
            this.maybeCompact()
          } else if (result === 'busy' && this.compactionRetry === null) {
            this.compactionRetry = setTimeout(() => {
              this.compactionRetry = null
              this.maybeCompact()
            }, COMPACTION_BUSY_RETRY_MS)
          }
          resolve(ok)
        },
      )
    })
  }

  destroy(): void {
    if (this.integrateTimer !== null) clearTimeout(this.integrateTimer)
    if (this.compactionRetry !== null) clearTimeout(this.compactionRetry)
    this.awareness.destroy()
    this.ydoc.destroy()
  }
}

interface AwarenessChange {
  added: number[]
  updated: number[]
  removed: number[]
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * What the sender may consider stored once everything queued so far commits: for each client in
 * the update, the doc's state for that client. The state vector counts only integrated structs
 * (Yjs keeps structs with missing dependencies pending, unlogged), and every integrated struct
 * was logged by this update's transaction or an earlier entry, which commit no later (FIFO).
 * Using the doc's state rather than the update's end clock also acknowledges structs that were
 * pending until this update filled the gap.
 */
export function savedClocksAfter(doc: Y.Doc, update: Uint8Array): SavedClocks {
  const saved = new Map<number, number>()
  for (const client of Y.parseUpdateMeta(update).to.keys()) {
    const clock = Y.getState(doc.store, client)
    if (clock > 0) saved.set(client, clock)
  }
  return saved
}
