import type { encoding } from 'lib0'
import type * as decoding from 'lib0/decoding'
import type { WebsocketProvider } from 'y-websocket'
import { type DiscussionEvent, DiscussionEventSchema } from '../../discussion/events'
import { decodeDiscussion, MessageType } from '../../wire/collab'

/**
 * The client side of message type 101 ("discussion", docs/PROTOCOL.md): a song's comments or chat changed.
 * The server sends it only to connections that asked (`discussion=1`, set by `connectSong`). Each event is
 * validated before anyone sees it; one that does not parse is dropped (the panels read the API again on
 * reconnect anyway). Browser-safe.
 */

type MessageHandler = (
  encoder: encoding.Encoder,
  decoder: decoding.Decoder,
  provider: WebsocketProvider,
  emitSynced: boolean,
  messageType: number,
) => void

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
  const handler: MessageHandler = (_encoder, decoder) => {
    const event = readDiscussionMessage(decoder)
    if (event === null) return
    for (const listener of listeners) listener(event)
  }
  // Per-instance array (y-websocket copies it in the constructor): other providers are unaffected.
  const handlers = provider.messageHandlers as MessageHandler[]
  handlers[MessageType.discussion] = handler
  return {
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    destroy() {
      if (handlers[MessageType.discussion] === handler) delete handlers[MessageType.discussion]
      listeners.clear()
    },
  }
}
