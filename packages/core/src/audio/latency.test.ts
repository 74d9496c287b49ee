import { describe, expect, it } from 'vitest'
import { calibrationClick, measureLatency } from './latency'

const RATE = 48_000
const CLICK_TIMES = [0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75]

/** A seeded generator (mulberry32), so a failing case can be replayed. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/**
 * What an input would record: the calibration click, evaluated at the exact (sub-sample) time each one
 * arrives after `delayMs`, scaled by `gain`, plus white noise of `noise` peak amplitude.
 */
function recorded(delayMs: number, gain: number, noise: number, seed = 1, polarity = 1): Float32Array {
  const input = new Float32Array(RATE * 4.2)
  const rand = random(seed)
  const clickAt = (t: number) =>
    t < 0 || t >= 0.004 ? 0 : Math.sin(2 * Math.PI * 2000 * t) * Math.exp(-t / 0.0012) * 0.9
  for (let i = 0; i < input.length; i++) input[i] = (rand() * 2 - 1) * noise
  for (const time of CLICK_TIMES) {
    const arrival = time + delayMs / 1000
    const first = Math.floor(arrival * RATE)
    for (let i = first; i < first + RATE * 0.005; i++)
      input[i] = (input[i] as number) + polarity * gain * clickAt(i / RATE - arrival)
  }
  return input
}

const measure = (input: Float32Array) =>
  measureLatency({ clickTimes: CLICK_TIMES, click: calibrationClick(RATE), input, sampleRate: RATE })

describe('measureLatency', () => {
  it('finds a known round trip within 0.01 ms with the return 20 dB down and white noise at -30 dBFS', () => {
    for (const [delay, seed] of [
      [12.345, 1],
      [37.3, 2],
      [3.01, 3],
      [151.777, 4],
    ] as const) {
      const result = measure(recorded(delay, 0.1, 0.0316, seed))
      expect(Math.abs(result.offsetMs - delay)).toBeLessThan(0.01)
      expect(result.found).toBe(CLICK_TIMES.length)
      expect(result.confidence).toBeGreaterThan(0.5)
    }
  })

  it('still measures within 0.05 ms when the noise is as loud as the clicks', () => {
    const result = measure(recorded(24.6, 0.3, 0.3, 7))
    expect(Math.abs(result.offsetMs - 24.6)).toBeLessThan(0.05)
  })

  it('measures an input that inverts polarity', () => {
    const result = measure(recorded(8.2, 0.5, 0.01, 5, -1))
    expect(Math.abs(result.offsetMs - 8.2)).toBeLessThan(0.05)
  })

  it('reports no confidence for an input that never heard the clicks', () => {
    expect(measure(new Float32Array(RATE * 4)).confidence).toBe(0)
    const noiseOnly = recorded(10, 0, 0.2, 9)
    expect(measure(noiseOnly).confidence).toBeLessThan(0.35)
  })
})
