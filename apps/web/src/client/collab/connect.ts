import { IndexeddbPersistence } from 'y-indexeddb'
import { WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import { CollabParam } from '../../wire/collab'
import { type AssetFeed, attachAssetFeed } from './asset-stored'
import { attachDiscussion, type DiscussionFeed } from './discussion'
import { attachJamLink, type JamLink } from './jam-link'
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
  /**
   * Keep a copy of the song in IndexedDB (y-indexeddb), so edits made offline survive closing the tab and
   * merge when the song is next opened online. Defaults to true where IndexedDB exists (browsers).
   */
  persist?: boolean
}

export interface SongConnection {
  provider: WebsocketProvider
  saved: SavedStatus
  /** The song's comments and chat as they change (message type 101). */
  discussion: DiscussionFeed
  /** Assets' audio and peaks as they are stored for the song (message type 102). */
  assets: AssetFeed
  /** The live jam's messages (types 103–107): clock probes, jam state, live notes. */
  jam: JamLink
  /** The browser's own copy of the song, when persisted. */
  local: IndexeddbPersistence | null
  destroy(): void
}

/** Opens a song's room with the saved-status wiring. Browser-safe. */
export function connectSong(options: ConnectSongOptions): SongConnection {
  const provider = new WebsocketProvider(options.url, options.projectId, options.doc, {
    // saved=1 / discussion=1 / assets=1: the server sends "saved" (type 100), conversation events (101) and
    // "asset stored" (102) only to clients that ask; `attachSavedStatus`, `attachDiscussion` and
    // `attachAssetFeed` read them.
    params: {
      [CollabParam.token]: options.token,
      [CollabParam.saved]: '1',
      [CollabParam.discussion]: '1',
      [CollabParam.assets]: '1',
      // jam=1: the live-jam messages (103–107), read by `attachJamLink`; the server sends them only on asking.
      [CollabParam.jam]: '1',
    },
    connect: options.connect ?? true,
    // Cross-tab sync would bypass the server's durable acknowledgement; one path keeps it honest.
    disableBc: true,
    ...(options.WebSocketPolyfill !== undefined ? { WebSocketPolyfill: options.WebSocketPolyfill } : {}),
  })
  const saved = attachSavedStatus(provider)
  const discussion = attachDiscussion(provider)
  const assets = attachAssetFeed(provider)
  const jam = attachJamLink(provider)
  const persist = options.persist ?? typeof indexedDB !== 'undefined'
  // Every local update is written to IndexedDB as it happens; what the server never acknowledged is sent
  // again on the next sync, as CRDT updates merge in any order.
  const local = persist ? new IndexeddbPersistence(`ensemble-song-${options.projectId}`, options.doc) : null
  // A socket can sit half-dead for a long time after the network goes; when the browser knows it is offline,
  // drop the socket at once (the indicator says Offline, edits go to IndexedDB) and reconnect when it is back.
  const online = () => provider.connect()
  const offline = () => provider.disconnect()
  const wantsConnection = options.connect ?? true
  if (typeof window !== 'undefined' && wantsConnection) {
    window.addEventListener('online', online)
    window.addEventListener('offline', offline)
  }
  return {
    provider,
    saved,
    discussion,
    assets,
    jam,
    local,
    destroy() {
      if (typeof window !== 'undefined') {
        window.removeEventListener('online', online)
        window.removeEventListener('offline', offline)
      }
      saved.destroy()
      discussion.destroy()
      assets.destroy()
      jam.destroy()
      provider.destroy()
      // y-websocket leaves the Awareness it made running (its 3 s timeout check), one per song left.
      provider.awareness.destroy()
      // Closes the database; the stored copy stays for next time.
      void local?.destroy()
    },
  }
}
