import { addTrack, audioClipEnd, createSongDoc, listTakes, PPQ, readTrack, UserOrigin } from '@ensemble/core'
import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { takeGroupAt } from '../audio/song-audio'
import { type AssembledTake, addTakeClip, assembleTake } from './take-assembly'
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

describe('a pass in the song', () => {
  const me = new UserOrigin('alice')
  const BAR = PPQ * 4

  /** Records one pass the way the recorder does: the group is chosen at the start, the clip added at the stop. */
  const pass = (
    doc: Y.Doc,
    trackId: string,
    keep: TakeMeta['keep'],
    chunks: TakeChunk[],
    id: string,
  ): AssembledTake => {
    const takeMeta = meta({
      id,
      trackId,
      keep,
      takeGroupId: takeGroupAt(doc, trackId, keep.fromTick, keep.toTick),
    })
    const take = assembleTake(takeMeta, chunks)!
    const frames = take.channels[0]!.length
    addTakeClip(doc, me, takeMeta, take, {
      hash: id.repeat(64),
      name: `Take ${id}`,
      format: 'wav',
      sampleRate: RATE,
      channels: 1,
      frames,
      durationSeconds: frames / RATE,
    })
    return take
  }

  /** The assets sounding at `tick` (a take's audio is the frame numbers it was captured at). */
  const heardAt = (doc: Y.Doc, trackId: string, tick: number) =>
    readTrack(doc, trackId)!
      .audioClips.filter((c) => c.active && c.start <= tick && tick < audioClipEnd(c, 120))
      .map((c) => c.asset[0])

  it('a second pass from the same start is the second take of one group and the only one playing, even when its capture began late and it was stopped sooner', () => {
    const doc = createSongDoc({ bpm: 120 })
    const trackId = addTrack(doc, me, { kind: 'audio', name: 'Vocals' })
    // Tick 0 sounds at 1 s; its sample arrives at 1.02 s. The first pass captured from 0.9 s for 2.4 s.
    pass(doc, trackId, { fromTick: 0, toTick: null }, capture(0.9 * RATE, 2.4), 'a')
    // A loaded machine: the second capture began 30 ms after tick 0's sample arrived, and the stop came
    // 0.3 s sooner.
    const late = pass(doc, trackId, { fromTick: 0, toTick: null }, capture(1.05 * RATE, 1.8), 'b')
    expect(late.startTick).toBeGreaterThan(0)

    const clips = readTrack(doc, trackId)!.audioClips
    expect(clips).toHaveLength(2)
    const group = clips[0]!.takeGroupId
    expect(clips.every((c) => c.takeGroupId === group)).toBe(true)
    expect(listTakes(clips, group).map((t) => [t.takeIndex, t.playing])).toEqual([
      [0, false],
      [1, true],
    ])
    // Nothing of the first take is heard before, under or after the second.
    for (let tick = 0; tick < 6 * PPQ; tick += 10) expect(heardAt(doc, trackId, tick)).not.toContain('a')
  })

  it('a take finished twice (the tab closed before the store noted its clip) is in the song once', () => {
    const doc = createSongDoc({ bpm: 120 })
    const trackId = addTrack(doc, me, { kind: 'audio', name: 'Vocals' })
    const chunks = capture(0.9 * RATE, 2.4)
    pass(doc, trackId, { fromTick: 0, toTick: null }, chunks, 'a')
    const first = readTrack(doc, trackId)!.audioClips
    pass(doc, trackId, { fromTick: 0, toTick: null }, chunks, 'a')
    expect(readTrack(doc, trackId)!.audioClips).toEqual(first)
  })

  it('a punch pass replaces the earlier take over exactly the region, even when the capture stopped before its punch-out arrived', () => {
    const doc = createSongDoc({ bpm: 120 })
    const trackId = addTrack(doc, me, { kind: 'audio', name: 'Vocals' })
    pass(doc, trackId, { fromTick: 0, toTick: null }, capture(0.9 * RATE, 9), 'a')
    // Punch over bar 2 (2 s to 4 s at 120 bpm). The recorder stops when the transport reaches the
    // punch-out, one round trip before that moment's sample arrives: the take ends 20 ms short.
    const stopped = capture(0.9 * RATE, 4.1).filter((c) => c.frame < 5 * RATE)
    const last = stopped[stopped.length - 1]!
    stopped[stopped.length - 1] = {
      ...last,
      channels: [last.channels[0]!.subarray(0, 5 * RATE - last.frame)],
    }
    const punched = pass(doc, trackId, { fromTick: BAR, toTick: 2 * BAR }, stopped, 'b')
    expect(punched.startTick).toBeCloseTo(BAR, 6)
    expect(heardAt(doc, trackId, BAR - 1)).toEqual(['a'])
    for (let tick = BAR; tick < 2 * BAR; tick += 10) expect(heardAt(doc, trackId, tick)).not.toContain('a')
    expect(heardAt(doc, trackId, 2 * BAR)).toEqual(['a'])
    const clips = readTrack(doc, trackId)!.audioClips
    expect(listTakes(clips, clips[0]!.takeGroupId).map((t) => [t.takeIndex, t.playing])).toEqual([
      [0, true],
      [1, true],
    ])
  })
})
