import { SEAL_ORIGIN, sealLegacyRuns } from '@ensemble/core'
import type { Db } from '../db'
import { readDocument } from '../db/update-log'
import type { DurableLog } from './durable-log'
import type { Replication } from './replication'
import { Room } from './room'
import type { CompactionPolicy } from './room-log'
import type { WriteRules } from './write-rules'

/**
 * The rooms loaded in this process. A room loads on first use (connections arriving during the
 * load share the same promise) and unloads after `idleUnloadMs` without connections, but only
 * once all its log entries are committed: otherwise a reload would miss queued updates.
 */

export interface RoomsOptions {
  idleUnloadMs: number
  compaction: CompactionPolicy
  /** Scaled out: rooms join the bus and catch up from the log (see replication.ts). */
  replication?: Replication | null
  /** Called with each room once its stored song is in its doc, before any edit reaches it (the song title's follower). */
  onLoad?: (room: Room) => void
  log: (line: string) => void
  /** What only the server writes into a song (proposals, sealed AI provenance). */
  writeRules: WriteRules
}

interface Slot {
  room: Promise<Room>
  /** The room once loaded: a release must come from a holder of this very room (see `evict`). */
  loaded: Room | null
  /** Holders: connections plus upgrades waiting for the load. */
  refs: number
  idleTimer: NodeJS.Timeout | null
}

export class Rooms {
  private readonly slots = new Map<string, Slot>()

  constructor(
    private readonly db: Db,
    private readonly durableLog: DurableLog,
    private readonly options: RoomsOptions,
  ) {}

  /** Loads (or joins the load of) a room and holds a reference; pair with `release`. */
  async acquire(projectId: string): Promise<Room> {
    let slot = this.slots.get(projectId)
    if (slot === undefined) {
      const created: Slot = { room: this.load(projectId), loaded: null, refs: 0, idleTimer: null }
      created.room.then(
        (room) => {
          created.loaded = room
        },
        () => {},
      )
      slot = created
      this.slots.set(projectId, slot)
      // A failed load must not poison the slot: the next connection tries again.
      const failed = slot
      slot.room.catch(() => {
        if (this.slots.get(projectId) === failed) this.slots.delete(projectId)
      })
    }
    slot.refs++
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer)
    slot.idleTimer = null
    try {
      return await slot.room
    } catch (err) {
      slot.refs--
      throw err
    }
  }

  /**
   * Holds the room while `use` runs, loading it here if no connection has: the server reads and writes the
   * live song in it, and what it writes is logged and reaches every client (every instance) like an edit.
   */
  async hold<T>(projectId: string, use: (room: Room) => Promise<T>): Promise<T> {
    const room = await this.acquire(projectId)
    try {
      return await use(room)
    } finally {
      this.release(room)
    }
  }

  /** Drops a reference taken by `acquire`; a no-op for a room that was evicted since. */
  release(room: Room): void {
    const slot = this.slots.get(room.projectId)
    if (slot === undefined || slot.loaded !== room) return
    slot.refs = Math.max(0, slot.refs - 1)
    if (slot.refs === 0) this.scheduleUnload(room.projectId, slot)
  }

  /** False once the room was evicted (or unloaded): a connection must not join it then. */
  holds(room: Room): boolean {
    return this.slots.get(room.projectId)?.loaded === room
  }

  /** Whether the project's room is loaded here (not merely loading): joining it needs no database. */
  isLoaded(projectId: string): boolean {
    return (this.slots.get(projectId)?.loaded ?? null) !== null
  }

  /** The room if it is loaded and ready (tests, diagnostics). */
  async peek(projectId: string): Promise<Room | undefined> {
    return this.slots.get(projectId)?.room
  }

  get loadedCount(): number {
    return this.slots.size
  }

  async all(): Promise<Room[]> {
    const settled = await Promise.allSettled([...this.slots.values()].map((s) => s.room))
    return settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  }

  /**
   * Unloads a room now, whatever holds it: its project was deleted and the caller has closed its
   * connections (their late releases find no slot). Edits already queued still commit, so the
   * doc lives until they have: a compaction reads it, and a restore brings those edits back.
   */
  async evict(projectId: string): Promise<void> {
    const slot = this.slots.get(projectId)
    if (slot === undefined) return
    this.slots.delete(projectId)
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer)
    let room: Room
    try {
      room = await slot.room
    } catch {
      return
    }
    this.options.replication?.detach(room)
    room.integrate()
    while (room.hasPendingWrites) await new Promise((resolve) => setTimeout(resolve, 100))
    room.destroy()
  }

  /** Drops every room (after the caller flushed the log). */
  async destroyAll(): Promise<void> {
    for (const slot of this.slots.values()) if (slot.idleTimer !== null) clearTimeout(slot.idleTimer)
    const rooms = await this.all()
    this.slots.clear()
    for (const room of rooms) {
      this.options.replication?.detach(room)
      room.destroy()
    }
  }

  /**
   * Loads these rooms now, one after another, and lets them unload as usual if nobody comes: after a restart
   * the clients reconnecting to the songs they had open find them in memory instead of waiting for the read.
   * Returns how many loaded; a room that fails to load is logged and left to load on demand.
   */
  async prewarm(projectIds: readonly string[]): Promise<number> {
    let loaded = 0
    for (const projectId of projectIds) {
      try {
        const room = await this.acquire(projectId)
        this.release(room)
        loaded++
      } catch (err) {
        this.options.log(
          `[collab] prewarming room ${projectId} failed: ${err instanceof Error ? err.message : String(err)}`,
        )
      }
    }
    return loaded
  }

  private async load(projectId: string): Promise<Room> {
    const stored = await readDocument(this.db, projectId)
    const room = new Room(
      projectId,
      stored,
      this.durableLog,
      this.options.compaction,
      this.options.log,
      this.options.writeRules,
      (loaded) => this.integrated(loaded),
    )
    this.options.replication?.attach(room)
    return room
  }

  private integrated(room: Room): void {
    // A song from before the server sealed its runs: sealed now, or its AI notes could not be edited.
    let sealed = 0
    room.commitServerEdit(SEAL_ORIGIN, (doc) => {
      sealed = sealLegacyRuns(doc, (run) => this.options.writeRules.seal(run))
    })
    if (sealed > 0)
      this.options.log(`[collab] room ${room.projectId}: sealed ${sealed} AI runs from before seals`)
    this.options.onLoad?.(room)
  }

  private scheduleUnload(projectId: string, slot: Slot): void {
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer)
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = null
      void this.tryUnload(projectId, slot)
    }, this.options.idleUnloadMs)
  }

  private async tryUnload(projectId: string, slot: Slot): Promise<void> {
    if (slot.refs > 0 || this.slots.get(projectId) !== slot) return
    let room: Room
    try {
      room = await slot.room
    } catch {
      return
    }
    if (slot.refs > 0 || this.slots.get(projectId) !== slot) return
    // Queued updates (e.g. database down): keep the room and look again later.
    if (room.hasPendingWrites) return this.scheduleUnload(projectId, slot)
    this.slots.delete(projectId)
    this.options.replication?.detach(room)
    room.destroy()
  }
}
