import { readFileSync } from 'node:fs'
import type { Rng } from '../common/rng.js'

/** One 16th-note step: [S, A, T, B] MIDI pitches, -1 = voice silent. */
export type Step = [number, number, number, number]
export type Chorale = Step[]
export type ChoraleSet = Record<string, Chorale[]>

/** Dataset path relative to ../shared/datasets. */
export const DEFAULT_DATA = 'jsb-chorales/Jsb16thSeparated.json'

export const VOICES = ['S', 'A', 'T', 'B'] as const
/** Lowest pitch of the vocabulary; class 0 is "silent", class k >= 1 is MIDI PITCH_MIN + k - 1. */
export const PITCH_MIN = 36
export const PITCH_MAX = 84
export const VOCAB = PITCH_MAX - PITCH_MIN + 2

/**
 * Per-voice pitch ranges of the training split (S 60-81, A 52-74, T 46-69, B 36-66). Transposition
 * augmentation keeps each voice inside its range, so the model never sees a bass at soprano height.
 */
export const VOICE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [60, 81],
  [52, 74],
  [46, 69],
  [36, 66],
]

export function loadChorales(file: string): ChoraleSet {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number[][][]>
  const out: ChoraleSet = {}
  for (const [split, pieces] of Object.entries(raw)) {
    out[split] = pieces.map((piece) =>
      piece.map((step) => {
        if (step.length !== 4) throw new Error(`${split}: a step must have 4 voices`)
        return [step[0], step[1], step[2], step[3]] as Step
      }),
    )
  }
  return out
}

export function getSplit(set: ChoraleSet, split: string): Chorale[] {
  const pieces = set[split]
  if (!pieces) throw new Error(`no split "${split}"; have ${Object.keys(set).join(', ')}`)
  return pieces
}

export function pitchToClass(pitch: number): number {
  if (pitch < 0) return 0
  if (pitch < PITCH_MIN || pitch > PITCH_MAX)
    throw new Error(`pitch ${pitch} outside ${PITCH_MIN}..${PITCH_MAX}`)
  return pitch - PITCH_MIN + 1
}

export function classToPitch(cls: number): number {
  return cls === 0 ? -1 : cls + PITCH_MIN - 1
}

/** Semitone shifts (within -6..+5, one of each key) that keep every voice of the piece in range. */
export function allowedTranspositions(piece: Chorale): number[] {
  const lo = [999, 999, 999, 999]
  const hi = [-999, -999, -999, -999]
  for (const step of piece) {
    for (let v = 0; v < 4; v++) {
      const p = step[v] ?? -1
      if (p < 0) continue
      lo[v] = Math.min(lo[v] ?? 999, p)
      hi[v] = Math.max(hi[v] ?? -999, p)
    }
  }
  const shifts: number[] = []
  for (let s = -6; s <= 5; s++) {
    let ok = true
    for (let v = 0; v < 4; v++) {
      const [rlo, rhi] = VOICE_RANGES[v] as readonly [number, number]
      if ((lo[v] ?? 0) === 999) continue
      if ((lo[v] ?? 0) + s < rlo || (hi[v] ?? 0) + s > rhi) ok = false
    }
    if (ok) shifts.push(s)
  }
  return shifts.length > 0 ? shifts : [0]
}

/**
 * A batch of token classes laid out [B, T, 4] (row-major), with a 0/1 weight per step (0 = padding)
 * and the absolute step index (for the metre features). `prev` holds the previous step's classes
 * (-1 before the first step, which one-hot encodes to all zeros).
 */
export interface Batch {
  batch: number
  time: number
  cur: Int32Array
  prev: Int32Array
  pos: Int32Array
  weight: Float32Array
}

export function emptyBatch(batch: number, time: number): Batch {
  return {
    batch,
    time,
    cur: new Int32Array(batch * time * 4),
    prev: new Int32Array(batch * time * 4).fill(-1),
    pos: new Int32Array(batch * time),
    weight: new Float32Array(batch * time),
  }
}

/** Writes piece[start .. start+len) (transposed by `shift`) into row b of the batch. */
export function fillRow(batch: Batch, b: number, piece: Chorale, start: number, shift: number): void {
  const T = batch.time
  const tr = (p: number) => (p < 0 ? 0 : pitchToClass(p + shift))
  for (let i = 0; i < T; i++) {
    const t = start + i
    const o = b * T + i
    const step = piece[t]
    if (!step) {
      batch.weight[o] = 0
      for (let v = 0; v < 4; v++) batch.cur[o * 4 + v] = 0
      continue
    }
    batch.weight[o] = 1
    batch.pos[o] = t
    for (let v = 0; v < 4; v++) batch.cur[o * 4 + v] = tr(step[v] ?? -1)
    const before = piece[t - 1]
    for (let v = 0; v < 4; v++) batch.prev[o * 4 + v] = before ? tr(before[v] ?? -1) : -1
  }
}

/** Random crops of length `time`, pieces drawn in proportion to their length, random allowed key. */
export function sampleBatch(
  pieces: Chorale[],
  rng: Rng,
  batch: number,
  time: number,
  augment: boolean,
): Batch {
  const out = emptyBatch(batch, time)
  const total = pieces.reduce((a, p) => a + p.length, 0)
  for (let b = 0; b < batch; b++) {
    let r = rng.int(total)
    let piece = pieces[0] as Chorale
    for (const p of pieces) {
      if (r < p.length) {
        piece = p
        break
      }
      r -= p.length
    }
    const start = piece.length > time ? rng.int(piece.length - time + 1) : 0
    const shifts = augment ? allowedTranspositions(piece) : [0]
    fillRow(out, b, piece, start, shifts[rng.int(shifts.length)] ?? 0)
  }
  return out
}

/** Whole pieces, padded to the longest, for evaluation (the causal model sees each from its start). */
export function wholeBatch(pieces: Chorale[]): Batch {
  const time = Math.max(...pieces.map((p) => p.length))
  const out = emptyBatch(pieces.length, time)
  pieces.forEach((p, b) => {
    fillRow(out, b, p, 0, 0)
  })
  return out
}

/** README's trivial baseline: one add-0.5-smoothed pitch distribution per voice, fitted on `train`. */
export function unigramBaseline(train: Chorale[], test: Chorale[]): number {
  const counts = Array.from({ length: 4 }, () => new Map<number, number>())
  const totals = [0, 0, 0, 0]
  for (const piece of train)
    for (const step of piece)
      step.forEach((p, v) => {
        const m = counts[v] as Map<number, number>
        m.set(p, (m.get(p) ?? 0) + 1)
        totals[v] = (totals[v] ?? 0) + 1
      })
  let nll = 0
  let n = 0
  for (const piece of test)
    for (const step of piece)
      step.forEach((p, v) => {
        const c = (counts[v] as Map<number, number>).get(p) ?? 0
        nll -= Math.log((c + 0.5) / ((totals[v] ?? 0) + 0.5 * VOCAB))
        n++
      })
  return nll / n
}

/** Octave shift that brings the melody closest to the soprano range the model was trained on. */
export function octaveShift(soprano: readonly number[]): number {
  const [lo, hi] = VOICE_RANGES[0]!
  let best = 0
  let bestCost = Number.POSITIVE_INFINITY
  for (let k = -4; k <= 4; k++) {
    let cost = 0
    for (const p of soprano) if (p >= 0) cost += Math.max(0, lo - (p + 12 * k)) + Math.max(0, p + 12 * k - hi)
    if (cost < bestCost || (cost === bestCost && Math.abs(k) < Math.abs(best))) {
      best = k
      bestCost = cost
    }
  }
  return 12 * best
}

/** The nearest octave of a pitch inside the model's pitch vocabulary. */
export function foldIntoVocab(p: number): number {
  let q = p
  while (q > PITCH_MAX) q -= 12
  while (q < PITCH_MIN) q += 12
  return q
}
