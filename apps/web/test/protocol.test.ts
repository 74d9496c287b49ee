import * as decoding from 'lib0/decoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { computeStatus } from '../src/client/collab'
import { TokenBucket } from '../src/server/collab/limits'
import {
  CloseCode,
  encodeSaved,
  encodeSyncUpdate,
  MessageType,
  parseMessage,
} from '../src/server/collab/protocol'
import { savedClocksAfter } from '../src/server/collab/room'
import { signRoomToken, verifyRoomToken } from '../src/server/collab/tokens'
import { decodeSaved } from '../src/wire/collab'

describe('collab protocol', () => {
  it('saved messages round-trip through the wire module the client reads them with', () => {
    const bytes = encodeSaved(
      new Map([
        [1, 5],
        [2 ** 31, 123456],
      ]),
    )
    const decoder = decoding.createDecoder(bytes)
    expect(decoding.readVarUint(decoder)).toBe(MessageType.saved)
    expect([...decodeSaved(decoder)]).toEqual([
      [1, 5],
      [2 ** 31, 123456],
    ])
  })

  it('parses a valid update and rejects the same update with a bit flipped in a length', () => {
    const doc = new Y.Doc()
    doc.getMap('m').set('k', 'v')
    const update = Y.encodeStateAsUpdate(doc)
    expect(parseMessage(encodeSyncUpdate(update)).kind).toBe('sync-update')
    const truncated = parseMessage(encodeSyncUpdate(update.slice(0, update.length - 3)))
    expect(truncated).toMatchObject({ kind: 'malformed', code: CloseCode.invalidUpdate })
  })

  it('saved clocks never run ahead of what the doc integrated, and cover pending structs once integrated', () => {
    const source = new Y.Doc()
    const map = source.getMap('m')
    map.set('a', 1)
    const first = Y.encodeStateAsUpdate(source)
    const sv = Y.encodeStateVector(source)
    map.set('b', 2)
    const second = Y.encodeStateAsUpdate(source, sv)
    const server = new Y.Doc()
    Y.applyUpdate(server, second) // depends on `first`: stays pending
    expect(savedClocksAfter(server, second).get(source.clientID) ?? 0).toBe(0)
    Y.applyUpdate(server, first)
    expect(savedClocksAfter(server, first).get(source.clientID)).toBe(2)
  })

  it('status rule: offline beats everything, then saved iff the saved clock covers the local one', () => {
    expect(computeStatus(false, 0, 0)).toBe('offline')
    expect(computeStatus(true, 3, 2)).toBe('saving')
    expect(computeStatus(true, 3, 3)).toBe('saved')
  })

  it('token bucket allows a burst, then the refill rate', () => {
    const bucket = new TokenBucket(10, 3, 0)
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([
      true,
      true,
      true,
      false,
    ])
    expect(bucket.take(100)).toBe(true) // 0.1 s at 10/s = one token
    expect(bucket.take(100)).toBe(false)
  })

  it('room tokens verify, and report the failure kind', async () => {
    const token = await signRoomToken({ sub: 'u', project: 'p', role: 'viewer' }, { secret: 's' })
    expect(await verifyRoomToken(token, 'p', 's')).toEqual({
      ok: true,
      claims: { sub: 'u', project: 'p', role: 'viewer' },
    })
    expect(await verifyRoomToken(token, 'q', 's')).toMatchObject({ ok: false, status: 403 })
    expect(await verifyRoomToken(token, 'p', 'other')).toMatchObject({ ok: false, status: 401 })
    expect(await verifyRoomToken(null, 'p', 's')).toMatchObject({ ok: false, status: 401 })
  })
})
