import * as decoding from 'lib0/decoding'
import { MessageType, type StoredPart } from '../../wire/collab'
import { decodeJamState, type JamState } from '../../wire/jam'
import type { Db } from '../db'
import { readDocument } from '../db/update-log'
import type { BusMessage, RoomBus } from '../fanout/bus'
import type { Room } from './room'

/**
 * Keeps the replicas of a room on several instances converged: wires each loaded room to the
 * bus (committed updates and awareness out, other replicas' in) and catches rooms up from the
 * update log, which is the only thing that needs to be right for convergence. The bus is just
 * the fast path. Catch-up runs:
 * - once a room's subscription is live (covers the window between loading and subscribing);
 * - when a room has held a seq past a gap for `gapMs` (a bus message was lost);
 * - on every bus reconnect (everything published meanwhile was lost);
 * - every `catchUpMs` for every room (a lost last message leaves no gap to notice; a paused
 *   process notices nothing at all).
 */

export interface ReplicationOptions {
  catchUpMs: number
  gapMs: number
  log: (line: string) => void
  /** Another instance deleted the room's project: close its connections and unload it here too. */
  onClosed: (projectId: string) => void
  /** Another instance stored a conversation event for the room's song: deliver it to the clients here. */
  onDiscussion: (projectId: string, json: string) => void
  /** Another instance stored an asset's audio or peaks for the room's song: tell the clients here. */
  onAssetStored: (projectId: string, part: StoredPart, sha256: string) => void
}

export interface ReplicationStats {
  catchUps: number
  catchUpRows: number
  failedCatchUps: number
}

interface Tracked {
  room: Room
  busy: boolean
  again: boolean
  gapTimer: NodeJS.Timeout | null
}

export class Replication {
  readonly stats: ReplicationStats = { catchUps: 0, catchUpRows: 0, failedCatchUps: 0 }
  private readonly rooms = new Map<string, Tracked>()
  private readonly timer: NodeJS.Timeout
  private closed = false

  constructor(
    private readonly db: Db,
    private readonly bus: RoomBus,
    private readonly options: ReplicationOptions,
  ) {
    this.timer = setInterval(() => this.catchUpAll(), options.catchUpMs)
    this.timer.unref()
    bus.onReconnect(() => this.catchUpAll())
  }

  attach(room: Room): void {
    const tracked: Tracked = { room, busy: false, again: false, gapTimer: null }
    this.rooms.set(room.projectId, tracked)
    room.replica = {
      publishUpdate: (seq, update) => this.bus.publish(room.projectId, { kind: 'update', seq, update }),
      publishAwareness: (update) => this.bus.publish(room.projectId, { kind: 'awareness', update }),
      publishJam: (frame) => this.bus.publish(room.projectId, { kind: 'jam', frame }),
    }
    this.bus
      .join(room.projectId, (message) => this.onMessage(tracked, message))
      .then(
        () => {
          // Others' clients renew their awareness only every 15 s: ask for it now.
          this.bus.publish(room.projectId, { kind: 'awareness-query' })
          return this.catchUp(tracked)
        },
        (err: unknown) => this.options.log(`[collab] subscribing ${room.projectId} failed: ${errText(err)}`),
      )
  }

  detach(room: Room): void {
    const tracked = this.rooms.get(room.projectId)
    if (tracked?.room !== room) return
    if (tracked.gapTimer !== null) clearTimeout(tracked.gapTimer)
    this.rooms.delete(room.projectId)
    this.bus.leave(room.projectId)
    room.replica = null
  }

  /** Tells the room's other replicas that its project was deleted (see `onClosed`). */
  publishClosed(projectId: string): void {
    this.bus.publish(projectId, { kind: 'closed' })
  }

  /**
   * Sends a conversation event to the room's other replicas. Published whether or not the room is loaded
   * here: a comment can be written through the API of an instance that holds no connection to its song.
   */
  publishDiscussion(projectId: string, json: string): void {
    this.bus.publish(projectId, { kind: 'discussion', json })
  }

  /** Tells the room's other replicas that an asset's audio or peaks were stored (published like discussion). */
  publishAssetStored(projectId: string, part: StoredPart, sha256: string): void {
    this.bus.publish(projectId, { kind: 'asset-stored', part, sha256 })
  }

  catchUpAll(): void {
    for (const tracked of this.rooms.values()) void this.catchUp(tracked)
  }

  close(): void {
    this.closed = true
    clearInterval(this.timer)
    for (const tracked of [...this.rooms.values()]) this.detach(tracked.room)
  }

  private onMessage(tracked: Tracked, message: BusMessage): void {
    if (this.rooms.get(tracked.room.projectId) !== tracked) return
    if (message.kind === 'awareness') {
      tracked.room.applyReplicaAwareness(message.update)
      return
    }
    if (message.kind === 'closed') {
      this.options.onClosed(tracked.room.projectId)
      return
    }
    if (message.kind === 'discussion') {
      this.options.onDiscussion(tracked.room.projectId, message.json)
      return
    }
    if (message.kind === 'asset-stored') {
      this.options.onAssetStored(tracked.room.projectId, message.part, message.sha256)
      return
    }
    if (message.kind === 'jam') {
      tracked.room.jam.applyReplica(message.frame, jamStateOf(message.frame))
      return
    }
    if (message.kind === 'awareness-query') {
      const update = tracked.room.localAwareness()
      if (update !== null) this.bus.publish(tracked.room.projectId, { kind: 'awareness', update })
      return
    }
    tracked.room.applyReplicaUpdate(message.seq, message.update)
    if (tracked.room.log.heldCount > 0 && tracked.gapTimer === null) {
      // Usually the missing seq is merely in flight from another instance; wait a moment.
      tracked.gapTimer = setTimeout(() => {
        tracked.gapTimer = null
        if (tracked.room.log.heldCount > 0) void this.catchUp(tracked)
      }, this.options.gapMs)
    }
  }

  /** One catch-up at a time per room; a request during one runs again right after it. */
  private async catchUp(tracked: Tracked): Promise<void> {
    if (tracked.busy) {
      tracked.again = true
      return
    }
    tracked.busy = true
    try {
      do {
        tracked.again = false
        if (this.closed || this.rooms.get(tracked.room.projectId) !== tracked) return
        const { room } = tracked
        try {
          const stored = await readDocument(this.db, room.projectId, room.log.appliedSeq)
          if (this.rooms.get(room.projectId) !== tracked) return
          this.stats.catchUps++
          this.stats.catchUpRows += stored.tail.length
          room.applyStored(stored)
        } catch (err) {
          // Database away: the next interval tries again; the room keeps serving from memory.
          this.stats.failedCatchUps++
          if (this.stats.failedCatchUps % 20 === 1)
            this.options.log(`[collab] catch-up of ${room.projectId} failed: ${errText(err)}`)
          return
        }
      } while (tracked.again)
    } finally {
      tracked.busy = false
    }
  }
}

const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/** The jam state a replica's jam frame carries, or null (a live note, or a frame that does not decode). */
function jamStateOf(frame: Uint8Array): JamState | null {
  if (frame[0] !== MessageType.jamState) return null
  try {
    const decoder = decoding.createDecoder(frame)
    decoding.readVarUint(decoder)
    return decodeJamState(decoder)
  } catch {
    return null
  }
}
