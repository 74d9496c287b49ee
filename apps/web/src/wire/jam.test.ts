import * as decoding from 'lib0/decoding'
import { describe, expect, it } from 'vitest'
import { MessageType } from './collab'
import {
  decodeClockPong,
  decodeJamNote,
  decodeJamState,
  encodeClockPong,
  encodeJamNote,
  encodeJamState,
  type JamNote,
  type JamState,
} from './jam'

const body = (frame: Uint8Array, type: number) => {
  const d = decoding.createDecoder(frame)
  expect(decoding.readVarUint(d)).toBe(type)
  return d
}

describe('jam wire messages', () => {
  it('round-trip a note, a jam state and a clock answer exactly (float64 times)', () => {
    const note: JamNote = {
      on: true,
      pitch: 64,
      velocity: 100,
      trackId: 'track-1',
      tick: 1920.123456,
      at: 1_765_000_000_123.456,
      player: { id: 'u1', name: 'Ada' },
    }
    expect(decodeJamNote(body(encodeJamNote(note), MessageType.jamNote))).toEqual(note)
    const state: JamState = {
      running: true,
      startAt: 1_765_000_001_000.25,
      startBar: 8,
      bpm: 97.5,
      beatsPerBar: 3,
      mode: 'live',
      intervalBars: 4,
      by: { id: 'u1', name: 'Ada' },
    }
    expect(decodeJamState(body(encodeJamState(state), MessageType.jamState))).toEqual(state)
    expect(decodeJamState(body(encodeJamState({ running: false }), MessageType.jamState))).toEqual({
      running: false,
    })
    const pong = { id: 3, clientSent: 12.5, serverReceived: 1e12 + 0.25, serverSent: 1e12 + 0.5 }
    expect(decodeClockPong(body(encodeClockPong(pong), MessageType.clockPong))).toEqual(pong)
  })

  it('refuse what is out of range: pitch, track id, interval, tempo, time', () => {
    const ok: JamNote = {
      on: false,
      pitch: 1,
      velocity: 0,
      trackId: 't',
      tick: 0,
      at: 0,
      player: { id: '', name: '' },
    }
    const bad: Partial<JamNote>[] = [
      { pitch: 128 },
      { velocity: 200 },
      { trackId: '' },
      { trackId: 'x'.repeat(65) },
      { tick: -1 },
      { tick: Number.NaN },
      { at: Number.POSITIVE_INFINITY },
    ]
    for (const change of bad)
      expect(decodeJamNote(body(encodeJamNote({ ...ok, ...change }), MessageType.jamNote))).toBeNull()
    const start: JamState = {
      running: true,
      startAt: 0,
      startBar: 0,
      bpm: 120,
      beatsPerBar: 4,
      mode: 'interval',
      intervalBars: 1,
      by: { id: '', name: '' },
    }
    const badStarts = [{ intervalBars: 3 }, { bpm: 5 }, { beatsPerBar: 0 }, { startAt: Number.NaN }]
    for (const change of badStarts)
      expect(
        decodeJamState(body(encodeJamState({ ...start, ...change } as JamState), MessageType.jamState)),
      ).toBeNull()
  })
})
