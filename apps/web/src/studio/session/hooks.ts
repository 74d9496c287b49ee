'use client'

import { createSongStore, type Equality, shallowEqual } from '@ensemble/core'
import { useMemo, useSyncExternalStore } from 'react'
import type * as Y from 'yjs'
import type { SaveStatus } from '../../client/collab'
import type { SongSession } from './song-session'

/**
 * Reads a slice of the song. The selector must be stable for a given `deps` (define it at module level or
 * pass what it closes over as deps): the store is rebuilt only when they change.
 */
export function useSong<T>(
  doc: Y.Doc,
  selector: (doc: Y.Doc) => T,
  deps: readonly unknown[] = [],
  equals: Equality<T> = shallowEqual,
): T {
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names the selector's inputs in deps
  const store = useMemo(() => createSongStore(doc, selector, equals), [doc, ...deps])
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot)
}

export function useSaveStatus(session: SongSession): SaveStatus {
  const saved = session.connection.saved
  return useSyncExternalStore(saved.subscribe, saved.get, saved.get)
}

export interface UndoState {
  readonly canUndo: boolean
  readonly canRedo: boolean
}

export function useUndoState(session: SongSession): UndoState {
  const { undo } = session
  const store = useMemo(() => {
    let last: UndoState = { canUndo: undo.canUndo(), canRedo: undo.canRedo() }
    return {
      subscribe: (listener: () => void) => undo.onChange(listener),
      get: () => {
        const next = { canUndo: undo.canUndo(), canRedo: undo.canRedo() }
        if (next.canUndo !== last.canUndo || next.canRedo !== last.canRedo) last = next
        return last
      },
    }
  }, [undo])
  return useSyncExternalStore(store.subscribe, store.get, store.get)
}

export interface Collaborator {
  readonly clientId: number
  readonly id: string
  readonly name: string
  readonly colour: string
}

export function usePresence(session: SongSession): readonly Collaborator[] {
  const awareness = session.connection.provider.awareness
  const store = useMemo(() => {
    let last: readonly Collaborator[] = []
    const read = (): readonly Collaborator[] => {
      const people: Collaborator[] = []
      for (const [clientId, state] of awareness.getStates()) {
        const user = (state as { user?: { id?: unknown; name?: unknown; colour?: unknown } }).user
        if (typeof user?.id !== 'string') continue
        people.push({
          clientId,
          id: user.id,
          name: typeof user.name === 'string' ? user.name : user.id,
          colour: typeof user.colour === 'string' ? user.colour : '#9aa3b5',
        })
      }
      people.sort((a, b) => a.clientId - b.clientId)
      const same = people.length === last.length && people.every((p, i) => p.clientId === last[i]?.clientId)
      if (!same) last = people
      return last
    }
    return {
      subscribe: (listener: () => void) => {
        awareness.on('change', listener)
        return () => awareness.off('change', listener)
      },
      read,
    }
  }, [awareness])
  return useSyncExternalStore(store.subscribe, store.read, store.read)
}
