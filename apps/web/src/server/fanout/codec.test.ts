import { describe, expect, it } from 'vitest'
import { decodeBusMessage, encodeBusMessage } from './codec'

describe('bus message codec', () => {
  it('round-trips updates (with their seq) and awareness', () => {
    const update = { kind: 'update', seq: 123456789, update: new Uint8Array([1, 2, 3]) } as const
    expect(decodeBusMessage(encodeBusMessage('i-1', update))).toEqual({ instanceId: 'i-1', message: update })
    const awareness = { kind: 'awareness', update: new Uint8Array([9]) } as const
    expect(decodeBusMessage(encodeBusMessage('i-2', awareness))).toEqual({
      instanceId: 'i-2',
      message: awareness,
    })
  })

  it('round-trips the awareness query of a replica that just loaded a room, and a deleted project', () => {
    const query = { kind: 'awareness-query' } as const
    expect(decodeBusMessage(encodeBusMessage('i-3', query))).toEqual({ instanceId: 'i-3', message: query })
    const closed = { kind: 'closed' } as const
    expect(decodeBusMessage(encodeBusMessage('i-4', closed))).toEqual({ instanceId: 'i-4', message: closed })
  })

  it('round-trips a conversation event', () => {
    const discussion = { kind: 'discussion', json: '{"type":"chat","body":"ça va? 🎸"}' } as const
    expect(decodeBusMessage(encodeBusMessage('i-5', discussion))).toEqual({
      instanceId: 'i-5',
      message: discussion,
    })
  })

  it('round-trips an asset stored for a song (audio or peaks)', () => {
    for (const part of ['audio', 'peaks'] as const) {
      const stored = { kind: 'asset-stored', part, sha256: 'ab'.repeat(32) } as const
      expect(decodeBusMessage(encodeBusMessage('i-6', stored))).toEqual({
        instanceId: 'i-6',
        message: stored,
      })
    }
  })

  it('anything else decodes to null, never throws', () => {
    const good = encodeBusMessage('i', { kind: 'update', seq: 1, update: new Uint8Array([1]) })
    expect(decodeBusMessage(good.slice(0, good.length - 1))).toBeNull()
    expect(decodeBusMessage(new Uint8Array([...good, 0]))).toBeNull()
    expect(decodeBusMessage(new Uint8Array([1, 65, 7]))).toBeNull()
    expect(decodeBusMessage(new Uint8Array([0xff, 0xff, 0xff]))).toBeNull()
  })
})
