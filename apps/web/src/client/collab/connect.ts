import { WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import { attachSavedStatus, type SavedStatus } from './saved-status'

export interface ConnectSongOptions {
  /** Collab base URL, e.g. `ws://localhost:3000/collab`. */
  url: string
  projectId: string
  /** Room token from the web API (sent as the `token` query parameter). */
  token: string
  doc: Y.Doc
  /** `ws` in Node; the browser's WebSocket by default. */
  WebSocketPolyfill?: typeof WebSocket
  /** Defaults to true. */
  connect?: boolean
}

export interface SongConnection {
  provider: WebsocketProvider
  saved: SavedStatus
  destroy(): void
}

/** Opens a song's room with the saved-status wiring. Browser-safe. */
export function connectSong(options: ConnectSongOptions): SongConnection {
  const provider = new WebsocketProvider(options.url, options.projectId, options.doc, {
    params: { token: options.token },
    connect: options.connect ?? true,
    // Cross-tab sync would bypass the server's durable acknowledgement; one path keeps it honest.
    disableBc: true,
    ...(options.WebSocketPolyfill !== undefined ? { WebSocketPolyfill: options.WebSocketPolyfill } : {}),
  })
  const saved = attachSavedStatus(provider)
  return {
    provider,
    saved,
    destroy() {
      saved.destroy()
      provider.destroy()
    },
  }
}
