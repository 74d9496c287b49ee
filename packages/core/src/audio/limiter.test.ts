/*
 * The master limiter in Node renders: a song far too loud for the mix bus (four piano tracks pushed to
 * +6 dB, fortissimo chords) would peak about 20 dB over full scale; through the limiter it stays under 0 dBFS,
 * and a quiet passage keeps its level.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { PPQ } from '../music/index'
import { readSong } from '../song/index'
import { closeTone, renderSong } from './node'
import { BAR, buildSong, rms } from './testing/songs'

const RATE = 22_050

afterAll(() => closeTone())

const peak = (channels: readonly Float32Array[]): number => {
  let max = 0
  for (const channel of channels) for (const s of channel) max = Math.max(max, Math.abs(s))
  return max
}

describe('master limiter', { timeout: 60_000 }, () => {
  it('keeps a loud render under 0 dBFS and leaves a quiet note alone', async () => {
    const chord = [36, 48, 55, 64, 72].map((pitch) => ({ pitch, start: 0, duration: 2 * PPQ, velocity: 127 }))
    const loudTrack = { track: { instrument: 'piano', volumeDb: 6 }, clips: [[0, BAR, chord]] as const }
    const { doc } = buildSong(120, [
      loudTrack,
      loudTrack,
      loudTrack,
      loudTrack,
      // Bar 2: one soft note on a quiet track, after the loud bar has rung out.
      {
        track: { instrument: 'pluck', volumeDb: -12 },
        clips: [[BAR, BAR, [{ pitch: 60, start: 0, duration: PPQ, velocity: 40 }]]],
      },
    ])
    const audio = await renderSong(readSong(doc), { sampleRate: RATE })
    const loud = audio.channels.map((c) => c.subarray(0, 2 * RATE))
    // The limiter is working hard (without it this bar peaks near 10x full scale), yet stays under 0 dBFS.
    expect(rms(loud[0]!, RATE, 0, 0.5)).toBeGreaterThan(0.3)
    expect(peak(loud)).toBeLessThan(1)
    expect(peak(audio.channels)).toBeLessThan(1)
    // The quiet note is far below the threshold: present, and nowhere near the ceiling.
    const quiet = audio.channels[0]!
    expect(rms(quiet, RATE, 2, 2.3)).toBeGreaterThan(1e-3)
    expect(peak([quiet.subarray(2 * RATE, 3 * RATE)])).toBeLessThan(0.3)
  })
})
