/** Messages between the server's main thread and the PGlite host thread, and wire framing. */

export interface HostOptions {
  /** Data directory on disk; undefined = in memory. */
  dataDir?: string
  /** A tarball from `dumpDataDir` to start from (tests clone a migrated template). */
  loadDataDir?: Uint8Array<ArrayBuffer>
}

/** Main thread → host. `connection` numbers the wire connections the main thread opened. */
export type HostRequest =
  | { kind: 'data'; connection: number; bytes: Uint8Array<ArrayBuffer> }
  | { kind: 'end'; connection: number }
  | { kind: 'dump'; id: number }
  | { kind: 'close'; id: number }

/** Host → main thread. */
export type HostReply =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'data'; connection: number; bytes: Uint8Array<ArrayBuffer> }
  | { kind: 'dumped'; id: number; tar: Uint8Array<ArrayBuffer> }
  | { kind: 'closed'; id: number }
  /** Work that threw inside the host: that connection's statement (or, without one, all) is lost. */
  | { kind: 'fault'; message: string; connection?: number }

/** Frontend 'X': the client says goodbye. Not passed to PGlite, which has no backend to end. */
export const TERMINATE = 0x58

/**
 * Splits a client's byte stream into whole PostgreSQL frontend messages. The first message of a
 * connection (startup) is an int32 length with no type byte; every later one is a type byte and
 * an int32 length that counts itself but not the type byte.
 */
export function splitWireMessages(
  bytes: Uint8Array<ArrayBuffer>,
  started: boolean,
): { messages: Uint8Array<ArrayBuffer>[]; rest: Uint8Array<ArrayBuffer> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const messages: Uint8Array<ArrayBuffer>[] = []
  let at = 0
  let isStarted = started
  for (;;) {
    const header = isStarted ? 5 : 4
    if (bytes.byteLength - at < header) break
    const length = isStarted ? 1 + view.getInt32(at + 1) : view.getInt32(at)
    if (length < header) throw new Error(`malformed PostgreSQL message (length ${length})`)
    if (bytes.byteLength - at < length) break
    messages.push(bytes.subarray(at, at + length))
    at += length
    isStarted = true
  }
  return { messages, rest: bytes.subarray(at) }
}

/** Joins byte arrays into one that owns its buffer (so it can be transferred). */
export function joinBytes(...parts: Uint8Array<ArrayBuffer>[]): Uint8Array<ArrayBuffer> {
  const present = parts.filter((p) => p.byteLength > 0)
  const only = present[0]
  if (present.length === 1 && only !== undefined && only.byteLength === only.buffer.byteLength) return only
  const out = new Uint8Array(present.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of present) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}
