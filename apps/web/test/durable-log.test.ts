import { describe, expect, it, vi } from 'vitest'
import { DurableLog, type LogEntry } from '../src/server/collab/durable-log'
import type { Db } from '../src/server/db'
import { waitFor } from './helpers/wait'

/**
 * The group commit's bookkeeping when one room's statement fails and another's succeeds: the good
 * room is acknowledged at once, the failed room's entries (and every barrier behind them) wait,
 * in order, for the retry. The driver is a stand-in that answers `appendUpdates`' statement:
 * this is about what the log acknowledges, not about SQL (the storage suites run the real one).
 */
function fakeDb(failing: Set<string>, statementMs = 0): { db: Db; statements: string[] } {
  const statements: string[] = []
  const heads = new Map<string, number>()
  const client = {
    query: async ({ values }: { values: [string, number, unknown[]] }) => {
      const [projectId, n] = values
      statements.push(projectId)
      if (statementMs > 0) await new Promise((resolve) => setTimeout(resolve, statementMs))
      if (failing.has(projectId)) throw new Error(`${projectId} is down (test)`)
      const head = heads.get(projectId) ?? 0
      heads.set(projectId, head + n)
      return { rows: Array.from({ length: n }, (_, i) => ({ seq: head + 1 + i })) }
    },
  }
  return { db: { $client: client } as unknown as Db, statements }
}

/** `edit()` appends one update of the room "room"; `acked` collects the seqs its commits report, in order. */
function roomEdits(log: DurableLog): { edit: () => void; acked: (number | null)[] } {
  const acked: (number | null)[] = []
  const edit = () =>
    log.append({
      row: { projectId: 'room', update: new Uint8Array([1]) },
      onCommitted: (s) => acked.push(s),
    })
  return { edit, acked }
}

describe('durable log group commit', () => {
  it('acknowledges the rooms whose statement committed; a failed room and the barriers after it wait for the retry', async () => {
    const failing = new Set(['room-b'])
    const { db, statements } = fakeDb(failing)
    const log = new DurableLog(db, { retryMinMs: 20, log: () => {} })
    const acked: string[] = []
    const entry = (name: string, projectId: string | null): LogEntry => ({
      row: projectId === null ? null : { projectId, update: new Uint8Array([1]) },
      onCommitted: (seq) => acked.push(`${name}:${seq}`),
    })
    log.append(entry('a1', 'room-a'))
    log.append(entry('b1', 'room-b'))
    log.append(entry('a2', 'room-a'))
    log.append(entry('barrier', null))
    log.append(entry('b2', 'room-b'))
    await waitFor(() => log.stats.failedCommits >= 1, 'the first commit failed for room-b')
    // room-a's rows are stored and acknowledged, in queue order; nothing of room-b, and not the barrier.
    expect(acked).toEqual(['a1:1', 'a2:2'])
    failing.clear()
    expect(await log.flush(5_000)).toBe(true)
    expect(acked).toEqual(['a1:1', 'a2:2', 'b1:1', 'barrier:null', 'b2:2'])
    // room-a was written once: its acknowledged rows are not sent again with the retry.
    expect(statements.filter((p) => p === 'room-a')).toHaveLength(1)
    log.close()
  })

  it('commits go on while a compaction is still writing its snapshot', async () => {
    const { db: base } = fakeDb(new Set())
    // A compaction whose transaction does not finish: a slow snapshot write, or a lock wait.
    let compactionStarted = false
    const db = new Proxy(base, {
      get: (target, prop, receiver) =>
        prop === 'transaction'
          ? () => {
              compactionStarted = true
              return new Promise(() => {})
            }
          : Reflect.get(target, prop, receiver),
    })
    const log = new DurableLog(db, { log: () => {} })
    const { edit, acked } = roomEdits(log)
    edit()
    await waitFor(() => acked.length === 1, 'first edit committed')
    log.requestCompaction(
      'room',
      () => ({ upToSeq: 1, state: new Uint8Array([1]) }),
      () => {},
    )
    await waitFor(() => compactionStarted, 'compaction started')
    edit()
    edit()
    await waitFor(() => acked.length === 3, 'edits after the compaction started committed')
    expect(acked).toEqual([1, 2, 3])
    log.close()
  })

  it('with a commit window, edits that arrive within it share one statement', async () => {
    const { db, statements } = fakeDb(new Set())
    const log = new DurableLog(db, { commitWindowMs: 30, log: () => {} })
    const { edit, acked } = roomEdits(log)
    edit()
    await new Promise((r) => setTimeout(r, 5))
    edit()
    edit()
    expect(await log.flush(5_000)).toBe(true)
    expect(statements).toEqual(['room'])
    expect(acked).toEqual([1, 2, 3])
    log.close()
  })

  it('an announced append’s commit window opens at the announcement, not at the append', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const { db } = fakeDb(new Set())
      const log = new DurableLog(db, { commitWindowMs: 30, log: () => {} })
      const { edit, acked } = roomEdits(log)
      log.expectAppend()
      // The room sends the edit on to the bandmates first, which takes a while with many of them.
      vi.advanceTimersByTime(20)
      edit()
      await vi.advanceTimersByTimeAsync(10)
      await new Promise((resolve) => setImmediate(resolve))
      // 30 ms after the announcement, 10 after the append: committed.
      expect(acked).toEqual([1])
      log.close()
    } finally {
      vi.useRealTimers()
    }
  })

  it('an append announced while a commit is in flight commits one window after the announcement', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      const { db } = fakeDb(new Set(), 10)
      const log = new DurableLog(db, { commitWindowMs: 30, log: () => {} })
      const { edit, acked } = roomEdits(log)
      edit() // its window closes at 30, and its statement runs until 40
      await vi.advanceTimersByTimeAsync(35)
      log.expectAppend() // at 35, while that commit is in flight
      await vi.advanceTimersByTimeAsync(10)
      expect(acked).toEqual([1])
      edit() // at 45: the room integrated it after the first commit finished
      // Its window closed at 65 (35 + 30), its statement ran until 75; from the append it would be 85.
      await vi.advanceTimersByTimeAsync(35)
      await new Promise((resolve) => setImmediate(resolve))
      expect(acked).toEqual([1, 2])
      log.close()
    } finally {
      vi.useRealTimers()
    }
  })
})
