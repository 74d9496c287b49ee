import { describe, expect, it } from 'vitest'
import { JitterBuffer } from './jitter-buffer'

/** Notes every `every` ms from `from`, each arriving after its transit: when each is scheduled. */
function feed(buffer: JitterBuffer, from: number, every: number, transits: readonly number[]): number[] {
  return transits.map((t, i) => buffer.schedule(from + i * every, from + i * every + t))
}

describe('JitterBuffer', () => {
  it('keeps an even rhythm when the notes arrive unevenly (steady jitter is covered)', () => {
    const buffer = new JitterBuffer({ marginMs: 1 })
    const spread = [5, 12, 7, 20, 6, 9, 15, 5, 11, 8, 19, 6, 10, 7, 14, 5]
    // Warm up on the same spread, then check the spacing of what is scheduled.
    feed(buffer, 0, 125, spread)
    const lateInWarmUp = buffer.late
    const scheduled = feed(buffer, spread.length * 125, 125, spread)
    const gaps = scheduled.slice(1).map((at, i) => at - (scheduled[i] as number))
    // Within the 1 ms between the spread's two slowest (19, 20): the buffer covers the second slowest.
    for (const gap of gaps) expect(Math.abs(gap - 125)).toBeLessThanOrEqual(1)
    expect(buffer.late).toBe(lateInWarmUp)
    expect(buffer.delay).toBeGreaterThanOrEqual(20)
    expect(buffer.delay).toBeLessThanOrEqual(22)
  })

  it('a single stall sounds on arrival and does not hold the later notes back', () => {
    const buffer = new JitterBuffer({ marginMs: 2 })
    feed(buffer, 0, 100, Array(20).fill(1))
    expect(buffer.delay).toBeLessThanOrEqual(3)
    // The note played at 2000 is stuck 150 ms; the one played at 2100 arrives right behind it (TCP keeps order).
    expect(buffer.schedule(2000, 2150)).toBe(2150)
    expect(buffer.schedule(2100, 2150)).toBe(2150)
    expect(buffer.late).toBe(2)
    // The link is quick again: the next note is not held back by the stall.
    expect(buffer.schedule(2200, 2201)).toBeLessThanOrEqual(2203)
    expect(buffer.delay).toBeLessThanOrEqual(3)
  })

  it('forgets jitter within seconds once the link is quiet again', () => {
    const buffer = new JitterBuffer({ marginMs: 2, memoryMs: 3000 })
    // A rough second: every other note 11 ms late, which the buffer covers.
    feed(
      buffer,
      0,
      100,
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 12 : 1)),
    )
    expect(buffer.delay).toBeGreaterThanOrEqual(14)
    // Three seconds and a bit of a quiet link later, the buffer is back to the path's own delay.
    feed(buffer, 1000, 100, Array(32).fill(1))
    expect(buffer.delay).toBeLessThanOrEqual(3)
  })

  it('adds at most its cap over the path delay, and never schedules before arrival or out of order', () => {
    const buffer = new JitterBuffer({ maxJitterMs: 25 })
    feed(buffer, 0, 50, [10, 10, 200, 200, 200, 10])
    expect(buffer.delay).toBeLessThanOrEqual(35)
    expect(buffer.schedule(1000, 1500)).toBe(1500)
    // Played later but arriving quicker than the buffer's delay: still after the note before it.
    expect(buffer.schedule(1001, 1011)).toBeGreaterThanOrEqual(1500)
  })
})
