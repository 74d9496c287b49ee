/**
 * Live mode's jitter buffer, one per remote player: notes arrive after the network's delay, and unevenly. Each
 * note carries the server time it was played at; its transit is arrival minus that. Sounding each note at
 * "played + the current transit" would keep the network's unevenness (a rhythm played evenly arrives
 * unevenly); sounding it at "played + a fixed delay" keeps the rhythm, and that delay is set from the transits
 * measured: a high percentile of the recent ones (the jitter nearly all notes stay within), plus a margin.
 *
 * Live playing is about latency first, so the buffer is built to forget (docs/BENCHMARKS.md "Live jam"
 * measured 6–258 ms key-to-note when one stall grew a buffer that then shrank a tenth per note):
 * - only the last `memoryMs` of transits count, so a stall is forgotten within seconds;
 * - the single slowest recent transit never counts (one stall is one stall; two in the memory is jitter),
 *   and notes arriving together count once (a stall releases every note it held back in one burst);
 * - the buffer adds at most `maxJitterMs` over the path's own delay (its fastest recent transit): a note
 *   later than that sounds at once on arrival, late, instead of every later note waiting for it.
 * A note never sounds before one scheduled earlier by the same player, so a shrinking buffer cannot reorder
 * a note-off and the next note-on of one key. Pure: times passed in.
 */

/** Arrivals this close (ms) are one burst: one stall releases all the notes it held back at once. */
const BURST_MS = 2

export interface JitterBufferOptions {
  /** Transits older than this (ms, by arrival) are forgotten. */
  memoryMs?: number
  /** At most this many recent transits are kept. */
  window?: number
  /** Share of notes the buffer should absorb (0.95: all but one in twenty arrive in time). */
  coverage?: number
  /** Added to the measured delay (ms). */
  marginMs?: number
  /** The most the buffer adds above the path's own delay (ms); later notes sound on arrival. */
  maxJitterMs?: number
}

export class JitterBuffer {
  private readonly recent: { transit: number; arrived: number }[] = []
  private delayMs: number | null = null
  private lastAt = Number.NEGATIVE_INFINITY
  /** Notes that arrived later than the buffer allowed: they sounded on arrival. */
  late = 0
  private readonly memory: number
  private readonly window: number
  private readonly coverage: number
  private readonly margin: number
  private readonly maxJitter: number

  constructor(options: JitterBufferOptions = {}) {
    this.memory = options.memoryMs ?? 2000
    this.window = options.window ?? 64
    this.coverage = options.coverage ?? 0.9
    this.margin = options.marginMs ?? 2
    this.maxJitter = options.maxJitterMs ?? 15
  }

  /** The delay from played to sounded now applied (ms); null before the first note. */
  get delay(): number | null {
    return this.delayMs
  }

  /**
   * A note played at server time `played` arrived at server time `arrived`: when to sound it (server time).
   * Never before its arrival, nor before the note scheduled before it.
   */
  schedule(played: number, arrived: number): number {
    const transit = Math.max(0, arrived - played)
    const recent = this.recent
    const last = recent.at(-1)
    // Notes arriving together (a chord, or the notes a stall held back) are one observation of the path.
    if (last !== undefined && arrived - last.arrived <= BURST_MS) {
      last.transit = Math.max(last.transit, transit)
      last.arrived = arrived
    } else recent.push({ transit, arrived })
    while (recent.length > this.window || (recent[0] as { arrived: number }).arrived < arrived - this.memory)
      recent.shift()
    const sorted = recent.map((r) => r.transit).sort((a, b) => a - b)
    // The slowest one is left out once there are two: a single stall does not set the buffer.
    const top = sorted.length - (sorted.length > 1 ? 2 : 1)
    const high = sorted[Math.min(top, Math.floor(sorted.length * this.coverage))] as number
    const base = sorted[0] as number
    this.delayMs = Math.min(high + this.margin, base + this.maxJitter)
    const at = Math.max(arrived, played + this.delayMs, this.lastAt)
    if (transit > this.delayMs) this.late++
    this.lastAt = at
    return at
  }
}
