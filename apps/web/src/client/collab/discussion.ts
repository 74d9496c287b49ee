import type * as decoding from 'lib0/decoding'
import type { WebsocketProvider } from 'y-websocket'
import { type DiscussionEvent, DiscussionEventSchema } from '../../discussion/events'
import { decodeDiscussion, MessageType } from '../../wire/collab'
import { handleMessages } from './message-handler'

/**
 * The client side of message type 101 ("discussion", docs/PROTOCOL.md): a song's comments or chat changed.
 * The server sends it only to connections that asked (`discussion=1`, set by `connectSong`). Each event is
 * validated before anyone sees it; one that does not parse is dropped (the panels read the API again on
 * reconnect anyway). Browser-safe.
 */

export function readDiscussionMessage(decoder: decoding.Decoder): DiscussionEvent | null {
  try {
    const parsed = DiscussionEventSchema.safeParse(JSON.parse(decodeDiscussion(decoder)))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

export interface DiscussionFeed {
  /** Calls `listener` with every event; returns the unsubscribe function. */
  subscribe(listener: (event: DiscussionEvent) => void): () => void
  destroy(): void
}

export function attachDiscussion(provider: WebsocketProvider): DiscussionFeed {
  const listeners = new Set<(event: DiscussionEvent) => void>()
  const stopHandling = handleMessages(provider, MessageType.discussion, (decoder) => {
    const event = readDiscussionMessage(decoder)
    if (event === null) return
    for (const listener of listeners) listener(event)
  })
  return {
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    destroy() {
      stopHandling()
      listeners.clear()
    },
  }
}
