import type * as decoding from 'lib0/decoding'
import type { WebsocketProvider } from 'y-websocket'

/**
 * Reads Ensemble's own message types (saved, discussion, asset stored: docs/PROTOCOL.md) on a y-websocket
 * provider: y-websocket dispatches a message to `messageHandlers[type]`. Browser-safe.
 */
export function handleMessages(
  provider: WebsocketProvider,
  type: number,
  read: (decoder: decoding.Decoder) => void,
): () => void {
  const handler = (_encoder: unknown, decoder: decoding.Decoder) => read(decoder)
  // Per-instance array (y-websocket copies it in the constructor): other providers are unaffected.
  const handlers = provider.messageHandlers as unknown as (typeof handler | undefined)[]
  handlers[type] = handler
  return () => {
    if (handlers[type] === handler) delete handlers[type]
  }
}
