/**
 * Small seeded PRNG (mulberry32). Data sampling and inference draw from it instead of Math.random so
 * that training runs, resumes and generated notes are reproducible from a seed.
 */
export class Rng {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  getState(): number {
    return this.state
  }

  setState(state: number): void {
    this.state = state >>> 0
  }
}

/** Samples an index from unnormalised probabilities (temperature already applied by the caller). */
export function sampleIndex(probs: ArrayLike<number>, rng: Rng): number {
  let total = 0
  for (let i = 0; i < probs.length; i++) total += probs[i] ?? 0
  let r = rng.next() * total
  for (let i = 0; i < probs.length; i++) {
    r -= probs[i] ?? 0
    if (r <= 0) return i
  }
  return probs.length - 1
}
