import type { StoredPart } from '../../wire/collab'

/**
 * The contract between a room's replicas on different instances: a best-effort message bus.
 *
 * Nothing durable travels here. A document update is published only after it committed to the
 * update log, with the seq the log gave it, so a replica never holds content the log lacks and
 * can tell exactly which rows it missed; lost messages (bus down, process paused) are recovered
 * from the database by `collab/replication.ts`. Awareness is ephemeral and simply re-sent by
 * clients every 15 s. A lost `closed` is made up for by each instance's membership sweep.
 */

export type BusMessage =
  | { kind: 'update'; seq: number; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array }
  /** A replica just loaded the room: the others answer with their own clients' awareness. */
  | { kind: 'awareness-query' }
  /** The project was deleted: every replica closes its connections (4403) and unloads the room. */
  | { kind: 'closed' }
  /** A song's comments or chat changed (committed first): its JSON event for the clients here. */
  | { kind: 'discussion'; json: string }
  /** An asset's audio or peaks were stored (committed first) for the song: tell the clients here. */
  | { kind: 'asset-stored'; part: StoredPart; sha256: string }
  /** A live-jam frame (jam state or a live note, docs/PROTOCOL.md) for the room's `jam=1` clients here. */
  | { kind: 'jam'; frame: Uint8Array }

export type BusStatus = 'ready' | 'connecting' | 'down'

export interface RoomBus {
  /** Starts delivering the room's messages from other instances; resolves once subscribed. */
  join(projectId: string, onMessage: (message: BusMessage) => void): Promise<void>
  leave(projectId: string): void
  /** Fire and forget: dropped (and counted) while the bus is not ready. */
  publish(projectId: string, message: BusMessage): void
  /** Runs after every reconnect: messages published meanwhile were lost, catch up. */
  onReconnect(listener: () => void): void
  readonly status: BusStatus
  readonly stats: BusStats
  close(): Promise<void>
}

export interface BusStats {
  published: number
  received: number
  /** Publishes skipped because the bus was down (recovered by catch-up, not resent). */
  dropped: number
  reconnects: number
}
