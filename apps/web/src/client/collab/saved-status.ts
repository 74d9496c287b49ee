import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { decodeSaved, MessageType } from '../../wire/collab'
import { handleMessages } from './message-handler'

/**
 * The Saved / Saving / Offline indicator. The server sends message type 100 ("saved") after the
 * updates a client sent are committed to the database: pairs of (clientID, clock) meaning every
 * update of that client below `clock` is stored (docs/PROTOCOL.md). We are `saved` when the
 * doc's own clock for our clientID is covered. The message's format is the wire module's
 * (`wire/collab.ts`), shared with the server. Browser-safe: no Node imports.
 */

export type SaveStatus = 'saved' | 'saving' | 'offline'

export interface SavedStatus {
  get(): SaveStatus
  /** Calls `listener` on every status change; returns the unsubscribe function. */
  subscribe(listener: (status: SaveStatus) => void): () => void
  /** Highest acknowledged clock per client id (for tests and diagnostics). */
  savedClock(clientID: number): number
  destroy(): void
}

/** Pure status rule, kept apart so that it can be tested without a socket. */
export function computeStatus(connected: boolean, localClock: number, savedClock: number): SaveStatus {
  if (!connected) return 'offline'
  return savedClock >= localClock ? 'saved' : 'saving'
}

export function attachSavedStatus(provider: WebsocketProvider): SavedStatus {
  const doc = provider.doc
  const saved = new Map<number, number>()
  const listeners = new Set<(status: SaveStatus) => void>()
  const current = (): SaveStatus =>
    computeStatus(provider.wsconnected, Y.getState(doc.store, doc.clientID), saved.get(doc.clientID) ?? 0)
  let last = current()
  const refresh = () => {
    const next = current()
    if (next === last) return
    last = next
    for (const listener of listeners) listener(next)
  }

  const stopHandling = handleMessages(provider, MessageType.saved, (decoder) => {
    for (const [client, clock] of decodeSaved(decoder)) {
      if (clock > (saved.get(client) ?? 0)) saved.set(client, clock)
    }
    refresh()
  })

  const onStatus = () => refresh()
  const onUpdate = () => refresh()
  provider.on('status', onStatus)
  doc.on('update', onUpdate)

  return {
    get: () => last,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    savedClock: (clientID) => saved.get(clientID) ?? 0,
    destroy() {
      provider.off('status', onStatus)
      doc.off('update', onUpdate)
      stopHandling()
      listeners.clear()
    },
  }
}
