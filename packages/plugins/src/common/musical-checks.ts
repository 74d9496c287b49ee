/*
 * Musical checks on generated (or real) music, so a plugin's output can be compared with the corpus it
 * learnt from by the same yardstick: share of notes in key, share of voice notes inside their ranges, and
 * the rate of parallel fifths and octaves between voices. Pure functions over pitch grids (one row per grid
 * step, one column per voice, -1 = silent), so they score plugin output and dataset pieces alike.
 */

import { keyPitchClasses, type PitchKey } from './key.js'

// Krumhansl-Kessler key profiles (probe-tone ratings), tonic first.
const KK_MAJOR = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]
const KK_MINOR = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]

function correlation(a: number[], b: number[]): number {
  const n = a.length
  const ma = a.reduce((s, x) => s + x, 0) / n
  const mb = b.reduce((s, x) => s + x, 0) / n
  let num = 0
  let da = 0
  let db = 0
  for (let i = 0; i < n; i++) {
    const x = (a[i] ?? 0) - ma
    const y = (b[i] ?? 0) - mb
    num += x * y
    da += x * x
    db += y * y
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : 0
}

/**
 * The key whose Krumhansl-Kessler profile best matches the duration-weighted pitch-class histogram of the
 * pitches (one entry per sounding voice per grid step). Neither dataset labels keys, so prompts and
 * reference figures both use this estimate.
 */
export function estimateKey(pitches: Iterable<number>): PitchKey {
  const hist = new Array<number>(12).fill(0)
  for (const p of pitches) if (p >= 0) hist[p % 12] = (hist[p % 12] ?? 0) + 1
  let best: PitchKey = { tonic: 0, mode: 'major' }
  let bestR = Number.NEGATIVE_INFINITY
  for (let tonic = 0; tonic < 12; tonic++) {
    for (const [mode, profile] of [
      ['major', KK_MAJOR],
      ['minor', KK_MINOR],
    ] as const) {
      const rotated = hist.map((_, pc) => profile[(pc - tonic + 12) % 12] ?? 0)
      const r = correlation(hist, rotated)
      if (r > bestR) {
        bestR = r
        best = { tonic, mode }
      }
    }
  }
  return best
}

/** Every sounding pitch of a grid (one per voice per step). */
export function gridPitches(grid: ReadonlyArray<ReadonlyArray<number>>, voices?: number[]): number[] {
  const out: number[] = []
  for (const row of grid)
    row.forEach((p, v) => {
      if (p >= 0 && (!voices || voices.includes(v))) out.push(p)
    })
  return out
}

/** Share of the pitches whose pitch class is in the key (NaN when there are none). */
export function inKeyShare(pitches: ReadonlyArray<number>, key: PitchKey): number {
  const scale = keyPitchClasses(key)
  const sounding = pitches.filter((p) => p >= 0)
  return sounding.filter((p) => scale.has(p % 12)).length / sounding.length
}

/** Share of voice v's sounding steps inside ranges[v], over the voices that have a range. */
export function inRangeShare(
  grid: ReadonlyArray<ReadonlyArray<number>>,
  ranges: ReadonlyArray<readonly [number, number] | null>,
): number {
  let inside = 0
  let total = 0
  for (const row of grid)
    row.forEach((p, v) => {
      const range = ranges[v]
      if (p < 0 || !range) return
      total++
      if (p >= range[0] && p <= range[1]) inside++
    })
  return inside / total
}

export interface ParallelCount {
  /** Pairs of voices that both moved between two consecutive steps, in the same or opposite direction. */
  motions: number
  /** Of those, perfect fifths (mod octave) before and after, both voices moving the same way. */
  fifths: number
  /** Of those, octaves or unisons (mod octave) before and after, both voices moving the same way. */
  octaves: number
}

/**
 * Parallel fifths and octaves between every pair of voices. A "motion" is two consecutive grid steps where
 * both voices sound and both change pitch (held notes are not motion); it is parallel when the interval
 * between the voices is a perfect fifth (or compound) at both steps, resp. an octave or unison, and the
 * voices move in the same direction.
 */
/**
 * Two voices that both move from (a0, b0) to (a1, b1) (sounding pitches, or any numbering in semitones):
 * 'fifth' or 'octave' when they move in the same direction from a perfect fifth (or compound) to a fifth,
 * resp. an octave or unison to an octave or unison; otherwise null. Callers check that both move.
 */
export function parallelMotion(a0: number, a1: number, b0: number, b1: number): 'fifth' | 'octave' | null {
  if (Math.sign(a1 - a0) !== Math.sign(b1 - b0)) return null
  const before = Math.abs(a0 - b0) % 12
  if (before !== Math.abs(a1 - b1) % 12) return null
  return before === 7 ? 'fifth' : before === 0 ? 'octave' : null
}

export function countParallels(grid: ReadonlyArray<ReadonlyArray<number>>): ParallelCount {
  const count: ParallelCount = { motions: 0, fifths: 0, octaves: 0 }
  for (let t = 1; t < grid.length; t++) {
    const a = grid[t - 1] ?? []
    const b = grid[t] ?? []
    for (let i = 0; i < b.length; i++) {
      for (let j = i + 1; j < b.length; j++) {
        const [pi, pj, qi, qj] = [a[i] ?? -1, a[j] ?? -1, b[i] ?? -1, b[j] ?? -1]
        if (pi < 0 || pj < 0 || qi < 0 || qj < 0 || pi === qi || pj === qj) continue
        count.motions++
        const parallel = parallelMotion(pi, qi, pj, qj)
        if (parallel === 'fifth') count.fifths++
        else if (parallel === 'octave') count.octaves++
      }
    }
  }
  return count
}

export function addParallels(a: ParallelCount, b: ParallelCount): ParallelCount {
  return { motions: a.motions + b.motions, fifths: a.fifths + b.fifths, octaves: a.octaves + b.octaves }
}

/** Parallel fifths + octaves per 100 moving voice pairs. */
export function parallelRate(c: ParallelCount): number {
  return c.motions > 0 ? (100 * (c.fifths + c.octaves)) / c.motions : 0
}

export interface LeapCount {
  /** Notes of a voice that differ in pitch from the voice's previous sounding note (rests between allowed). */
  moves: number
  /** Of those, moves wider than an octave: a jump to another register (C6 → F4 → G2) rather than a leap. */
  leaps: number
}

/** Register continuity of each voice of a grid: its moves, and those that jump more than an octave. */
export function countRegisterLeaps(grid: ReadonlyArray<ReadonlyArray<number>>, octave = 12): LeapCount {
  const count: LeapCount = { moves: 0, leaps: 0 }
  const last: number[] = []
  for (const row of grid)
    row.forEach((p, v) => {
      if (p < 0) return
      const before = last[v]
      last[v] = p
      if (before === undefined || before === p) return
      count.moves++
      if (Math.abs(p - before) > octave) count.leaps++
    })
  return count
}

export function addLeaps(a: LeapCount, b: LeapCount): LeapCount {
  return { moves: a.moves + b.moves, leaps: a.leaps + b.leaps }
}

/** Register jumps (moves wider than an octave) per 100 moves. */
export function leapRate(c: LeapCount): number {
  return c.moves > 0 ? (100 * c.leaps) / c.moves : 0
}

/**
 * The outer voices of a piano-roll frame list: the highest sounding pitch and, when two or more sound, the
 * lowest (-1 when silent). A lone note is one voice, not a pair in unison: counting it as both would make
 * every move of an unaccompanied melody a "parallel octave".
 */
export function outerVoices(frames: ReadonlyArray<ReadonlyArray<number>>): number[][] {
  return frames.map((f) => [f.length === 0 ? -1 : Math.max(...f), f.length < 2 ? -1 : Math.min(...f)])
}
