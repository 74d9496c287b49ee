import { actingUser, type SongOrigin } from '@ensemble/core'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { presenceColour } from '../../presence/colour'
import type { StoredDocument } from '../db/update-log'
import type { Connection } from './connection'
import type { DurableLog } from './durable-log'
import { RoomJam } from './jam'
import {
  type AwarenessEntry,
  CloseCode,
  encodeAwareness,
  encodeAwarenessEntries,
  encodeStep2,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  type IncomingMessage,
  type SavedClocks,
} from './protocol'
import { type CompactionPolicy, RoomLog } from './room-log'
import type { WriteRules } from './write-rules'

/**
 * One loaded project: its song (a Y.Doc), presence, connections, and its log (`room-log.ts`).
 *
 * Every write goes through a door, which applies it, decides who must be sent what, and appends one
 * log entry carrying both the row and what to do once it is stored:
 * - `commitEdit(connection, update)`: a client's edit. A viewer's is refused. A live edit (sync
 *   update) goes to the other clients as its author sent it at once, and is applied a moment later
 *   (`forward`, `integrate`); a (re)connecting client's step 2 is applied now and only its effective
 *   diff is sent on. Its entry acknowledges it to its author ("saved") once committed.
 * - `commitServerEdit(origin, write)`: an edit the server makes (a rename from the settings page, an
 *   AI proposal): sent to everyone, logged, published.
 * - `applyReplicaUpdate` / `applyStored`: content already in the log (another replica committed it):
 *   sent to this replica's clients, never logged again.
 * Once committed, a row is published to the other replicas (`RoomReplica`) with the seq the log gave it.
 *
 * Cold load: a room is created from the stored snapshot and log tail without integrating them into
 * the doc (integrating a big song costs hundreds of milliseconds). A client that has nothing (an
 * empty state vector) is answered with the stored bytes as they are: the snapshot as sync step 2,
 * then each row of the tail as a sync update. The doc is integrated right after, or as soon as anything needs
 * it (`doc`); connections that joined before get the server's step 1 then.
 */

/** Where a replica's committed updates and awareness changes go (the other instances). */
export interface RoomReplica {
  publishUpdate(seq: number, update: Uint8Array): void
  publishAwareness(update: Uint8Array): void
  /** A live-jam frame (state or note) as this instance sent it to its own clients (`jam.ts`). */
  publishJam(frame: Uint8Array): void
}

/** Transaction origin of content that came from another replica or from the database. */
export const replicaOrigin = Symbol('replica')

export type RoomMessage = Exclude<IncomingMessage, { kind: 'malformed' }>

/** How a client's edit arrived: a live sync update, or the step 2 of a (re)connecting client. */
export type EditArrival = 'live' | 'sync'

/**
 * How long a forwarded live edit waits before the room integrates it (a timer of 0 ms runs after
 * at least 1 ms). The wait ends the server's turn on the CPU right after the sends: on a shared
 * machine the processes it just woke (its clients, the database) run at once instead of after the
 * integration, and a burst of edits is sent on in full before any of it is integrated. Anything
 * that reads the doc integrates first (`doc`), so nothing is ever seen without them.
 */
const INTEGRATE_AFTER_MS = 0

/**
 * How long a loaded room leaves its stored song unintegrated while nobody asks for it: a room loaded
 * for no connection, or connections that never send their step 1. Otherwise the integration comes
 * right after the last waiting connection's step 1 is answered from the stored bytes (integrating
 * before that answer would hold it up by the whole integration).
 */
const INTEGRATE_STORED_AFTER_MS = 1000

export class Room {
  private readonly ydoc = new Y.Doc()
  readonly awareness: awarenessProtocol.Awareness
  readonly connections = new Set<Connection>()
  /** The room's live jam: clock probes, jam state and live notes, relayed, never stored (`jam.ts`). */
  readonly jam = new RoomJam(this.connections)
  /** The room's slice of the update log: seqs, watermark, compaction. */
  readonly log: RoomLog
  private replicaLink: RoomReplica | null = null
  /** The song as read from the database, until it is integrated into the doc (`integrateStored`). */
  private stored: StoredDocument | null
  private storedTimer: NodeJS.Timeout | null = null
  /**
   * The stored song as frames for a client that has nothing (the tail, then step 2), kept until the
   * doc first changes: until then they are the song, and sending them costs no encoding.
   */
  private cold: { stored: StoredDocument; frames: Uint8Array[] | null } | null
  /** Connections that joined before the stored song was integrated: they get the server's step 1 after. */
  private readonly awaitingStep1 = new Set<Connection>()
  /** Of those, the ones whose own step 1 has not come yet: the integration waits for them. */
  private readonly unanswered = new Set<Connection>()
  /** Live edits already sent to the others, in arrival order, not yet in the doc (`integrate`). */
  private forwarded: { from: Connection; update: Uint8Array }[] = []
  private integrateTimer: NodeJS.Timeout | null = null
  /** The updates the write in progress produced (`write`); null outside the doors. */
  private captured: Uint8Array[] | null = null
  /**
   * Why the stored song did not apply (a row Yjs cannot read), or null. Such a room serves nobody and
   * takes no edit: its doc holds only part of the song, and a compaction of it would replace the stored
   * song with that part.
   */
  private unreadable: string | null = null
  /** Updates a viewer tried to write, for tests and logs. */
  droppedViewerUpdates = 0
  /** Updates an editor sent that only the server may write (`write-rules.ts`), for tests and logs. */
  refusedUpdates = 0
  /** Awareness entries a connection sent for a client id it does not own (`acceptAwareness`). */
  droppedAwarenessEntries = 0

  constructor(
    readonly projectId: string,
    stored: StoredDocument,
    durable: DurableLog,
    policy: CompactionPolicy,
    private readonly logLine: (line: string) => void,
    private readonly writeRules: WriteRules,
    /** Called once the stored song is in the doc, before any edit reaches it (the title's follower). */
    private readonly onIntegrated: ((room: Room) => void) | null = null,
  ) {
    this.stored = stored
    this.cold = { stored, frames: null }
    this.log = new RoomLog(projectId, stored, durable, policy, () => Y.encodeStateAsUpdate(this.doc))
    this.awareness = new awarenessProtocol.Awareness(this.ydoc)
    // The server is not a participant.
    this.awareness.setLocalState(null)
    this.ydoc.on('update', (update: Uint8Array, origin: unknown) => this.onDocUpdate(update, origin))
    this.awareness.on('update', (change: AwarenessChange, origin: unknown) =>
      this.onAwarenessUpdate(change, origin),
    )
    this.storedTimer = setTimeout(() => this.integrateStored(), INTEGRATE_STORED_AFTER_MS)
  }

  /** The room's song, with the stored song and every edit it has sent on integrated. */
  get doc(): Y.Doc {
    this.integrate()
    if (this.unreadable !== null) throw new Error(`the stored song of ${this.projectId} cannot be read`)
    return this.ydoc
  }

  /** Set by replication when scaled out; null on a single instance. */
  get replica(): RoomReplica | null {
    return this.replicaLink
  }

  set replica(link: RoomReplica | null) {
    this.replicaLink = link
    this.jam.publish = link === null ? null : (frame) => link.publishJam(frame)
    // Other instances append to the same log: this room's own seqs may come with gaps.
    this.log.shared = link !== null
  }

  get hasPendingWrites(): boolean {
    return this.log.hasPendingWrites || this.forwarded.length > 0
  }

  addConnection(conn: Connection): void {
    if (this.unreadable !== null) {
      conn.close(CloseCode.internalError, 'the stored song cannot be read')
      return
    }
    this.connections.add(conn)
    if (this.stored !== null) {
      this.awaitingStep1.add(conn)
      this.unanswered.add(conn)
      this.scheduleStoredIntegration(INTEGRATE_STORED_AFTER_MS)
    } else {
      conn.send(encodeSyncStep1(this.ydoc))
    }
    this.jam.join(conn)
    const states = this.awareness.getStates()
    if (states.size > 0) {
      conn.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...states.keys()])))
    }
  }

  removeConnection(conn: Connection): void {
    this.connections.delete(conn)
    this.awaitingStep1.delete(conn)
    this.answered(conn)
    const own = conn.awarenessClient
    if (own !== null && this.awareness.getStates().has(own)) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [own], null)
    }
  }

  /** Handles a parsed frame. Throws only on server bugs; the connection turns that into 1011. */
  handle(conn: Connection, message: RoomMessage): void {
    if (this.unreadable !== null) return
    switch (message.kind) {
      case 'sync-step1':
        this.answerStep1(conn, message.stateVector)
        return
      case 'sync-step2':
        this.commitEdit(conn, message.update, 'sync')
        return
      case 'sync-update':
        this.commitEdit(conn, message.update, 'live')
        return
      case 'awareness': {
        const accepted = this.acceptAwareness(conn, message.entries)
        if (accepted.length > 0) {
          awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(accepted), conn)
        }
        return
      }
      case 'clock-ping':
      case 'jam-state':
      case 'jam-note':
        this.jam.handle(conn, message)
        return
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
   * The one door for a client's edit. A viewer's is refused. A live edit is sent on at once and
   * stored a moment later (`forward`); a step 2 is stored now, after the live edits before it.
   * A check on what a client may write at all belongs here, before either: once sent on, an edit
   * cannot be taken back from the other clients.
   */
  commitEdit(author: Connection, update: Uint8Array, arrival: EditArrival = 'sync'): void {
    if (!author.canWrite) {
      this.droppedViewerUpdates++
      return
    }
    if (this.refuses(author, update)) return
    if (arrival === 'live') {
      this.forward(author, update)
      return
    }
    // In arrival order: what was sent on before comes first.
    this.integrate()
    this.store(author, update, false)
  }

  /**
   * A proposal, or AI provenance the server did not seal, is the server's to write (`write-rules.ts`): the
   * update is neither applied, stored nor sent on, and its sender is closed with `refusedWrite` (its doc now
   * holds what the room never will, so nothing it sends later could be applied either). An update that
   * builds on an edit still waiting to be integrated is checked again once it is.
   */
  private refuses(conn: Connection, update: Uint8Array): boolean {
    let refusal = this.writeRules.refusal(this.doc, update)
    if (refusal === 'unknown_parent' && this.forwarded.length > 0) {
      this.integrate()
      refusal = this.writeRules.refusal(this.doc, update)
    }
    if (refusal === null) return false
    this.refusedUpdates++
    this.logLine(`[collab] room ${this.projectId}: refused an update from ${conn.userId} (${refusal})`)
    conn.close(CloseCode.refusedWrite, `refused: ${refusal}`)
    return true
  }

  /** Resolves once everything the room has queued so far is committed to the log (a server write's "saved"). */
  allStored(): Promise<void> {
    return new Promise((resolve) => this.log.append(null, () => resolve()))
  }

  /**
   * The door for edits the server makes itself (a rename written from the settings page, an AI
   * proposal the server writes): `write` runs in one transaction under `origin` (the operations of
   * `@ensemble/core` take the same origin, and say who made the change), and the change is sent to
   * every connection, logged and published like a client's edit; nobody is waiting for its "saved".
   * Returns whether the song changed.
   */
  commitServerEdit(origin: SongOrigin, write: (doc: Y.Doc) => void): boolean {
    const doc = this.doc
    const effective = this.write(() => doc.transact(() => write(doc), origin))
    if (effective === null) return false
    this.broadcast(effective, null)
    this.log.append(
      effective,
      (seq) => {
        if (seq !== null) this.replicaLink?.publishUpdate(seq, effective)
      },
      actingUser(origin)?.userId ?? null,
    )
    return true
  }

  /**
   * Applies a client's edit, sends on what the others lack, and appends its one log entry: the
   * effective diff as the row (none if the room had it all) and the author's "saved" (what it may
   * consider stored once the entry commits). `sentOn`: the update already went to the others as it
   * came (`forward`), so only structs it released are sent, i.e. those Yjs held back for missing
   * dependencies: this update may complete them, and those the clients have not seen.
   */
  private store(author: Connection, update: Uint8Array, sentOn: boolean): void {
    const store = this.ydoc.store
    const nothingHeldBack = store.pendingStructs === null && store.pendingDs === null
    const effective = this.write(() => Y.applyUpdate(this.ydoc, update, author))
    if (effective !== null && !(sentOn && nothingHeldBack)) this.broadcast(effective, author)
    const saved = author.wantsSaved ? savedClocksAfter(this.ydoc, update) : null
    if (effective === null && saved === null) return
    this.log.append(
      effective,
      (seq) => {
        // Published only once committed: a replica never holds what the log lacks.
        if (seq !== null && effective !== null) this.replicaLink?.publishUpdate(seq, effective)
        if (saved !== null) author.queueSaved(saved)
      },
      author.userId,
    )
  }

  /**
   * Runs `apply` on the doc and returns the change it made (null if none), as Yjs reported it.
   * Every door writes through here; a write anywhere else is a bug (`onDocUpdate`).
   */
  private write(apply: () => void): Uint8Array | null {
    const captured: Uint8Array[] = []
    this.captured = captured
    try {
      apply()
    } finally {
      this.captured = null
    }
    if (captured.length === 0) return null
    // The stored bytes are no longer the whole song.
    this.cold = null
    return captured.length === 1 ? (captured[0] as Uint8Array) : Y.mergeUpdates(captured)
  }

  private broadcast(update: Uint8Array, except: Connection | null): void {
    const frame = encodeSyncUpdate(update)
    for (const c of this.connections) if (c !== except) c.send(frame)
  }

  private answerStep1(conn: Connection, stateVector: Uint8Array): void {
    const frames = Y.decodeStateVector(stateVector).size === 0 ? this.coldFrames() : null
    if (frames !== null) {
      // The client has nothing, so there is nothing of its own to acknowledge either.
      for (const frame of frames) conn.send(frame)
      this.answered(conn)
      return
    }
    conn.send(encodeSyncStep2(this.doc, stateVector))
    if (conn.canWrite && conn.wantsSaved) this.ackKnownState(conn, stateVector)
  }

  /**
   * The song for a client that has nothing, from the stored bytes, while they are the whole song:
   * each row of the log tail as a sync update, then the snapshot as step 2. Step 2 comes last because
   * a client counts itself synced when step 2 arrives: by then it holds the whole song (Yjs keeps the
   * tail's structs pending until the snapshot they build on is in). Not merged:
   * `Y.mergeUpdates` took 1.2 to 2 s for a 500-row tail on the loaded test machine, more than
   * integrating; a client applies small updates cheaply. Null once the doc changed or while live
   * edits wait to be integrated (the others have them; the bytes do not).
   */
  private coldFrames(): Uint8Array[] | null {
    if (this.cold === null || this.forwarded.length > 0) return null
    if (this.cold.frames === null) {
      const { snapshot, tail } = this.cold.stored
      const frames = tail.map((row) => encodeSyncUpdate(row.update))
      frames.push(encodeStep2(snapshot?.state ?? emptyUpdate))
      this.cold.frames = frames
    }
    return this.cold.frames
  }

  /** `conn` needs nothing more from the stored bytes: integrate once nobody else waits for them. */
  private answered(conn: Connection): void {
    if (!this.unanswered.delete(conn) || this.unanswered.size > 0) return
    this.scheduleStoredIntegration(0)
  }

  private scheduleStoredIntegration(afterMs: number): void {
    if (this.stored === null) return
    if (this.storedTimer !== null) clearTimeout(this.storedTimer)
    this.storedTimer = setTimeout(() => this.integrateStored(), afterMs)
  }

  /** Puts the stored song into the doc, once; connections that joined meanwhile get step 1 now. */
  private integrateStored(): void {
    const stored = this.stored
    if (stored === null) return
    this.stored = null
    if (this.storedTimer !== null) clearTimeout(this.storedTimer)
    this.storedTimer = null
    // Not a write: this is the log's own content. Captured only to keep it out of `onDocUpdate`.
    this.captured = []
    let failure: string | null = null
    try {
      this.ydoc.transact(() => {
        // Which stored piece did not apply, for the log line: the room's bytes are otherwise not logged.
        let piece = `the snapshot up to seq ${stored.snapshot?.upToSeq}`
        let bytes = stored.snapshot?.state.byteLength ?? 0
        try {
          if (stored.snapshot) Y.applyUpdate(this.ydoc, stored.snapshot.state)
          for (const row of stored.tail) {
            piece = `log row ${row.seq}`
            bytes = row.update.byteLength
            Y.applyUpdate(this.ydoc, row.update)
          }
        } catch (err) {
          failure = `${piece} (${bytes} bytes): ${err instanceof Error ? err.message : String(err)}`
        }
      })
    } finally {
      this.captured = null
    }
    if (failure !== null) {
      // Runs from a timer too: thrown, this would be an uncaught exception and leave a room serving part
      // of the song. Refused instead, loudly, until someone repairs the stored rows.
      this.unreadable = failure
      this.logLine(
        `[collab] room ${this.projectId}: its stored song cannot be read at ${failure}; its connections are closed (1011) and it takes no edit`,
      )
      for (const conn of [...this.connections])
        conn.close(CloseCode.internalError, 'the stored song cannot be read')
      this.awaitingStep1.clear()
      this.unanswered.clear()
      return
    }
    this.unanswered.clear()
    this.onIntegrated?.(this)
    if (this.awaitingStep1.size === 0) return
    const step1 = encodeSyncStep1(this.ydoc)
    for (const conn of this.awaitingStep1) conn.send(step1)
    this.awaitingStep1.clear()
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
   * room have in common, once everything queued so far is committed (a barrier: an entry with no row).
   */
  private ackKnownState(conn: Connection, stateVector: Uint8Array): void {
    const saved = new Map<number, number>()
    const store = this.doc.store
    for (const [client, clock] of Y.decodeStateVector(stateVector)) {
      const known = Math.min(clock, Y.getState(store, client))
      if (known > 0) saved.set(client, known)
    }
    if (saved.size === 0) return
    this.log.append(null, () => conn.queueSaved(saved))
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

  /** Stores the forwarded edits, in the order they came (after the stored song, if not yet in). */
  integrate(): void {
    this.integrateStored()
    if (this.integrateTimer !== null) clearTimeout(this.integrateTimer)
    this.integrateTimer = null
    if (this.forwarded.length === 0) return
    const edits = this.forwarded
    this.forwarded = []
    for (const { from, update } of edits) {
      try {
        this.store(from, update, true)
      } catch (err) {
        // Not on the socket's callback any more: a server bug here must cost only its author.
        this.logLine(
          `[collab] room ${this.projectId}: integrating an edit failed: ${err instanceof Error ? err.stack : String(err)}`,
        )
        from.close(CloseCode.internalError, 'internal error')
      }
    }
  }

  /** A committed update from another replica (the bus). Idempotent: Yjs ignores known content. */
  applyReplicaUpdate(seq: number, update: Uint8Array): void {
    if (seq <= this.log.appliedSeq) return
    const doc = this.doc
    const effective = this.write(() => Y.applyUpdate(doc, update, replicaOrigin))
    // Already in the log (another replica committed it): only our clients need it.
    if (effective !== null) this.broadcast(effective, null)
    this.log.replicated(seq, effective ?? update)
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
   * Catch-up from the database: `stored` holds the rows after `log.appliedSeq` (and a snapshot if
   * another replica compacted past it). Applied as one transaction, so clients get one diff.
   */
  applyStored(stored: StoredDocument): void {
    if (stored.snapshot === null && stored.tail.length === 0) return
    const doc = this.doc
    const effective = this.write(() =>
      doc.transact(() => {
        if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.state)
        for (const row of stored.tail) Y.applyUpdate(doc, row.update)
      }, replicaOrigin),
    )
    if (effective !== null) this.broadcast(effective, null)
    this.log.caughtUp(stored)
  }

  /**
   * Every write goes through a door (`write`), which collects what Yjs reports here. Anything else
   * is code that wrote to `room.doc` directly: a bug, but its change is still stored and sent
   * (it cannot be undone), and the line in the log says where to look.
   */
  private onDocUpdate(update: Uint8Array, origin: unknown): void {
    if (this.captured !== null) {
      this.captured.push(update)
      return
    }
    this.logLine(
      `[collab] room ${this.projectId}: the song was written outside the room's doors (origin ${describeOrigin(origin)}); use commitServerEdit`,
    )
    this.cold = null
    this.broadcast(update, null)
    this.log.append(update, (seq) => {
      if (seq !== null) this.replicaLink?.publishUpdate(seq, update)
    })
  }

  private onAwarenessUpdate({ added, updated, removed }: AwarenessChange, origin: unknown): void {
    const changed = [...added, ...updated, ...removed]
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)
    const frame = encodeAwareness(update)
    for (const c of this.connections) c.send(frame)
    // Not on 'timeout': that is this replica expiring a state it stopped hearing about (e.g. the
    // bus was down), which must not remove the client on the replica it is still connected to.
    if (origin !== replicaOrigin && origin !== 'timeout') this.replicaLink?.publishAwareness(update)
  }

  destroy(): void {
    if (this.integrateTimer !== null) clearTimeout(this.integrateTimer)
    if (this.storedTimer !== null) clearTimeout(this.storedTimer)
    this.log.destroy()
    this.awareness.destroy()
    this.ydoc.destroy()
  }
}

/** A Yjs update that adds nothing: step 2 of a room whose log is empty. */
const emptyUpdate = new Uint8Array([0, 0])

const describeOrigin = (origin: unknown): string => {
  if (origin === null || origin === undefined) return 'none'
  if (typeof origin === 'object' && 'kind' in origin) return String(origin.kind)
  return typeof origin === 'symbol' ? origin.toString() : typeof origin
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
