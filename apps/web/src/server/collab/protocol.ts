import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { CloseCode, MessageType, SyncType } from '../../wire/collab'
import { decodeClockPing, decodeJamNote, decodeJamState, type JamNote, type JamState } from '../../wire/jam'

/**
 * The server's side of the y-websocket wire protocol (y-protocols sync + awareness): client frames
 * parsed into plain values, and the frames the server sends. Parsing is total: every byte sequence
 * yields either a message or a `malformed` result with a reason, so a hostile frame can never throw
 * into the server. The message types, close codes and the "saved" message are the wire module's
 * (`wire/collab.ts`, shared with the browser), re-exported here for the server's modules.
 * See docs/PROTOCOL.md.
 */

export {
  CloseCode,
  encodeAssetStored,
  encodeDiscussion,
  encodeSaved,
  MessageType,
  mergeSaved,
  type SavedClocks,
  SyncType,
} from '../../wire/collab'

export type IncomingMessage =
  | { kind: 'sync-step1'; stateVector: Uint8Array }
  | { kind: 'sync-step2'; update: Uint8Array }
  | { kind: 'sync-update'; update: Uint8Array }
  | { kind: 'awareness'; entries: AwarenessEntry[] }
  | { kind: 'query-awareness' }
  | { kind: 'clock-ping'; id: number; clientSent: number }
  | { kind: 'jam-state'; state: JamState }
  | { kind: 'jam-note'; note: JamNote }
  | { kind: 'malformed'; code: number; reason: string }

const malformed = (reason: string): IncomingMessage => ({
  kind: 'malformed',
  code: CloseCode.malformed,
  reason,
})
const invalid = (reason: string): IncomingMessage => ({
  kind: 'malformed',
  code: CloseCode.invalidUpdate,
  reason,
})

/** Parses one client frame and validates its payload (update / state vector / awareness). */
export function parseMessage(data: Uint8Array): IncomingMessage {
  let message: IncomingMessage
  try {
    const decoder = decoding.createDecoder(data)
    message = readMessage(decoder)
    if (message.kind !== 'malformed' && decoding.hasContent(decoder)) return malformed('trailing bytes')
  } catch {
    // lib0 throws on truncated varints and out-of-range reads.
    return malformed('truncated message')
  }
  return message.kind === 'malformed' ? message : validate(message)
}

function readMessage(decoder: decoding.Decoder): IncomingMessage {
  const type = decoding.readVarUint(decoder)
  switch (type) {
    case MessageType.sync: {
      const sub = decoding.readVarUint(decoder)
      const payload = readBytes(decoder)
      if (sub === SyncType.step1) return { kind: 'sync-step1', stateVector: payload }
      if (sub === SyncType.step2) return { kind: 'sync-step2', update: payload }
      if (sub === SyncType.update) return { kind: 'sync-update', update: payload }
      return malformed(`unknown sync message type ${sub}`)
    }
    case MessageType.awareness:
      return readAwareness(readBytes(decoder))
    case MessageType.queryAwareness:
      return { kind: 'query-awareness' }
    case MessageType.clockPing: {
      const ping = decodeClockPing(decoder)
      return ping === null ? malformed('clock ping out of range') : { kind: 'clock-ping', ...ping }
    }
    case MessageType.jamState: {
      const state = decodeJamState(decoder)
      return state === null ? malformed('jam state out of range') : { kind: 'jam-state', state }
    }
    case MessageType.jamNote: {
      const note = decodeJamNote(decoder)
      return note === null ? malformed('jam note out of range') : { kind: 'jam-note', note }
    }
    default:
      return malformed(`unknown message type ${type}`)
  }
}

/** `readVarUint8Array` with an explicit bounds check (lib0 would create an out-of-range view). */
function readBytes(decoder: decoding.Decoder): Uint8Array {
  const len = decoding.readVarUint(decoder)
  if (len > decoder.arr.length - decoder.pos) throw new RangeError('length beyond end of frame')
  return decoding.readUint8Array(decoder, len)
}

function validate(message: IncomingMessage): IncomingMessage {
  switch (message.kind) {
    case 'sync-step1':
      return attempt(() => Y.decodeStateVector(message.stateVector))
        ? message
        : invalid('corrupt state vector')
    case 'sync-step2':
    case 'sync-update':
      return isValidUpdate(message.update) ? message : invalid('corrupt document update')
    default:
      return message
  }
}

const attempt = (fn: () => unknown): boolean => {
  try {
    fn()
    return true
  } catch {
    return false
  }
}

/**
 * Decodes the whole update without touching any doc, so a corrupt update is rejected before it
 * could partially apply. `decodeUpdate` reads every struct and the delete set; `parseUpdateMeta`
 * (the room's "saved" clocks, after the apply) reads the same structs with the same reader, so it
 * cannot fail on an update that passed here.
 */
export function isValidUpdate(update: Uint8Array): boolean {
  return attempt(() => Y.decodeUpdate(update))
}

/** An awareness frame's payload, decoded in full here: the room reads each entry (`Room.acceptAwareness`). */
function readAwareness(update: Uint8Array): IncomingMessage {
  try {
    return { kind: 'awareness', entries: readAwarenessEntries(update) }
  } catch {
    return invalid('corrupt awareness update')
  }
}

/** One client's presence in an awareness update; `state` null means the client left. */
export interface AwarenessEntry {
  clientID: number
  clock: number
  state: unknown
}

/** Mirrors y-protocols' `applyAwarenessUpdate` decoding, including the JSON state. Throws if corrupt. */
export function readAwarenessEntries(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  const entries: AwarenessEntry[] = []
  for (let i = 0; i < count; i++) {
    const clientID = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    const state: unknown = JSON.parse(decoding.readVarString(decoder))
    entries.push({ clientID, clock, state })
  }
  if (decoding.hasContent(decoder)) throw new Error('trailing bytes')
  return entries
}

/** The inverse of `readAwarenessEntries`: an awareness update y-protocols applies. */
export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, entries.length)
  for (const { clientID, clock, state } of entries) {
    encoding.writeVarUint(encoder, clientID)
    encoding.writeVarUint(encoder, clock)
    encoding.writeVarString(encoder, JSON.stringify(state))
  }
  return encoding.toUint8Array(encoder)
}

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.sync)
  encoding.writeVarUint(encoder, SyncType.step1)
  encoding.writeVarUint8Array(encoder, Y.encodeStateVector(doc))
  return encoding.toUint8Array(encoder)
}

export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  return encodeStep2(Y.encodeStateAsUpdate(doc, stateVector))
}

/** Step 2 carrying an update the caller already has (the stored song of a room not yet integrated). */
export function encodeStep2(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.sync)
  encoding.writeVarUint(encoder, SyncType.step2)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

export function encodeSyncUpdate(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.sync)
  encoding.writeVarUint(encoder, SyncType.update)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.awareness)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}
