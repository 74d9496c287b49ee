import type { Rng } from '../common/rng.js'

/** One frame = the sorted MIDI pitches sounding in it. */
export type Frame = number[]
export type Piece = Frame[]
export type RollSet = Record<string, Piece[]>

/** Piano keys A0..C8, the 88 Bernoulli outputs of the README's frame-wise metric. */
export const KEY_MIN = 21
export const KEYS = 88

/** Corpora the model knows; the id is an input so one set of weights serves both styles and grids. */
export const CORPORA = ['jsb', 'nottingham'] as const
export type Corpus = (typeof CORPORA)[number]

export const DEFAULT_DATA: Record<Corpus, string> = {
  jsb: 'piano-roll/JSB_Chorales.json',
  nottingham: 'piano-roll/Nottingham.json',
}

export function getSplit(set: RollSet, split: string): Piece[] {
  const pieces = set[split]
  if (!pieces) throw new Error(`no split "${split}"; have ${Object.keys(set).join(', ')}`)
  return pieces
}

/** A [B, T, 88] batch: `input` is the previous frame (zeros before the first), `target` the frame. */
export interface RollBatch {
  batch: number
  time: number
  input: Float32Array
  target: Float32Array
  weight: Float32Array
  corpus: Int32Array
}

export function emptyRollBatch(batch: number, time: number): RollBatch {
  return {
    batch,
    time,
    input: new Float32Array(batch * time * KEYS),
    target: new Float32Array(batch * time * KEYS),
    weight: new Float32Array(batch * time),
    corpus: new Int32Array(batch),
  }
}

export function fillRollRow(b: RollBatch, row: number, piece: Piece, start: number, corpus: number): void {
  b.corpus[row] = corpus
  for (let i = 0; i < b.time; i++) {
    const t = start + i
    const frame = piece[t]
    if (!frame) continue
    const o = (row * b.time + i) * KEYS
    b.weight[row * b.time + i] = 1
    for (const p of frame) b.target[o + p - KEY_MIN] = 1
    const before = piece[t - 1]
    if (before) for (const p of before) b.input[o + p - KEY_MIN] = 1
  }
}

export interface Corpus2 {
  pieces: Piece[]
  corpus: number
}

/** Semitones a training crop may move by: every key is reached from the corpora's C major / minor. */
export const TRANSPOSE_RANGE = { down: 6, up: 5 } as const

/**
 * The crop moved by a random interval in TRANSPOSE_RANGE, narrowed so every pitch stays on the 88 keys.
 * Frame `start - 1` comes along (it is the first frame's input).
 */
export function transposedCrop(piece: Piece, start: number, time: number, rng: Rng): Piece {
  const crop = piece.slice(Math.max(0, start - 1), start + time)
  let low = KEY_MIN + KEYS
  let high = KEY_MIN - 1
  for (const f of crop)
    for (const p of f) {
      low = Math.min(low, p)
      high = Math.max(high, p)
    }
  const down = Math.min(TRANSPOSE_RANGE.down, Math.max(0, low - KEY_MIN))
  const up = Math.min(TRANSPOSE_RANGE.up, Math.max(0, KEY_MIN + KEYS - 1 - high))
  const shift = rng.int(down + up + 1) - down
  return crop.map((f) => f.map((p) => p + shift))
}

/**
 * Random crops; each row picks a corpus uniformly, then a piece in proportion to its length, and with
 * probability `transpose` moves the crop to another key (augmentation: both corpora are in C).
 */
export function sampleRollBatch(
  sources: Corpus2[],
  rng: Rng,
  batch: number,
  time: number,
  transpose = 0,
): RollBatch {
  const out = emptyRollBatch(batch, time)
  for (let r = 0; r < batch; r++) {
    const src = sources[rng.int(sources.length)] as Corpus2
    const total = src.pieces.reduce((a, p) => a + p.length, 0)
    let k = rng.int(total)
    let piece = src.pieces[0] as Piece
    for (const p of src.pieces) {
      if (k < p.length) {
        piece = p
        break
      }
      k -= p.length
    }
    const start = piece.length > time ? rng.int(piece.length - time + 1) : 0
    if (transpose > 0 && rng.next() < transpose) {
      const crop = transposedCrop(piece, start, time, rng)
      fillRollRow(out, r, crop, start > 0 ? 1 : 0, src.corpus)
    } else fillRollRow(out, r, piece, start, src.corpus)
  }
  return out
}

/** README's trivial baseline: one fixed probability per key (fitted on train, clipped away from 0/1). */
export function perKeyBaseline(train: Piece[], test: Piece[]): number {
  const on = new Float64Array(KEYS)
  let frames = 0
  for (const piece of train)
    for (const f of piece) {
      frames++
      for (const p of f) on[p - KEY_MIN] = (on[p - KEY_MIN] ?? 0) + 1
    }
  const prob = Array.from(on, (c) => Math.min(1 - 1e-6, Math.max(1e-6, c / frames)))
  let nll = 0
  let n = 0
  for (const piece of test)
    for (const f of piece) {
      n++
      const set = new Set(f)
      prob.forEach((q, k) => {
        nll -= Math.log(set.has(k + KEY_MIN) ? q : 1 - q)
      })
    }
  return nll / n
}
