import { describe, expect, it } from 'vitest'
import { ClockSync } from './clock-sync'

/** A seeded generator, so a failure replays. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/**
 * A simulated link: the server's clock runs `offset` ms ahead of the client's and `driftPpm` faster; each leg
 * takes `base` ms plus exponential queueing delay (mean `jitter` ms), different on the two legs.
 */
function simulate(opts: { offset: number; driftPpm: number; base: number; jitter: number; seed: number }) {
  const rand = random(opts.seed)
  const leg = () => opts.base - opts.jitter * Math.log(1 - rand())
  const server = (local: number) => local + opts.offset + (opts.driftPpm / 1e6) * local
  return {
    server,
    probe(local: number) {
      const up = leg()
      const down = leg()
      const t1 = server(local + up)
      const t2 = t1 + 0.05
      return { t0: local, t1, t2, t3: local + up + 0.05 + down }
    },
  }
}

describe('ClockSync', () => {
  it('finds the offset within a millisecond through uneven queueing (min-RTT filtering)', () => {
    const link = simulate({ offset: 123_456.7, driftPpm: 0, base: 2, jitter: 15, seed: 1 })
    const sync = new ClockSync()
    for (let i = 0; i < 40; i++) sync.add(link.probe(1000 + i * 250))
    const now = 12_000
    expect(Math.abs((sync.serverTime(now) ?? 0) - link.server(now))).toBeLessThan(1)
    // The naive mean of all offsets is far off: one leg's queueing skews it.
    expect(sync.current?.rttJitter).toBeGreaterThan(5)
  })

  it('follows a drifting clock: 200 ppm over two minutes is predicted a minute ahead within 1 ms', () => {
    const link = simulate({ offset: -5000, driftPpm: 200, base: 1, jitter: 3, seed: 2 })
    const sync = new ClockSync({ window: 128 })
    for (let local = 0; local <= 120_000; local += 1000) sync.add(link.probe(local))
    expect(Math.abs((sync.current?.drift ?? 0) - 200e-6)).toBeLessThan(20e-6)
    const later = 180_000
    expect(Math.abs((sync.serverTime(later) ?? 0) - link.server(later))).toBeLessThan(1)
    // Without drift estimation the same prediction is off by the drift the window spans and beyond.
    const flat = new ClockSync({ window: 128, driftAfterMs: Number.POSITIVE_INFINITY })
    for (let local = 0; local <= 120_000; local += 1000) flat.add(link.probe(local))
    expect(Math.abs((flat.serverTime(later) ?? 0) - link.server(later))).toBeGreaterThan(5)
  })

  it("through 150 ± 50 ms of delay, 3 s of probes put the clock within 5 ms, 2 ms on average (each leg's fastest trip)", () => {
    const errors: number[] = []
    for (let seed = 1; seed <= 20; seed++) {
      const rand = random(seed)
      const leg = () => 100 + 100 * rand()
      const offset = 98_765.4
      // The jam session's settings, probing every 100 ms.
      const sync = new ClockSync({ window: 256 })
      for (let i = 0; i < 30; i++) {
        const t0 = 1000 + i * 100
        const up = leg()
        const t1 = t0 + up + offset
        sync.add({ t0, t1, t2: t1 + 0.05, t3: t0 + up + 0.05 + leg() })
      }
      errors.push(Math.abs((sync.serverTime(5000) ?? 0) - (5000 + offset)))
    }
    expect(Math.max(...errors)).toBeLessThan(5)
    expect(errors.reduce((a, b) => a + b, 0) / errors.length).toBeLessThan(2)
  })

  it('does not fit a drift from jitter: a minute through 150 ± 50 ms on a steady clock stays within 1 ms', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const rand = random(seed)
      const leg = () => 100 + 100 * rand()
      // The jam session's settings: a minute of probes every 100 ms.
      const sync = new ClockSync({ window: 600 })
      for (let i = 0; i < 600; i++) {
        const t0 = i * 100
        const up = leg()
        sync.add({ t0, t1: t0 + up + 500, t2: t0 + up + 500.05, t3: t0 + up + 0.05 + leg() })
        // Before the probes span 30 s no drift is fitted at all: 25 s of them are within 2 ms.
        if (i === 250)
          expect(Math.abs((sync.serverTime(26_000) ?? 0) - 26_500), `seed ${seed}`).toBeLessThan(2)
      }
      expect(Math.abs(sync.current?.drift ?? 1), `seed ${seed}`).toBeLessThan(50e-6)
      expect(Math.abs((sync.serverTime(61_000) ?? 0) - 61_500), `seed ${seed}`).toBeLessThan(1)
    }
  })

  it('maps both ways, and ignores samples that cannot be right', () => {
    const sync = new ClockSync()
    expect(sync.serverTime(5)).toBeNull()
    sync.add({ t0: 100, t1: 1100, t2: 1100, t3: 102 })
    expect(sync.serverTime(200)).toBeCloseTo(1199, 6)
    expect(sync.localTime(1199)).toBeCloseTo(200, 6)
    // Answered before it was received: not a clock.
    sync.add({ t0: 300, t1: 5000, t2: 4000, t3: 302 })
    expect(sync.current?.samples).toBe(1)
  })
})
