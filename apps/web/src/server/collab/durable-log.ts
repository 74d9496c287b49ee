import type { Db } from '../db'
import { appendUpdates, type CompactionOutcome, compact, type FoldHook } from '../db/update-log'

/**
 * Group commit for the document update log, shared by every room of the process.
 *
 * One writer loop: while a commit is in flight, new entries queue up and go into the next one
 * together: each room's queued updates become one statement (`appendUpdates`), which commits on
 * its own. An entry's `onCommitted` runs only after its rows committed; acknowledgements go out in
 * FIFO order, so an entry without an update works as a barrier ("everything queued before me is
 * stored"), which is how the server acknowledges a client message whose content was already known.
 *
 * A failed commit (database down) re-queues, at the front and in order, the entries of the rooms
 * whose statement failed or was not tried, plus every barrier behind them, and retries with
 * exponential backoff; nothing of theirs is acknowledged meanwhile and rooms keep working in memory.
 *
 * Compactions run beside the writer loop, one at a time, never in it: a compaction writes a whole
 * snapshot and takes the project's lock, and no room's "saved" may wait for that (an instance
 * paused while holding the lock once stopped every commit of the instance that waited for it). The
 * lock is only tried (`compact` answers 'busy'), and a compaction touches only rows its room has
 * already committed, below every seq an append can get, so the two never wait for each other.
 *
 * Seqs are allocated by the database inside the commit (`appendUpdates`, from the project's head
 * row), not by the room: several instances may append to the same project's log, and the seq
 * each row got is handed to `onCommitted` so the room can track what its replica has applied.
 */

export interface PendingRow {
  projectId: string
  update: Uint8Array
  /** The member whose connection sent it; null or absent for the server's own writes. */
  authorId?: string | null
}

export interface LogEntry {
  /** `null` for a barrier that only waits for the entries before it. */
  row: PendingRow | null
  /** Runs after the commit with the row's seq (null for a barrier). */
  onCommitted: (seq: number | null) => void
}

/** Produces the snapshot at the moment it is written. */
export type CompactionTask = () => { upToSeq: number; state: Uint8Array } | null

/** 'failed': the database refused (down); 'skipped': the task had nothing to write, or the log closed. */
export type CompactionResult = CompactionOutcome | 'failed' | 'skipped'

export interface DurableLogOptions {
  /**
   * How long the first entry waits for others before its commit starts (0: the next event-loop turn).
   * A few milliseconds batch a busy room's edits into fewer statements and keep the database's work out
   * of the moment the broadcast is being read; "saved" comes that much later.
   */
  commitWindowMs?: number
  retryMinMs?: number
  retryMaxMs?: number
  /** Runs in each compaction's transaction before it deletes the rows it folds (`compact`). */
  beforeFold?: FoldHook
  log?: (line: string) => void
}

export interface DurableLogStats {
  /** Committed statements (one room's updates each). */
  commits: number
  updatesWritten: number
  failedCommits: number
  compactions: number
  queued: number
}

export class DurableLog {
  private queue: LogEntry[] = []
  private compactions = new Map<
    string,
    { task: CompactionTask; onDone: (result: CompactionResult) => void }
  >()
  private running = false
  private compacting = false
  /** When the oldest entry not yet in a commit was appended or announced (Date.now()). */
  private windowFrom: number | null = null
  private retryTimer: NodeJS.Timeout | null = null
  private retryDelay: number
  private idleWaiters: (() => void)[] = []
  private closed = false
  readonly stats: DurableLogStats = {
    commits: 0,
    updatesWritten: 0,
    failedCommits: 0,
    compactions: 0,
    queued: 0,
  }
  private readonly commitWindowMs: number
  private readonly retryMinMs: number
  private readonly retryMaxMs: number
  private readonly log: (line: string) => void
  private readonly beforeFold: FoldHook | undefined

  constructor(
    private readonly db: Db,
    options: DurableLogOptions = {},
  ) {
    this.commitWindowMs = options.commitWindowMs ?? 0
    this.retryMinMs = options.retryMinMs ?? 100
    this.retryMaxMs = options.retryMaxMs ?? 5000
    this.retryDelay = this.retryMinMs
    this.log = options.log ?? ((line) => console.warn(line))
    this.beforeFold = options.beforeFold
  }

  append(entry: LogEntry): void {
    this.windowFrom ??= Date.now()
    this.queue.push(entry)
    this.stats.queued = this.queue.length
    this.kick()
  }

  /**
   * An entry is about to be appended (after other work, such as sending an edit on and integrating
   * it): its commit window starts now rather than at the append, also when a commit is in flight
   * now and finishes before the append.
   */
  expectAppend(): void {
    this.windowFrom ??= Date.now()
    this.kick()
  }

  /** At most one pending compaction per project; a newer request replaces the older one. */
  requestCompaction(
    projectId: string,
    task: CompactionTask,
    onDone: (result: CompactionResult) => void,
  ): void {
    this.compactions.get(projectId)?.onDone('skipped')
    this.compactions.set(projectId, { task, onDone })
    if (this.compacting || this.closed) return
    this.compacting = true
    setImmediate(() => {
      this.runCompactions().catch((err: unknown) =>
        this.log(`[collab] compaction loop failed: ${String(err)}`),
      )
    })
  }

  get idle(): boolean {
    return (
      !this.running &&
      !this.compacting &&
      this.retryTimer === null &&
      this.queue.length === 0 &&
      this.compactions.size === 0
    )
  }

  /** Resolves true once everything queued is committed, false if `timeoutMs` passes first. */
  flush(timeoutMs = 10_000): Promise<boolean> {
    if (this.idle) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs)
      this.idleWaiters.push(() => {
        clearTimeout(timer)
        resolve(true)
      })
    })
  }

  /** Stops retrying. Entries still queued are dropped (they were never acknowledged). */
  close(): void {
    this.closed = true
    if (this.retryTimer !== null) clearTimeout(this.retryTimer)
    this.retryTimer = null
    for (const { onDone } of this.compactions.values()) onDone('skipped')
    this.compactions.clear()
  }

  private kick(): void {
    if (this.running || this.retryTimer !== null || this.closed) return
    this.running = true
    const run = () => {
      this.run().catch((err: unknown) => this.log(`[collab] durable log loop failed: ${String(err)}`))
    }
    // Never a microtask: frames already read from the sockets get in the first batch.
    const wait = this.windowFrom === null ? 0 : this.windowFrom + this.commitWindowMs - Date.now()
    if (wait > 0) setTimeout(run, wait)
    else setImmediate(run)
  }

  private async run(): Promise<void> {
    try {
      while (!this.closed && this.queue.length > 0) {
        if (!(await this.commitQueued())) return this.scheduleRetry()
        this.retryDelay = this.retryMinMs
      }
    } finally {
      this.running = false
      this.stats.queued = this.queue.length
    }
    this.wakeIfIdle()
  }

  private wakeIfIdle(): void {
    if (this.idle) for (const wake of this.idleWaiters.splice(0)) wake()
  }

  private async commitQueued(): Promise<boolean> {
    const batch = this.queue.splice(0)
    this.windowFrom = null
    // One statement per project (rows in queue order), each committing on its own: the common
    // case, one busy room, is a single round trip.
    const byProject = new Map<string, { updates: Uint8Array[]; authors: (string | null)[] }>()
    for (const e of batch) {
      if (e.row === null) continue
      const rows = byProject.get(e.row.projectId)
      if (rows === undefined)
        byProject.set(e.row.projectId, { updates: [e.row.update], authors: [e.row.authorId ?? null] })
      else {
        rows.updates.push(e.row.update)
        rows.authors.push(e.row.authorId ?? null)
      }
    }
    const seqsByProject = new Map<string, number[]>()
    const failed = new Set<string>()
    let error: unknown = null
    for (const [projectId, { updates, authors }] of byProject) {
      // After one failure the database is most likely down: the rest wait for the retry too.
      if (error !== null) {
        failed.add(projectId)
        continue
      }
      try {
        seqsByProject.set(projectId, await appendUpdates(this.db, projectId, updates, authors))
        this.stats.commits++
        this.stats.updatesWritten += updates.length
      } catch (err) {
        error = err
        failed.add(projectId)
      }
    }
    // Acknowledge in FIFO order. A failed project's entries wait for the retry, and so does every
    // barrier after the first waiting entry ("everything before me is stored" no longer holds).
    const waiting: LogEntry[] = []
    const next = new Map<string, number>()
    for (const entry of batch) {
      if (entry.row === null ? waiting.length > 0 : failed.has(entry.row.projectId)) {
        waiting.push(entry)
        continue
      }
      let seq: number | null = null
      if (entry.row !== null) {
        const i = next.get(entry.row.projectId) ?? 0
        next.set(entry.row.projectId, i + 1)
        seq = seqsByProject.get(entry.row.projectId)?.[i] ?? null
      }
      try {
        entry.onCommitted(seq)
      } catch (err) {
        this.log(`[collab] commit callback failed: ${errText(err)}`)
      }
    }
    if (waiting.length === 0) return true
    this.queue.unshift(...waiting)
    this.stats.failedCommits++
    const rows = waiting.filter((e) => e.row !== null).length
    this.log(
      `[collab] commit of ${rows} updates (${failed.size} room${failed.size === 1 ? '' : 's'}) failed, retrying in ${this.retryDelay} ms: ${errText(error)}`,
    )
    return false
  }

  private async runCompactions(): Promise<void> {
    try {
      for (const [projectId, { task, onDone }] of this.compactions) {
        this.compactions.delete(projectId)
        if (this.closed) {
          onDone('skipped')
          continue
        }
        let result: CompactionResult = 'skipped'
        try {
          const snapshot = task()
          if (snapshot !== null)
            result = await compact(this.db, projectId, snapshot.upToSeq, snapshot.state, this.beforeFold)
          if (result === 'compacted') this.stats.compactions++
        } catch (err) {
          // Not fatal: the log rows are still there and the room asks again after more updates.
          result = 'failed'
          this.log(`[collab] compaction of ${projectId} failed: ${errText(err)}`)
        }
        onDone(result)
      }
    } finally {
      this.compacting = false
    }
    this.wakeIfIdle()
  }

  private scheduleRetry(): void {
    const delay = this.retryDelay
    this.retryDelay = Math.min(this.retryDelay * 2, this.retryMaxMs)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      this.kick()
    }, delay)
  }
}

const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err))
