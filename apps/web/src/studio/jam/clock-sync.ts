/**
 * The studio's estimate of the server's clock (NTP-style, over the collab connection's clock probes,
 * `wire/jam.ts`): every member of a jam maps its own `performance.now()` onto the server's clock, so "bar 5
 * starts at server time T" means the same moment in every browser.
 *
 * A probe gives four times: t0 (sent, local), t1 (received, server), t2 (answered, server), t3 (answer
 * received, local). Its round trip is `(t3 - t0) - (t2 - t1)` and its offset `((t1 - t0) + (t2 - t3)) / 2`,
 * exact when the two legs took equally long; the error is at most half the round trip. So only the probes
 * with the shortest round trips are believed (min-RTT filtering: a probe that waited in a queue on one leg
 * has a long round trip and a skewed offset); better still, each leg's fastest trip on its own (`legOffset`).
 * The older half's offset against the newer half's gives the drift between the two clocks (crystals differ by
 * tens of ppm: 3 ms in a minute at 50 ppm), once the probes span long enough to tell drift from noise: 30 s,
 * since through 150 ± 50 ms each half's offset is good to ~1 ms, and over 10 s that is a spurious 100 ppm,
 * a constant error in every beat the estimate then predicts. Pure: times are passed in.
 */

export interface ClockSample {
  /** Local send time (ms). */
  t0: number
  /** Server receive time (ms). */
  t1: number
  /** Server send time (ms). */
  t2: number
  /** Local receive time (ms). */
  t3: number
}

export interface ClockEstimate {
  /** Server time minus local time at `at` (ms). */
  offset: number
  /** The offset's change per local ms (0.00005 = 50 ppm). */
  drift: number
  /** Local time the offset is stated at. */
  at: number
  /** Shortest round trip among the samples kept (ms): the offset is good to half of it. */
  minRtt: number
  /** Standard deviation of the round trips kept (ms): the jitter of the connection. */
  rttJitter: number
  samples: number
}

export interface ClockSyncOptions {
  /** Samples kept (the newest). */
  window?: number
  /** Drift is fitted only once the kept samples span this long (ms); before, it is taken as 0. */
  driftAfterMs?: number
  /** Drift beyond this (ppm) is not a clock, it is noise: clamped. */
  maxDriftPpm?: number
}

export class ClockSync {
  private readonly samples: (ClockSample & { rtt: number; mid: number })[] = []
  private estimate: ClockEstimate | null = null
  private readonly window: number
  private readonly driftAfterMs: number
  private readonly maxDrift: number

  constructor(options: ClockSyncOptions = {}) {
    this.window = options.window ?? 64
    this.driftAfterMs = options.driftAfterMs ?? 30_000
    this.maxDrift = (options.maxDriftPpm ?? 500) / 1e6
  }

  /** Adds one probe's four times; returns the new estimate. A sample that cannot be right is ignored. */
  add(sample: ClockSample): ClockEstimate | null {
    const rtt = sample.t3 - sample.t0 - (sample.t2 - sample.t1)
    if (!(rtt >= 0) || sample.t2 < sample.t1 || sample.t3 < sample.t0) return this.estimate
    this.samples.push({ ...sample, rtt, mid: (sample.t0 + sample.t3) / 2 })
    if (this.samples.length > this.window) this.samples.shift()
    this.estimate = this.fit()
    return this.estimate
  }

  get current(): ClockEstimate | null {
    return this.estimate
  }

  /** The server's time at local time `local`; null before the first probe came back. */
  serverTime(local: number): number | null {
    const e = this.estimate
    return e === null ? null : local + e.offset + e.drift * (local - e.at)
  }

  /** The local time at which the server's clock reads `server`; null before the first probe. */
  localTime(server: number): number | null {
    const e = this.estimate
    if (e === null) return null
    // server = local + offset + drift (local - at)  ⇒  local = (server - offset + drift·at) / (1 + drift)
    return (server - e.offset + e.drift * e.at) / (1 + e.drift)
  }

  private fit(): ClockEstimate {
    const samples = this.samples
    const minRtt = Math.min(...samples.map((s) => s.rtt))
    const meanRtt = samples.reduce((s, x) => s + x.rtt, 0) / samples.length
    const rttJitter = Math.sqrt(samples.reduce((s, x) => s + (x.rtt - meanRtt) ** 2, 0) / samples.length)
    const at = Math.max(...samples.map((s) => s.mid))
    // Drift: the leg-minimum offset of the older half against the newer half's, once the probes span long
    // enough. Not a least-squares line through single probes' offsets: through 150 ± 50 ms those are ±10 ms
    // apart, and over 10 s that fits a spurious 500 ppm (the e2e suite's interval jam was 9.7 ms off by it).
    let drift = 0
    const span = at - Math.min(...samples.map((s) => s.mid))
    if (samples.length >= 8 && span >= this.driftAfterMs) {
      const half = Math.floor(samples.length / 2)
      const older = samples.slice(0, half)
      const newer = samples.slice(half)
      const meanMid = (part: typeof samples) => part.reduce((s, x) => s + x.mid, 0) / part.length
      const dt = meanMid(newer) - meanMid(older)
      if (dt > 0) {
        const raw = (legOffset(newer, 0, 0) - legOffset(older, 0, 0)) / dt
        drift = Math.max(-this.maxDrift, Math.min(this.maxDrift, raw))
      }
    }
    return { offset: legOffset(samples, drift, at), drift, at, minRtt, rttJitter, samples: samples.length }
  }
}

/**
 * The offset at local time `at` from each leg's own fastest trip (drift taken out): t1 - t0 is the offset plus
 * the up leg, t2 - t3 the offset minus the down leg, so the smallest of the first and the largest of the second
 * bracket the offset by the two fastest legs, and their middle is exact when those are equal (the path's base
 * latency, the same both ways). Unlike pairing legs within one probe, the fastest up and the fastest down need
 * not be in the same probe: through 150 ± 50 ms of jitter, 30 probes bring the error from ~10 ms (a probe's
 * legs differ) to ~2 ms.
 */
function legOffset(samples: readonly ClockSample[], drift: number, at: number): number {
  let up = Number.POSITIVE_INFINITY
  let down = Number.NEGATIVE_INFINITY
  for (const s of samples) {
    up = Math.min(up, s.t1 - s.t0 - drift * (s.t0 - at))
    down = Math.max(down, s.t2 - s.t3 - drift * (s.t3 - at))
  }
  return (up + down) / 2
}
