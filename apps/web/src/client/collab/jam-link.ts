import type * as decoding from 'lib0/decoding'
import type { WebsocketProvider } from 'y-websocket'
import { MessageType } from '../../wire/collab'
import {
  type ClockPong,
  decodeClockPong,
  decodeJamNote,
  decodeJamNotice,
  decodeJamState,
  encodeClockPing,
  encodeJamNote,
  encodeJamState,
  type JamNote,
  type JamNotice,
  type JamState,
} from '../../wire/jam'
import { handleMessages } from './message-handler'

/**
 * The client side of the live-jam messages (types 103–107, docs/PROTOCOL.md "Live jam") on the song's
 * y-websocket provider (`connectSong` asks for them with `jam=1`). Frames are decoded here; one that does not
 * decode is dropped. Sending is best effort: nothing is queued while the socket is down (a live note sent
 * late is worse than none). Browser-safe.
 */

/** What each jam frame from the server decodes to, by the event it is delivered as. */
interface Received {
  pong: ClockPong
  state: JamState
  note: JamNote
  notice: JamNotice
}

/** The frames the server sends, by event: their message type and decoder (null: malformed, dropped). */
const RECEIVED: {
  [K in keyof Received]: { type: number; decode: (d: decoding.Decoder) => Received[K] | null }
} = {
  pong: { type: MessageType.clockPong, decode: decodeClockPong },
  state: { type: MessageType.jamState, decode: decodeJamState },
  note: { type: MessageType.jamNote, decode: decodeJamNote },
  notice: { type: MessageType.jamNotice, decode: decodeJamNotice },
}

/** Every frame is delivered with the local time it was read at (the clock probe's t3, a note's arrival). */
export type JamLinkEvents = { [K in keyof Received]: (value: Received[K], receivedAt: number) => void } & {
  /** The connection (re)opened: the clock must be probed again, a jam in progress is sent anew. */
  connected: () => void
}

export interface JamLink {
  /** Whether frames can be sent now. */
  open(): boolean
  ping(id: number, clientSent: number): void
  sendState(state: JamState): void
  sendNote(note: JamNote): void
  on<K extends keyof JamLinkEvents>(event: K, listener: JamLinkEvents[K]): () => void
  destroy(): void
}

export function attachJamLink(
  provider: WebsocketProvider,
  now: () => number = () => performance.now(),
): JamLink {
  const listeners: { [K in keyof JamLinkEvents]: Set<JamLinkEvents[K]> } = {
    pong: new Set(),
    state: new Set(),
    note: new Set(),
    notice: new Set(),
    connected: new Set(),
  }
  const route = <K extends keyof Received>(event: K) =>
    handleMessages(provider, RECEIVED[event].type, (d) => {
      const receivedAt = now()
      let value: Received[K] | null = null
      try {
        value = RECEIVED[event].decode(d)
      } catch {
        value = null
      }
      if (value === null) return
      for (const l of listeners[event] as Set<(value: Received[K], receivedAt: number) => void>)
        l(value, receivedAt)
    })
  const stops = (Object.keys(RECEIVED) as (keyof Received)[]).map(route)
  const onStatus = ({ status }: { status: string }) => {
    if (status === 'connected') for (const l of listeners.connected) l()
  }
  provider.on('status', onStatus)
  const send = (bytes: Uint8Array) => {
    const ws = provider.ws
    if (ws !== null && ws.readyState === ws.OPEN) ws.send(bytes)
  }
  return {
    open: () => provider.ws !== null && provider.ws.readyState === provider.ws.OPEN,
    ping: (id, clientSent) => send(encodeClockPing(id, clientSent)),
    sendState: (state) => send(encodeJamState(state)),
    sendNote: (note) => send(encodeJamNote(note)),
    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>
      set.add(listener)
      return () => set.delete(listener)
    },
    destroy() {
      for (const stop of stops) stop()
      provider.off('status', onStatus)
      for (const set of Object.values(listeners)) set.clear()
    },
  }
}
