import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { encodeFrame, MessageType } from './collab'

/**
 * The live-jam messages of the collab connection (types 103–107, docs/PROTOCOL.md "Live jam"), shared by the
 * server (`server/collab/jam.ts`) and the browser (`client/collab/jam-link.ts`). Only `jam=1` connections
 * send or receive them. Times are milliseconds as float64: a client's own clock (`performance.now()`
 * based) in a ping, the server's clock (`performance.timeOrigin + performance.now()`, epoch based, so
 * instances agree) everywhere else. Musical time is the song tick (core's PPQ 480) as float64.
 * Decoders return null for anything out of range; the caller treats that as a malformed frame.
 * Browser-safe: lib0 only.
 */

/** How a jam sounds the others: as they come (jitter-buffered), or one whole interval later (NINJAM). */
export type JamMode = 'live' | 'interval'
const modeCode: Record<JamMode, number> = { live: 0, interval: 1 }

/** The interval lengths, in bars, that an interval jam may use. */
export const INTERVAL_BARS = [1, 2, 4] as const
export type IntervalBars = (typeof INTERVAL_BARS)[number]

/** Bounds the server enforces on what a client sends (and the client keeps to). */
export const JamBounds = {
  maxTrackIdLength: 64,
  maxTick: 480 * 4 * 10_000,
  minBpm: 20,
  maxBpm: 400,
  maxBeatsPerBar: 16,
  maxStartBar: 10_000,
  /** A jam may be set to start at most this far from the server's now (ms). */
  maxStartLeadMs: 60_000,
} as const

export interface JamStart {
  /** Server-clock ms at which bar `startBar` begins at every member's browser. */
  startAt: number
  /** Zero-based bar the song plays from. */
  startBar: number
  bpm: number
  beatsPerBar: number
  mode: JamMode
  intervalBars: IntervalBars
}

/** The room's jam: not running, or running since `startAt`. `by` is set by the server (empty from clients). */
export type JamState = { running: false } | ({ running: true; by: JamPlayer } & JamStart)

export interface JamPlayer {
  id: string
  name: string
}

export interface JamNote {
  on: boolean
  pitch: number
  velocity: number
  trackId: string
  /** The song tick at which the player played it, on the player's own transport. */
  tick: number
  /** Server-clock ms at which it was played (the player's estimate through its clock sync). */
  at: number
  /** Who played it: set by the server; a client sends empty strings. */
  player: JamPlayer
}

export interface ClockPong {
  id: number
  /** The client's send time, echoed. */
  clientSent: number
  serverReceived: number
  serverSent: number
}

/** What the server did with a client's jam messages. */
export type JamNotice = { kind: 'notes-dropped'; count: number }

export const noPlayer: JamPlayer = { id: '', name: '' }

export function encodeClockPing(id: number, clientSent: number): Uint8Array {
  return encodeFrame(MessageType.clockPing, (e) => {
    encoding.writeVarUint(e, id)
    encoding.writeFloat64(e, clientSent)
  })
}

export function decodeClockPing(d: decoding.Decoder): { id: number; clientSent: number } | null {
  const id = decoding.readVarUint(d)
  const clientSent = decoding.readFloat64(d)
  return Number.isFinite(clientSent) ? { id, clientSent } : null
}

export function encodeClockPong(pong: ClockPong): Uint8Array {
  return encodeFrame(MessageType.clockPong, (e) => {
    encoding.writeVarUint(e, pong.id)
    encoding.writeFloat64(e, pong.clientSent)
    encoding.writeFloat64(e, pong.serverReceived)
    encoding.writeFloat64(e, pong.serverSent)
  })
}

export function decodeClockPong(d: decoding.Decoder): ClockPong | null {
  const id = decoding.readVarUint(d)
  const clientSent = decoding.readFloat64(d)
  const serverReceived = decoding.readFloat64(d)
  const serverSent = decoding.readFloat64(d)
  return [clientSent, serverReceived, serverSent].every(Number.isFinite)
    ? { id, clientSent, serverReceived, serverSent }
    : null
}

export function encodeJamState(state: JamState): Uint8Array {
  return encodeFrame(MessageType.jamState, (e) => {
    encoding.writeVarUint(e, state.running ? 1 : 0)
    if (state.running) {
      encoding.writeFloat64(e, state.startAt)
      encoding.writeVarUint(e, state.startBar)
      encoding.writeFloat64(e, state.bpm)
      encoding.writeVarUint(e, state.beatsPerBar)
      encoding.writeVarUint(e, modeCode[state.mode])
      encoding.writeVarUint(e, state.intervalBars)
      encoding.writeVarString(e, state.by.id)
      encoding.writeVarString(e, state.by.name)
    }
  })
}

export function decodeJamState(d: decoding.Decoder): JamState | null {
  const running = decoding.readVarUint(d)
  if (running === 0) return { running: false }
  if (running !== 1) return null
  const startAt = decoding.readFloat64(d)
  const startBar = decoding.readVarUint(d)
  const bpm = decoding.readFloat64(d)
  const beatsPerBar = decoding.readVarUint(d)
  const mode = decoding.readVarUint(d)
  const intervalBars = decoding.readVarUint(d)
  const id = decoding.readVarString(d)
  const name = decoding.readVarString(d)
  if (!Number.isFinite(startAt) || startBar > JamBounds.maxStartBar) return null
  if (!(bpm >= JamBounds.minBpm && bpm <= JamBounds.maxBpm)) return null
  if (beatsPerBar < 1 || beatsPerBar > JamBounds.maxBeatsPerBar) return null
  if (mode !== 0 && mode !== 1) return null
  if (!(INTERVAL_BARS as readonly number[]).includes(intervalBars)) return null
  return {
    running: true,
    startAt,
    startBar,
    bpm,
    beatsPerBar,
    mode: mode === 0 ? 'live' : 'interval',
    intervalBars: intervalBars as IntervalBars,
    by: { id, name },
  }
}

export function encodeJamNote(note: JamNote): Uint8Array {
  return encodeFrame(MessageType.jamNote, (e) => {
    encoding.writeVarUint(e, note.on ? 1 : 0)
    encoding.writeVarUint(e, note.pitch)
    encoding.writeVarUint(e, note.velocity)
    encoding.writeVarString(e, note.trackId)
    encoding.writeFloat64(e, note.tick)
    encoding.writeFloat64(e, note.at)
    encoding.writeVarString(e, note.player.id)
    encoding.writeVarString(e, note.player.name)
  })
}

export function decodeJamNote(d: decoding.Decoder): JamNote | null {
  const on = decoding.readVarUint(d)
  const pitch = decoding.readVarUint(d)
  const velocity = decoding.readVarUint(d)
  const trackId = decoding.readVarString(d)
  const tick = decoding.readFloat64(d)
  const at = decoding.readFloat64(d)
  const id = decoding.readVarString(d)
  const name = decoding.readVarString(d)
  if (on > 1 || pitch > 127 || velocity > 127) return null
  if (trackId.length === 0 || trackId.length > JamBounds.maxTrackIdLength) return null
  if (!(tick >= 0 && tick <= JamBounds.maxTick) || !Number.isFinite(at)) return null
  return { on: on === 1, pitch, velocity, trackId, tick, at, player: { id, name } }
}

export function encodeJamNotice(notice: JamNotice): Uint8Array {
  return encodeFrame(MessageType.jamNotice, (e) => {
    encoding.writeVarUint(e, 0)
    encoding.writeVarUint(e, notice.count)
  })
}

export function decodeJamNotice(d: decoding.Decoder): JamNotice | null {
  const kind = decoding.readVarUint(d)
  const count = decoding.readVarUint(d)
  return kind === 0 ? { kind: 'notes-dropped', count } : null
}
