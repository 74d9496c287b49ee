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

export interface JamLinkEvents {
  pong: (pong: ClockPong, receivedAt: number) => void
  state: (state: JamState) => void
  note: (note: JamNote, receivedAt: number) => void
  notice: (notice: JamNotice) => void
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
  const read =
    <T>(decode: (d: decoding.Decoder) => T | null, deliver: (value: T, receivedAt: number) => void) =>
    (d: decoding.Decoder) => {
      const receivedAt = now()
      let value: T | null = null
      try {
        value = decode(d)
      } catch {
        value = null
      }
      if (value !== null) deliver(value, receivedAt)
    }
  const stops = [
    handleMessages(
      provider,
      MessageType.clockPong,
      read(decodeClockPong, (p, at) => {
        for (const l of listeners.pong) l(p, at)
      }),
    ),
    handleMessages(
      provider,
      MessageType.jamState,
      read(decodeJamState, (s) => {
        for (const l of listeners.state) l(s)
      }),
    ),
    handleMessages(
      provider,
      MessageType.jamNote,
      read(decodeJamNote, (n, at) => {
        for (const l of listeners.note) l(n, at)
      }),
    ),
    handleMessages(
      provider,
      MessageType.jamNotice,
      read(decodeJamNotice, (n) => {
        for (const l of listeners.notice) l(n)
      }),
    ),
  ]
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
