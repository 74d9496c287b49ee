import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'

/**
 * The y-websocket wire protocol (y-protocols sync + awareness) as plain values, plus Ensemble's
 * "saved" message. Parsing is total: every byte sequence yields either a message or a
 * `malformed` result with a reason, so a hostile frame can never throw into the server.
 * See docs/PROTOCOL.md.
 */

export const MessageType = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
  /** Ensemble extension, server → client only. */
  saved: 100,
  /** Ensemble extension, server → client only: a song's comments and chat changed (JSON event). */
  discussion: 101,
} as const

export const SyncType = { step1: 0, step2: 1, update: 2 } as const

/** WebSocket close codes used by the collab server (documented in docs/PROTOCOL.md). */
export const CloseCode = {
  /** Server shutting down or room unloading: reconnect. */
  goingAway: 1001,
  /** Frame above `maxPayload` (sent by `ws` itself). */
  tooLarge: 1009,
  /** Unexpected server error: reconnect. */
  internalError: 1011,
  /** This user's role in the project changed: reconnect (the new role applies) and fetch a new token. */
  roleChanged: 4001,
  /** Removed from the project, or the project was deleted: do not reconnect. */
  accessRevoked: 4403,
  /** Undecodable frame: bad varint, truncated, trailing bytes, unknown message type. */
  malformed: 4400,
  /** A well-formed frame carrying a Yjs update or awareness update that does not decode. */
  invalidUpdate: 4422,
  /** Message rate limit exceeded. */
  rateLimited: 4429,
} as const

export type IncomingMessage =
  | { kind: 'sync-step1'; stateVector: Uint8Array }
  | { kind: 'sync-step2'; update: Uint8Array }
  | { kind: 'sync-update'; update: Uint8Array }
  | { kind: 'awareness'; entries: AwarenessEntry[] }
  | { kind: 'query-awareness' }
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

/** "Everything of `clientID` with a clock below `clock` is stored." */
export type SavedClocks = ReadonlyMap<number, number>

export function encodeSaved(saved: SavedClocks): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.saved)
  encoding.writeVarUint(encoder, saved.size)
  for (const [client, clock] of saved) {
    encoding.writeVarUint(encoder, client)
    encoding.writeVarUint(encoder, clock)
  }
  return encoding.toUint8Array(encoder)
}

/** Adds `b` into `a`, keeping the highest clock per client. */
export function mergeSaved(a: Map<number, number>, b: SavedClocks): Map<number, number> {
  for (const [client, clock] of b) a.set(client, Math.max(a.get(client) ?? 0, clock))
  return a
}

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.sync)
  encoding.writeVarUint(encoder, SyncType.step1)
  encoding.writeVarUint8Array(encoder, Y.encodeStateVector(doc))
  return encoding.toUint8Array(encoder)
}

export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.sync)
  encoding.writeVarUint(encoder, SyncType.step2)
  encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(doc, stateVector))
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

/**
 * A conversation event (`src/discussion/events.ts`), as JSON: sent only to clients that asked with
 * `discussion=1`, as a plain y-websocket client would log an unknown type.
 */
export function encodeDiscussion(json: string): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.discussion)
  encoding.writeVarString(encoder, json)
  return encoding.toUint8Array(encoder)
}
