/*
 * Loopback latency: how long after the studio plays a sound it comes back in through the input. The
 * studio plays a train of clicks, records the input meanwhile, and asks `measureLatency` where the clicks
 * landed; a recorded take is then moved earlier by that much, so it sits where the performer played it.
 *
 * How:
 * 1. Coarse: for every lag up to `maxLatencyMs`, the input's energy in a click-long window after each
 *    click time, summed over the clicks. A click train lines up at one lag only; noise does not.
 * 2. Fine, per click: the normalised cross-correlation of the played click with the input within ±2 ms of
 *    that lag, its peak refined to a fraction of a sample by a parabola through the three best points.
 *    Absolute correlation, so an input that inverts polarity still measures.
 * 3. The offset is the median of the clicks that correlate well (speaker/room colouring lowers the
 *    correlation but not its position); the confidence says how many did and how well they agree.
 * Accuracy on synthetic signals at 48 kHz (latency.test.ts, delays placed between samples): within 0.01 ms
 * (measured 0.003 ms at worst) with the return 20 dB down and white noise at -30 dBFS, within 0.05 ms with
 * noise as loud as the clicks (measured 0.01 ms); a sample is 0.021 ms, the studio needs 0.5 ms.
 */

export interface LatencyMeasurement {
  /** The round trip, output to input, in milliseconds. */
  readonly offsetMs: number
  /** 0..1: the share of clicks found, weighted by how well they matched and agreed. */
  readonly confidence: number
  /** How many of the played clicks were found in the input. */
  readonly found: number
  /** The spread of the found clicks around the offset (median absolute deviation), in milliseconds. */
  readonly spreadMs: number
}

export interface LatencyInput {
  /** Where each click starts, in seconds from the input's first sample (the output's clock = the input's). */
  readonly clickTimes: readonly number[]
  /** The click exactly as played. */
  readonly click: Float32Array
  /** The input recorded meanwhile (one channel). */
  readonly input: Float32Array
  readonly sampleRate: number
  /** The longest round trip looked for; default 400 ms. */
  readonly maxLatencyMs?: number
}

/** Below this normalised correlation a click is taken for not found. */
const MATCH = 0.35
const FINE_WINDOW_MS = 2

/** A click the studio can play for calibration: a 2 kHz burst under a fast-decaying envelope. */
export function calibrationClick(sampleRate: number): Float32Array<ArrayBuffer> {
  const length = Math.round(sampleRate * 0.004)
  const click = new Float32Array(length)
  for (let i = 0; i < length; i++) {
    const t = i / sampleRate
    click[i] = Math.sin(2 * Math.PI * 2000 * t) * Math.exp(-t / 0.0012) * 0.9
  }
  return click
}

export function measureLatency(options: LatencyInput): LatencyMeasurement {
  const { click, input, sampleRate, clickTimes } = options
  const none: LatencyMeasurement = { offsetMs: 0, confidence: 0, found: 0, spreadMs: 0 }
  if (clickTimes.length === 0 || click.length === 0 || input.length === 0) return none
  const maxLag = Math.round(((options.maxLatencyMs ?? 400) / 1000) * sampleRate)
  const starts = clickTimes.map((t) => Math.round(t * sampleRate))
  const coarse = coarseLag(input, starts, click.length, maxLag)
  if (coarse === null) return none

  const fine = Math.round((FINE_WINDOW_MS / 1000) * sampleRate)
  const clickEnergy = click.reduce((s, x) => s + x * x, 0)
  const offsets: number[] = []
  let matchSum = 0
  for (const start of starts) {
    const best = bestMatch(input, click, clickEnergy, start + coarse - fine, start + coarse + fine)
    if (best === null || best.score < MATCH) continue
    offsets.push(best.at - start)
    matchSum += best.score
  }
  if (offsets.length === 0) return none
  const median = medianOf(offsets)
  const spread = medianOf(offsets.map((o) => Math.abs(o - median)))
  // Clicks more than half a millisecond off the median are echoes or noise, not the loop.
  const agreeing = offsets.filter((o) => Math.abs(o - median) <= sampleRate * 0.0005).length
  const confidence = (agreeing / clickTimes.length) * (matchSum / offsets.length)
  return {
    offsetMs: (median / sampleRate) * 1000,
    confidence: Math.max(0, Math.min(1, confidence)),
    found: offsets.length,
    spreadMs: (spread / sampleRate) * 1000,
  }
}

/** The lag (in samples) at which the click windows hold the most input energy; null for a silent input. */
function coarseLag(
  input: Float32Array,
  starts: readonly number[],
  width: number,
  maxLag: number,
): number | null {
  // Prefix sums of the energy make each window one subtraction.
  const energy = new Float64Array(input.length + 1)
  for (let i = 0; i < input.length; i++) energy[i + 1] = (energy[i] as number) + (input[i] as number) ** 2
  const windowEnergy = (from: number) => {
    const a = Math.max(0, Math.min(input.length, from))
    const b = Math.max(0, Math.min(input.length, from + width))
    return (energy[b] as number) - (energy[a] as number)
  }
  let best = -1
  let bestLag: number | null = null
  for (let lag = 0; lag <= maxLag; lag++) {
    let sum = 0
    for (const s of starts) sum += windowEnergy(s + lag)
    if (sum > best) {
      best = sum
      bestLag = lag
    }
  }
  return best > 0 ? bestLag : null
}

/** Where in [from, to] the click matches the input best (sub-sample), and how well (0..1). */
function bestMatch(
  input: Float32Array,
  click: Float32Array,
  clickEnergy: number,
  from: number,
  to: number,
): { at: number; score: number } | null {
  const lo = Math.max(0, from)
  const hi = Math.min(input.length - click.length, to)
  if (hi < lo) return null
  const scores = new Float64Array(hi - lo + 1)
  let bestIndex = -1
  let bestScore = 0
  for (let at = lo; at <= hi; at++) {
    let dot = 0
    let e = 0
    for (let i = 0; i < click.length; i++) {
      const x = input[at + i] as number
      dot += x * (click[i] as number)
      e += x * x
    }
    const score = e > 0 ? Math.abs(dot) / Math.sqrt(e * clickEnergy) : 0
    scores[at - lo] = score
    if (score > bestScore) {
      bestScore = score
      bestIndex = at - lo
    }
  }
  if (bestIndex < 0) return null
  // A parabola through the peak and its neighbours places it between samples.
  let shift = 0
  if (bestIndex > 0 && bestIndex < scores.length - 1) {
    const a = scores[bestIndex - 1] as number
    const b = scores[bestIndex] as number
    const c = scores[bestIndex + 1] as number
    const denominator = a - 2 * b + c
    if (denominator < 0) shift = Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denominator))
  }
  return { at: lo + bestIndex + shift, score: bestScore }
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
