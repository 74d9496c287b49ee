import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/**
 * The collab connection's wire format, shared by the server (`server/collab/`) and the browser
 * (`client/collab/`, the studio's session): message types, Ensemble's "saved" message, the URL
 * parameters a client opts in with, and the close codes. One copy, so the two sides cannot drift;
 * a new message type (comments, live jam events) is added here once and both sides import it.
 * Browser-safe: lib0 only, no Node imports. See docs/PROTOCOL.md.
 *
 * The server's parsing of client frames (total, never throws) lives in `server/collab/protocol.ts`.
 */

/** The first varint of every frame. 0–3 are y-protocols'; Ensemble's extensions start at 100. */
export const MessageType = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
  /** Ensemble extension, server → client only: which edits are stored (`encodeSaved`). */
  saved: 100,
  /**
   * Ensemble extension, server → client only: a song's comments or chat changed (`encodeDiscussion`; one
   * JSON event, validated by the client against `discussion/events.ts`). Sent to `discussion=1` clients.
   */
  discussion: 101,
  /**
   * Ensemble extension, server → client only: an asset's audio or peaks were stored for the song
   * (`encodeAssetStored`). Sent to `assets=1` clients, so they fetch what they wait for at once.
   */
  assetStored: 102,
  /** Live jam (`jam=1` clients, `wire/jam.ts`), client → server: a clock probe (NTP-style). */
  clockPing: 103,
  /** Live jam, server → client: the answer to a probe, with the server's receive and send times. */
  clockPong: 104,
  /** Live jam, both ways: start or stop the room's jam (client: a command; server: the room's jam now). */
  jamState: 105,
  /** Live jam, both ways: one live note on or off with its musical time; relayed, never stored. */
  jamNote: 106,
  /** Live jam, server → client: something the server did with this client's jam messages (notes dropped). */
  jamNotice: 107,
} as const

/** The second varint of a sync frame (y-protocols' sync steps). */
export const SyncType = { step1: 0, step2: 1, update: 2 } as const

/**
 * Query parameters of the collab URL (`/collab/<projectId>?token=…&saved=1`). `saved=1` asks for
 * the "saved" message: without it the server is a plain y-websocket server, since a stock
 * y-websocket 1.x client logs every message type it does not know.
 */
export const CollabParam = {
  token: 'token',
  saved: 'saved',
  discussion: 'discussion',
  assets: 'assets',
  /** `jam=1`: the client speaks the live-jam messages (103–107); without it it is sent none. */
  jam: 'jam',
} as const

/** WebSocket close codes used by the collab server. */
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
  /**
   * An editor's update wrote what only the server writes: a proposal, or AI provenance without the server's
   * seal (`server/collab/write-rules.ts`). Not applied; do not reconnect with the same doc.
   */
  refusedWrite: 4406,
  /** Message rate limit exceeded. */
  rateLimited: 4429,
} as const

/** A whole frame of one of Ensemble's message types: the type varint, then the body `write` puts after it. */
export function encodeFrame(type: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, type)
  write(encoder)
  return encoding.toUint8Array(encoder)
}

/** "Everything of `clientID` with a clock below `clock` is stored." */
export type SavedClocks = ReadonlyMap<number, number>

/** A whole "saved" frame: type 100, a count, then (clientID, clock) pairs, all varuints. */
export function encodeSaved(saved: SavedClocks): Uint8Array {
  return encodeFrame(MessageType.saved, (encoder) => {
    encoding.writeVarUint(encoder, saved.size)
    for (const [client, clock] of saved) {
      encoding.writeVarUint(encoder, client)
      encoding.writeVarUint(encoder, clock)
    }
  })
}

/** Reads a "saved" frame's body, the decoder standing after the message type. Throws if truncated. */
export function decodeSaved(decoder: decoding.Decoder): Map<number, number> {
  const saved = new Map<number, number>()
  const count = decoding.readVarUint(decoder)
  for (let i = 0; i < count; i++) {
    const client = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    saved.set(client, clock)
  }
  return saved
}

/** Adds `b` into `a`, keeping the highest clock per client. */
export function mergeSaved(a: Map<number, number>, b: SavedClocks): Map<number, number> {
  for (const [client, clock] of b) a.set(client, Math.max(a.get(client) ?? 0, clock))
  return a
}

/** Message type 101: one discussion event as JSON text (the server has already validated and stored it). */
export function encodeDiscussion(json: string): Uint8Array {
  return encodeFrame(MessageType.discussion, (encoder) => encoding.writeVarString(encoder, json))
}

/** The JSON text of a type 101 message whose type varint was already read. */
export function decodeDiscussion(decoder: decoding.Decoder): string {
  return decoding.readVarString(decoder)
}

/** What of an asset a type 102 message says is stored: the audio itself, or its peaks (which come first). */
export const StoredPart = { audio: 0, peaks: 1 } as const
export type StoredPart = keyof typeof StoredPart

/** Message type 102: `varuint part, varString sha256` (the server sends it only after the commit). */
export function encodeAssetStored(part: StoredPart, sha256: string): Uint8Array {
  return encodeFrame(MessageType.assetStored, (encoder) => {
    encoding.writeVarUint(encoder, StoredPart[part])
    encoding.writeVarString(encoder, sha256)
  })
}

/** A type 102 body, the decoder standing after the type; null when it is not one (a newer server's part). */
export function decodeAssetStored(decoder: decoding.Decoder): { part: StoredPart; sha256: string } | null {
  const code = decoding.readVarUint(decoder)
  const sha256 = decoding.readVarString(decoder)
  const part = code === StoredPart.audio ? 'audio' : code === StoredPart.peaks ? 'peaks' : null
  if (part === null || !/^[0-9a-f]{64}$/.test(sha256)) return null
  return { part, sha256 }
}
