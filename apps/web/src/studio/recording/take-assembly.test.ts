import { PPQ } from '@ensemble/core'
import { describe, expect, it } from 'vitest'
import { assembleTake } from './take-assembly'
import type { TakeChunk, TakeMeta } from './take-store'

const RATE = 48_000
const CHUNK = 4864

/** 120 bpm: tick 0 sounds at audio-clock time 1 s, so a beat (480 ticks) is 0.5 s = 24 000 frames. */
const meta = (over: Partial<TakeMeta> = {}): TakeMeta => ({
  id: 't1',
  projectId: 'p',
  trackId: 'tr',
  userId: 'u',
  startedAt: '2026-12-07T14:00:00.000Z',
  sampleRate: RATE,
  channels: 1,
  inputLabel: 'Mic',
  latencyMs: 20,
  anchor: { time: 1, tick: 0, bpm: 120 },
  keep: { fromTick: PPQ, toTick: null },
  takeGroupId: null,
  stage: 'recording',
  ...over,
})

/** Chunks from frame `start` for `seconds`, each sample holding its own frame number (so tests read where it came from). */
const capture = (start: number, seconds: number): TakeChunk[] => {
  const chunks: TakeChunk[] = []
  for (let frame = start, seq = 0; frame < start + seconds * RATE; frame += CHUNK, seq++) {
    chunks.push({ seq, frame, channels: [Float32Array.from({ length: CHUNK }, (_, i) => frame + i)] })
  }
  return chunks
}

describe('assembleTake', () => {
  it('starts the clip on the record start, with the sample that arrived one round trip after it sounded', () => {
    const take = assembleTake(meta(), capture(RATE, 3))!
    expect(take.startTick).toBeCloseTo(PPQ, 6)
    // Tick 480 sounds at 1.5 s; the performer's sample arrives 20 ms later: frame 1.52 × 48 000.
    expect(take.channels[0]![0]).toBe(Math.round(1.52 * RATE))
    expect(take.gaps).toBe(0)
  })

  it('keeps only the punched region, and the order of stored chunks does not matter', () => {
    const chunks = capture(RATE, 4).reverse()
    const take = assembleTake(meta({ keep: { fromTick: PPQ * 2, toTick: PPQ * 4 } }), chunks)!
    expect(take.channels[0]!.length).toBe(RATE) // two beats at 120 bpm
    expect(take.channels[0]![0]).toBe(Math.round(2.02 * RATE))
    expect(take.startTick).toBeCloseTo(PPQ * 2, 6)
  })

  it('fills a lost chunk with silence, counts it, and keeps what came after in its place', () => {
    const chunks = capture(RATE, 3).filter((c) => c.seq !== 12)
    const take = assembleTake(meta(), chunks)!
    expect(take.gaps).toBe(1)
    const after = chunks.find((c) => c.seq === 13)!
    const at = after.frame - Math.round(1.52 * RATE)
    expect(take.channels[0]![at]).toBe(after.frame)
    expect(take.channels[0]![at - 1]).toBe(0)
  })

  it('starts where the capture began when that was after the record start (an interrupted take)', () => {
    const take = assembleTake(meta(), capture(RATE * 2, 1))!
    // Frame 96 000 arrived at 2 s and was played at 1.98 s: 0.98 s after tick 0, 940.8 ticks.
    expect(take.startTick).toBeCloseTo(940.8, 6)
  })

  it('gives nothing for an empty or fully trimmed take', () => {
    expect(assembleTake(meta(), [])).toBeNull()
    expect(assembleTake(meta({ keep: { fromTick: PPQ * 100, toTick: null } }), capture(RATE, 1))).toBeNull()
  })
})
