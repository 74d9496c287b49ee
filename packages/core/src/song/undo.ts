import * as Y from 'yjs'
import { actingUser, type UserOrigin } from './origins'
import { PROPOSALS } from './proposals'
import { songTypes } from './ydoc'

export interface SongUndo {
  readonly user: UserOrigin
  undo(): boolean
  redo(): boolean
  canUndo(): boolean
  canRedo(): boolean
  /** Ends the current step, so the next edit becomes a separate undo step even within captureTimeout. */
  stopCapturing(): void
  /**
   * Starts a gesture (a knob drag writes on every move so bandmates hear it at once): this user's edits until
   * the returned function runs become one undo step, not one per move.
   */
  gesture(): () => void
  clear(): void
  /** Called after anything that may change canUndo / canRedo. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void
  destroy(): void
}

export interface UndoOptions {
  /**
   * Edits by this user closer together than this many ms merge into one undo step. Default 0: every
   * operation is its own step, because each operation already is one user intention.
   */
  readonly captureTimeout?: number
}

const undoOwners = new WeakMap<object, UserOrigin>()

/** The user whose undo manager made a transaction (undo/redo transactions carry the manager as origin). */
export const undoOwner = (origin: unknown): UserOrigin | null =>
  typeof origin === 'object' && origin !== null ? (undoOwners.get(origin) ?? null) : null

/**
 * Undo history for one user session. It tracks only transactions whose origin is `user` itself, or an
 * AiAcceptedOrigin / RestoreOrigin acting for it, so undo never reverts a collaborator's change, a remote
 * update, a migration or a shared AI proposal.
 *
 * One exception, on purpose: when a bandmate accepts a proposal this user asked for, the acceptance joins
 * this user's history as well as the acceptor's, so the person who asked for the idea can take it back in
 * one step (issue 6). It is recognised as a remote transaction that closes one of this user's open
 * proposals; the acceptance writes its notes and closes the proposal in that same transaction.
 */
export const createUndo = (doc: Y.Doc, user: UserOrigin, options: UndoOptions = {}): SongUndo => {
  const manager = new Y.UndoManager(songTypes(doc), {
    trackedOrigins: new Set<unknown>([user]),
    captureTimeout: options.captureTimeout ?? 0,
  })
  undoOwners.set(manager, user)

  // Yjs matches origins by identity; an AI acceptance or restore made for this user is a fresh object, so it
  // is tracked for exactly the one transaction it runs. The manager's own afterTransaction handler was
  // registered first (in its constructor) and so has seen the origin before we drop it again.
  const adopted = new Set<unknown>()
  const adopt = (origin: unknown) => {
    if (manager.trackedOrigins.has(origin)) return
    manager.addTrackedOrigin(origin)
    adopted.add(origin)
  }
  const before = (tr: Y.Transaction) => {
    const origin: unknown = tr.origin
    if (origin !== user && actingUser(origin) === user) adopt(origin)
  }

  // Open proposals this user asked for, as of the last transaction that touched them.
  const proposals = doc.getMap<unknown>(PROPOSALS)
  const mine = new Set<string>()
  const refreshMine = () => {
    mine.clear()
    for (const [key, value] of proposals) {
      const run = (value as { run?: { requestedBy?: unknown } } | null)?.run
      if (run?.requestedBy === user.userId) mine.add(key)
    }
  }
  refreshMine()
  const proposalKeysChanged = (tr: Y.Transaction): Set<string | null> | undefined => {
    for (const [type, keys] of tr.changed) if ((type as unknown) === proposals) return keys
    return undefined
  }
  // Runs after the transaction's changes are known and before the manager decides, in afterTransaction,
  // whether to record it. The manager's own scope check still requires the song itself to have changed,
  // so a bandmate dismissing the proposal adds nothing to this user's history.
  const beforeObservers = (tr: Y.Transaction) => {
    if (tr.local || mine.size === 0) return
    const keys = proposalKeysChanged(tr)
    if (keys && [...keys].some((key) => key !== null && mine.has(key) && !proposals.has(key)))
      adopt(tr.origin)
  }
  const after = (tr: Y.Transaction) => {
    if (adopted.delete(tr.origin)) manager.removeTrackedOrigin(tr.origin)
    if (proposalKeysChanged(tr)) refreshMine()
  }
  doc.on('beforeTransaction', before)
  doc.on('beforeObserverCalls', beforeObservers)
  doc.on('afterTransaction', after)

  const listeners = new Set<() => void>()
  const notify = () => {
    for (const listener of [...listeners]) listener()
  }
  // One undo fires both "popped" and "added" (onto the redo stack); listeners hear about it once.
  let stepping = false
  let pending = false
  const emit = () => {
    if (stepping) pending = true
    else notify()
  }
  const step = (run: () => unknown): boolean => {
    stepping = true
    pending = false
    let changed = false
    try {
      changed = run() !== null
    } finally {
      stepping = false
      if (pending) notify()
    }
    return changed
  }
  for (const event of [
    'stack-item-added',
    'stack-item-popped',
    'stack-cleared',
    'stack-item-updated',
  ] as const) {
    manager.on(event, emit)
  }

  return {
    user,
    undo: () => step(() => manager.undo()),
    redo: () => step(() => manager.redo()),
    canUndo: () => manager.canUndo(),
    canRedo: () => manager.canRedo(),
    stopCapturing: () => manager.stopCapturing(),
    gesture: () => {
      manager.stopCapturing()
      manager.captureTimeout = Number.POSITIVE_INFINITY
      let open = true
      return () => {
        if (!open) return
        open = false
        manager.captureTimeout = options.captureTimeout ?? 0
        manager.stopCapturing()
      }
    },
    clear: () => manager.clear(),
    onChange: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    destroy: () => {
      doc.off('beforeTransaction', before)
      doc.off('beforeObserverCalls', beforeObservers)
      doc.off('afterTransaction', after)
      listeners.clear()
      manager.destroy()
    },
  }
}
