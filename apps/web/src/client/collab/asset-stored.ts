import type { WebsocketProvider } from 'y-websocket'
import { decodeAssetStored, MessageType, type StoredPart } from '../../wire/collab'
import { handleMessages } from './message-handler'

/**
 * The client side of message type 102 ("asset stored", docs/PROTOCOL.md): an asset's audio or peaks were
 * committed for the song, so whoever waits for them fetches now. The server sends it only to connections
 * that asked (`assets=1`, set by `connectSong`). Best-effort like awareness: one sent while this client
 * was away is not sent again, so `onResync` tells listeners to ask the server once more after every
 * (re)connect. Browser-safe.
 */

export interface AssetNotice {
  part: StoredPart
  sha256: string
}

export interface AssetFeed {
  /** Calls `listener` with every notice; returns the unsubscribe function. */
  subscribe(listener: (notice: AssetNotice) => void): () => void
  /** Calls `listener` each time the connection is synced again (notices may have been missed). */
  onResync(listener: () => void): () => void
  destroy(): void
}

export function attachAssetFeed(provider: WebsocketProvider): AssetFeed {
  const listeners = new Set<(notice: AssetNotice) => void>()
  const resyncs = new Set<() => void>()
  const stopHandling = handleMessages(provider, MessageType.assetStored, (decoder) => {
    let notice: AssetNotice | null
    try {
      notice = decodeAssetStored(decoder)
    } catch {
      notice = null
    }
    if (notice === null) return
    for (const listener of [...listeners]) listener(notice)
  })
  const synced = (isSynced: boolean) => {
    if (!isSynced) return
    for (const listener of [...resyncs]) listener()
  }
  provider.on('sync', synced)
  return {
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onResync(listener) {
      resyncs.add(listener)
      return () => resyncs.delete(listener)
    },
    destroy() {
      stopHandling()
      provider.off('sync', synced)
      listeners.clear()
      resyncs.clear()
    },
  }
}
