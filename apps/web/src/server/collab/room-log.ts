import type { StoredDocument } from '../db/update-log'
import type { CompactionResult, DurableLog } from './durable-log'

/**
 * A room's slice of the update log: what it appends, which seqs its doc holds, and when to compact.
 * It knows nothing of Yjs: the room hands it updates as bytes and a way to encode a snapshot.
 *
 * Rules:
 * - One entry per edit (`append`): the row, if the edit changed anything, and what to do once it
 *   is committed (the "saved" acknowledgement, publishing to replicas). An edit that changed
 *   nothing is a barrier: acknowledged once everything queued before it is stored.
 * - `appliedSeq` is the replica's watermark: every log row up to it is in the room's doc. Rows
 *   seen past a gap (bus messages, own commits when another instance appends too) wait in
 *   `heldSeqs`; catch-up from the database (`collab/replication.ts`) closes gaps.
 * - Compaction runs beside commits, never in their way (see durable-log.ts): once the tail since the
 *   last snapshot passes the policy, the room's whole state is written as a snapshot and the rows
 *   it covers are dropped, which keeps the next load to one snapshot plus a short tail.
 */

export interface CompactionPolicy {
  /** Compact once the log tail holds more rows than this... */
  maxTailUpdates: number
  /** ...or more bytes than this. */
  maxTailBytes: number
}

/**
 * How long a room waits before compacting again after another instance held the project's
 * compaction lock: that instance is compacting the same log (or is paused while it does), and
 * trying after every commit would only add round trips.
 */
const COMPACTION_BUSY_RETRY_MS = 1000

export class RoomLog {
  /** Entries queued but not yet committed: the room may not unload while this is > 0. */
  private pendingWrites = 0
  /** Every log row with seq <= this is in the doc. */
  private watermark: number
  /** Seqs above the watermark known to be in the doc (own commits, bus messages). */
  private readonly heldSeqs = new Set<number>()
  /** Scaled out, other instances append to the same log: own seqs may then come with gaps. */
  shared = false
  private tailUpdates: number
  private tailBytes: number
  private compactionRequested = false
  private compactionRetry: NodeJS.Timeout | null = null

  constructor(
    readonly projectId: string,
    stored: StoredDocument,
    private readonly durable: DurableLog,
    private readonly policy: CompactionPolicy,
    /** The doc's whole state, for a snapshot (every row up to `appliedSeq` is in it). */
    private readonly encodeState: () => Uint8Array,
  ) {
    this.watermark = stored.tail.at(-1)?.seq ?? stored.snapshot?.upToSeq ?? 0
    this.tailUpdates = stored.tail.length
    this.tailBytes = stored.tail.reduce((n, r) => n + r.update.byteLength, 0)
  }

  get hasPendingWrites(): boolean {
    return this.pendingWrites > 0
  }

  /** The replica's watermark: every log row up to this seq is in the doc. */
  get appliedSeq(): number {
    return this.watermark
  }

  /** Log rows this replica holds beyond a gap: nonzero means a catch-up is due. */
  get heldCount(): number {
    return this.heldSeqs.size
  }

  /**
   * Queues one edit: its row (`update`, null when the edit changed nothing) and `onCommitted`, run
   * once the row and everything queued before it are stored, with the row's seq (null for none).
   */
  append(
    update: Uint8Array | null,
    onCommitted: (seq: number | null) => void,
    /** Who the row counts for in "what changed since you left" (`server/changes`); null: nobody's. */
    authorId: string | null = null,
  ): void {
    this.pendingWrites++
    this.durable.append({
      row: update === null ? null : { projectId: this.projectId, update, authorId },
      onCommitted: (seq) => {
        this.pendingWrites--
        if (seq !== null && update !== null) {
          this.noteSeq(seq)
          this.tailUpdates++
          this.tailBytes += update.byteLength
        }
        onCommitted(seq)
        if (seq !== null) this.maybeCompact()
      },
    })
  }

  /** An append is coming after other work: its commit window starts now (`DurableLog.expectAppend`). */
  expectAppend(): void {
    this.durable.expectAppend()
  }

  /** A row another replica committed (the bus), now in the doc. */
  replicated(seq: number, update: Uint8Array): void {
    if (seq <= this.watermark) return
    this.tailUpdates++
    this.tailBytes += update.byteLength
    this.noteSeq(seq)
  }

  /** Rows read from the database by a catch-up, now in the doc. */
  caughtUp(stored: StoredDocument): void {
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
    if (!this.shared) this.watermark = seq
    else this.heldSeqs.add(seq)
    this.advanceWatermark()
  }

  private advanceWatermark(): void {
    while (this.heldSeqs.delete(this.watermark + 1)) this.watermark++
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
      this.durable.requestCompaction(
        this.projectId,
        // The doc holds at least every row up to the watermark (possibly more, still queued or past
        // a gap: replaying those later is idempotent in Yjs).
        () => {
          covered = { updates: this.tailUpdates, bytes: this.tailBytes }
          return { upToSeq: this.watermark, state: this.encodeState() }
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
    if (this.compactionRetry !== null) clearTimeout(this.compactionRetry)
  }
}
