import type { encoding } from 'lib0'
import type * as decoding from 'lib0/decoding'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { decodeSaved, MessageType } from '../../wire/collab'

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

type MessageHandler = (
  encoder: encoding.Encoder,
  decoder: decoding.Decoder,
  provider: WebsocketProvider,
  emitSynced: boolean,
  messageType: number,
) => void

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

  const handler: MessageHandler = (_encoder, decoder) => {
    for (const [client, clock] of decodeSaved(decoder)) {
      if (clock > (saved.get(client) ?? 0)) saved.set(client, clock)
    }
    refresh()
  }
  // Per-instance array (y-websocket copies it in the constructor): other providers are unaffected.
  const handlers = provider.messageHandlers as MessageHandler[]
  handlers[MessageType.saved] = handler

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
      if (handlers[MessageType.saved] === handler) delete handlers[MessageType.saved]
      listeners.clear()
    },
  }
}
