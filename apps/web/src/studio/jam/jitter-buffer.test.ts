import { describe, expect, it } from 'vitest'
import { JitterBuffer } from './jitter-buffer'

describe('JitterBuffer', () => {
  it('keeps an even rhythm even when the notes arrive unevenly', () => {
    const buffer = new JitterBuffer({ marginMs: 1 })
    const transits = [5, 12, 7, 20, 6, 9, 15, 5, 11, 8, 19, 6, 10, 7, 14, 5]
    // Warm up on the same spread, then check the spacing of what is scheduled.
    for (const [i, t] of transits.entries()) buffer.schedule(i * 125, i * 125 + t)
    const scheduled = transits.map((t, i) => buffer.schedule(10_000 + i * 125, 10_000 + i * 125 + t))
    const gaps = scheduled.slice(1).map((at, i) => at - (scheduled[i] as number))
    for (const gap of gaps) expect(Math.abs(gap - 125)).toBeLessThan(1)
    expect(buffer.delay).toBeGreaterThanOrEqual(20)
    expect(buffer.delay).toBeLessThanOrEqual(22)
  })

  it('on a quiet link it stays short, grows at once for a late note and shrinks slowly after', () => {
    const buffer = new JitterBuffer({ marginMs: 2 })
    for (let i = 0; i < 20; i++) buffer.schedule(i * 100, i * 100 + 1)
    expect(buffer.delay).toBeLessThanOrEqual(3)
    // A note 40 ms in transit: counted late, and the buffer now covers such a delay (it sounds after arriving).
    expect(buffer.schedule(2000, 2040)).toBeGreaterThanOrEqual(2040)
    expect(buffer.late).toBe(1)
    expect(buffer.delay).toBeGreaterThanOrEqual(40)
    buffer.schedule(2100, 2101)
    expect(buffer.delay).toBeGreaterThan(30)
  })

  it('never schedules a note before it arrived, nor beyond its cap', () => {
    const buffer = new JitterBuffer({ maxDelayMs: 50 })
    expect(buffer.schedule(0, 500)).toBe(500)
    expect(buffer.delay).toBe(50)
  })
})
