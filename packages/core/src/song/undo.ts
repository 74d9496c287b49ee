import * as Y from 'yjs'
import { actingUser, type UserOrigin } from './origins'
import { metaMap, tracksMap } from './ydoc'

export interface SongUndo {
  readonly user: UserOrigin
  undo(): boolean
  redo(): boolean
  canUndo(): boolean
  canRedo(): boolean
  /** Ends the current step, so the next edit becomes a separate undo step even within captureTimeout. */
  stopCapturing(): void
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
 */
export const createUndo = (doc: Y.Doc, user: UserOrigin, options: UndoOptions = {}): SongUndo => {
  const manager = new Y.UndoManager([metaMap(doc), tracksMap(doc)], {
    trackedOrigins: new Set<unknown>([user]),
    captureTimeout: options.captureTimeout ?? 0,
  })
  undoOwners.set(manager, user)

  // Yjs matches origins by identity; an AI acceptance or restore made for this user is a fresh object, so it
  // is tracked for exactly the one transaction it runs. The manager's own afterTransaction handler was
  // registered first (in its constructor) and so has seen the origin before we drop it again.
  const adopted = new Set<unknown>()
  const before = (tr: Y.Transaction) => {
    const origin: unknown = tr.origin
    if (origin !== user && actingUser(origin) === user && !manager.trackedOrigins.has(origin)) {
      manager.addTrackedOrigin(origin)
      adopted.add(origin)
    }
  }
  const after = (tr: Y.Transaction) => {
    if (adopted.delete(tr.origin)) manager.removeTrackedOrigin(tr.origin)
  }
  doc.on('beforeTransaction', before)
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
    clear: () => manager.clear(),
    onChange: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    destroy: () => {
      doc.off('beforeTransaction', before)
      doc.off('afterTransaction', after)
      listeners.clear()
      manager.destroy()
    },
  }
}
