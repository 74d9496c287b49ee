import { describe, expect, it } from 'vitest'
import {
  computePeaks,
  decodePeaks,
  encodePeaks,
  MAX_PEAKS_BYTES,
  PEAKS_FORMAT_VERSION,
  PeaksFormatError,
  peakLevelFor,
  peakRange,
} from './peaks'

const RATE = 48_000

/** One second of a 440 Hz sine at half scale, then one second of silence, then a full-scale click. */
const take = () => {
  const left = new Float32Array(RATE * 2 + 100)
  for (let i = 0; i < RATE; i++) left[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / RATE)
  left[RATE * 2 + 10] = 1
  const right = new Float32Array(RATE * 2 + 100)
  right[RATE * 2 + 20] = -1
  return [left, right]
}

describe('computePeaks', () => {
  it('gives three levels, each covering the whole take, with the loud and silent parts where they are', () => {
    const peaks = computePeaks(take(), RATE)
    expect(peaks.frames).toBe(RATE * 2 + 100)
    expect(peaks.levels.map((l) => l.samplesPerPeak)).toEqual([256, 1024, 4096])
    for (const level of peaks.levels) {
      expect(level.min.length).toBe(Math.ceil(peaks.frames / level.samplesPerPeak))
      // The sine's half second: every pair reaches close to ±0.5.
      const sine = peakRange(level, RATE / 4, RATE / 2)
      expect(sine.max).toBeCloseTo(0.5, 2)
      expect(sine.min).toBeCloseTo(-0.5, 2)
      // The silence between.
      expect(peakRange(level, RATE * 1.1, RATE * 1.9)).toEqual({ min: 0, max: 0 })
      // The click in the left channel and the inverted one in the right, merged into one envelope.
      expect(peakRange(level, RATE * 2, RATE * 2 + 100)).toEqual({ min: -1, max: 1 })
    }
  })

  it('merges channels of different lengths, the missing part counting as silence', () => {
    const peaks = computePeaks([Float32Array.from({ length: 1000 }, () => 0.25), new Float32Array(10)], RATE)
    const finest = peaks.levels[0]!
    expect(finest.min.length).toBe(4)
    expect(finest.max[3]).toBeCloseTo(0.25)
    expect(finest.min[3]).toBeCloseTo(0.25)
  })

  it('handles an empty take', () => {
    const peaks = computePeaks([new Float32Array(0)], RATE)
    expect(peaks.levels.every((l) => l.min.length === 0)).toBe(true)
    expect(decodePeaks(encodePeaks(peaks))).toEqual(peaks)
  })
})

describe('peakLevelFor', () => {
  const peaks = computePeaks(take(), RATE)
  it('picks the coarsest level that still has a pair for every pixel', () => {
    expect(peakLevelFor(peaks, 100)?.samplesPerPeak).toBe(256)
    expect(peakLevelFor(peaks, 256)?.samplesPerPeak).toBe(256)
    expect(peakLevelFor(peaks, 2000)?.samplesPerPeak).toBe(1024)
    expect(peakLevelFor(peaks, 4096)?.samplesPerPeak).toBe(4096)
    expect(peakLevelFor(peaks, 100_000)?.samplesPerPeak).toBe(4096)
  })
  it('says so when there is nothing to draw', () => {
    expect(peakLevelFor({ sampleRate: RATE, frames: 0, levels: [] }, 100)).toBeNull()
  })
})

describe('encodePeaks / decodePeaks', () => {
  it('round-trips within the Int8 step and stays small: a 3-minute take under 100 KB', () => {
    const peaks = computePeaks(take(), RATE)
    const back = decodePeaks(encodePeaks(peaks))
    expect(back.frames).toBe(peaks.frames)
    expect(back.sampleRate).toBe(RATE)
    back.levels.forEach((level, l) => {
      const original = peaks.levels[l]!
      expect(level.samplesPerPeak).toBe(original.samplesPerPeak)
      level.max.forEach((x, i) => {
        expect(Math.abs(x - original.max[i]!)).toBeLessThanOrEqual(1 / 127)
      })
    })
    const threeMinutes = computePeaks([new Float32Array(RATE * 180)], RATE)
    expect(encodePeaks(threeMinutes).byteLength).toBeLessThan(100_000)
    // The longest audio whose finest level is kept (2^28 frames, 93 minutes at 48 kHz) still fits the bound.
    const frames = 2 ** 28
    const full = (spp: number) => ({
      samplesPerPeak: spp,
      min: new Float32Array(frames / spp),
      max: new Float32Array(frames / spp),
    })
    const longest = encodePeaks({ sampleRate: RATE, frames, levels: [full(256), full(1024), full(4096)] })
    expect(longest.byteLength).toBeLessThanOrEqual(MAX_PEAKS_BYTES)
    expect(decodePeaks(longest).levels).toHaveLength(3)
    expect(MAX_PEAKS_BYTES).toBeLessThan(4 * 1024 * 1024)
  })

  it('refuses a future version, a cut-short body, a lying count, trailing bytes and an oversized blob', () => {
    const bytes = encodePeaks(computePeaks(take(), RATE))
    const future = bytes.slice()
    future[0] = PEAKS_FORMAT_VERSION + 1
    expect(() => decodePeaks(future)).toThrow(/version/)
    expect(() => decodePeaks(bytes.subarray(0, bytes.length - 1))).toThrow(PeaksFormatError)
    expect(() => decodePeaks(bytes.subarray(0, 5))).toThrow(/header/)
    const lying = bytes.slice()
    new DataView(lying.buffer).setUint32(16, 3, true)
    expect(() => decodePeaks(lying)).toThrow(/does not cover/)
    const trailing = new Uint8Array(bytes.length + 1)
    trailing.set(bytes)
    expect(() => decodePeaks(trailing)).toThrow(/unexpected bytes/)
    expect(() => decodePeaks(new Uint8Array(MAX_PEAKS_BYTES + 1))).toThrow(/larger/)
  })
})
