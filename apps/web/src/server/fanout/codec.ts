import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { StoredPart } from '../../wire/collab'
import type { BusMessage } from './bus'

/**
 * Wire format of a bus message: the sender's instance id (so an instance ignores its own
 * messages, which pub/sub echoes back), a kind byte, then the payload. Binary, because the
 * payloads are Yjs updates; lib0 because Yjs already uses it.
 */

const kindUpdate = 0
const kindAwareness = 1
const kindAwarenessQuery = 2
const kindClosed = 3
const kindDiscussion = 4
const kindAssetStored = 5
const kindJam = 6

export function encodeBusMessage(instanceId: string, message: BusMessage): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarString(e, instanceId)
  if (message.kind === 'update') {
    encoding.writeVarUint(e, kindUpdate)
    encoding.writeVarUint(e, message.seq)
    encoding.writeVarUint8Array(e, message.update)
  } else if (message.kind === 'awareness') {
    encoding.writeVarUint(e, kindAwareness)
    encoding.writeVarUint8Array(e, message.update)
  } else if (message.kind === 'awareness-query') {
    encoding.writeVarUint(e, kindAwarenessQuery)
  } else if (message.kind === 'discussion') {
    encoding.writeVarUint(e, kindDiscussion)
    encoding.writeVarString(e, message.json)
  } else if (message.kind === 'asset-stored') {
    encoding.writeVarUint(e, kindAssetStored)
    encoding.writeVarUint(e, StoredPart[message.part])
    encoding.writeVarString(e, message.sha256)
  } else if (message.kind === 'jam') {
    encoding.writeVarUint(e, kindJam)
    encoding.writeVarUint8Array(e, message.frame)
  } else {
    encoding.writeVarUint(e, kindClosed)
  }
  return encoding.toUint8Array(e)
}

/** Null for anything that does not decode (another version, or garbage on the channel). */
export function decodeBusMessage(bytes: Uint8Array): { instanceId: string; message: BusMessage } | null {
  try {
    const d = decoding.createDecoder(bytes)
    const instanceId = decoding.readVarString(d)
    const kind = decoding.readVarUint(d)
    if (kind === kindUpdate) {
      const seq = decoding.readVarUint(d)
      const update = decoding.readVarUint8Array(d)
      if (decoding.hasContent(d)) return null
      return { instanceId, message: { kind: 'update', seq, update } }
    }
    if (kind === kindAwareness) {
      const update = decoding.readVarUint8Array(d)
      if (decoding.hasContent(d)) return null
      return { instanceId, message: { kind: 'awareness', update } }
    }
    if (kind === kindAwarenessQuery) {
      if (decoding.hasContent(d)) return null
      return { instanceId, message: { kind: 'awareness-query' } }
    }
    if (kind === kindDiscussion) {
      const json = decoding.readVarString(d)
      if (decoding.hasContent(d)) return null
      return { instanceId, message: { kind: 'discussion', json } }
    }
    if (kind === kindAssetStored) {
      const code = decoding.readVarUint(d)
      const sha256 = decoding.readVarString(d)
      const part = code === StoredPart.audio ? 'audio' : code === StoredPart.peaks ? 'peaks' : null
      if (part === null || decoding.hasContent(d)) return null
      return { instanceId, message: { kind: 'asset-stored', part, sha256 } }
    }
    if (kind === kindJam) {
      const frame = decoding.readVarUint8Array(d)
      if (decoding.hasContent(d)) return null
      return { instanceId, message: { kind: 'jam', frame } }
    }
    if (kind === kindClosed) {
      if (decoding.hasContent(d)) return null
      return { instanceId, message: { kind: 'closed' } }
    }
    return null
  } catch {
    return null
  }
}
