/**
 * Live mode's jitter buffer, one per remote player: notes arrive after the network's delay, and unevenly. Each
 * note carries the server time it was played at; its transit is arrival minus that. Sounding each note at
 * "played + the current transit" would keep the network's unevenness (a rhythm played evenly arrives
 * unevenly); sounding it at "played + a fixed delay" keeps the rhythm, and that delay is set from the transits
 * measured: the shortest (the path's own delay) plus the spread above it that covers nearly all notes (a
 * high percentile of the jitter), plus a small margin. The buffer grows at once when notes come later than
 * it allows, and shrinks only slowly, so a burst of jitter does not leave it too short. Pure: times passed in.
 */

export interface JitterBufferOptions {
  /** Transits kept (the newest). */
  window?: number
  /** Share of notes the buffer should absorb (0.95: all but one in twenty arrive in time). */
  coverage?: number
  /** Added to the measured delay (ms). */
  marginMs?: number
  /** The buffer never exceeds this (ms); later notes sound late. */
  maxDelayMs?: number
}

export class JitterBuffer {
  private readonly transits: number[] = []
  private delayMs: number | null = null
  /** Notes that arrived later than the buffer allowed when they came (it grew to cover them). */
  late = 0
  private readonly window: number
  private readonly coverage: number
  private readonly margin: number
  private readonly max: number

  constructor(options: JitterBufferOptions = {}) {
    this.window = options.window ?? 64
    this.coverage = options.coverage ?? 0.95
    this.margin = options.marginMs ?? 2
    this.max = options.maxDelayMs ?? 200
  }

  /** The delay from played to sounded now applied (ms); null before the first note. */
  get delay(): number | null {
    return this.delayMs
  }

  /**
   * A note played at server time `played` arrived at server time `arrived`: when to sound it (server time).
   * Never before its arrival.
   */
  schedule(played: number, arrived: number): number {
    const transit = Math.max(0, arrived - played)
    this.transits.push(transit)
    if (this.transits.length > this.window) this.transits.shift()
    const sorted = [...this.transits].sort((a, b) => a - b)
    const high = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * this.coverage))] ?? transit
    // A note later than the buffer allowed is evidence at once, whatever the percentile says yet.
    const lateNow = this.delayMs !== null && transit > this.delayMs
    const wanted = Math.min(this.max, Math.max(high, lateNow ? transit : 0) + this.margin)
    // Grow at once, shrink by a tenth of the gap per note.
    this.delayMs =
      this.delayMs === null || wanted > this.delayMs ? wanted : this.delayMs - (this.delayMs - wanted) / 10
    if (lateNow) this.late++
    return Math.max(arrived, played + this.delayMs)
  }
}
