import * as tf from '@tensorflow/tfjs'
import { keyPitchClasses, type PitchKey } from '../common/key.js'
import { Rng, sampleIndex } from '../common/rng.js'
import {
  classToPitch,
  emptyBatch,
  foldIntoVocab,
  octaveShift,
  pitchToClass,
  type Step,
  VOICE_RANGES,
} from './data.js'
import { batchTensors, type HarmonizerModel } from './model.js'
import { type MelodyNote, melodyToSteps, type Note, stepsToNotes, TICKS_PER_16TH } from './notes.js'

export interface HarmonizeOptions {
  seed?: number
  /** Softmax temperature; 0 picks the most likely pitch at every step (greedy). Default 0.8. */
  temperature?: number
  /** Optional key: pitches outside it get `keyPenalty` subtracted from their logits. */
  key?: PitchKey
  keyPenalty?: number
}

/**
 * Harmonizes a soprano line given on the 16th grid (MIDI pitches, -1 = rest): returns [S, A, T, B]
 * per step, S being the input. A, T, B are sampled step by step from the model's harmonize mode
 * (past of all voices + soprano up to `model.lookahead` steps ahead), so the result is an exact
 * ancestral sample of that conditional, except that a voice never rests under a sounding melody note; the
 * same seed gives the same result.
 */
export function harmonize(model: HarmonizerModel, soprano: number[], opts: HarmonizeOptions = {}): Step[] {
  const T = soprano.length
  if (T === 0) return []
  const rng = new Rng(opts.seed ?? 0)
  const temperature = opts.temperature ?? 0.8
  const shift = octaveShift(soprano)
  const V = model.config.vocab
  const cls = new Int32Array(T * 4)
  for (let t = 0; t < T; t++) {
    const p = soprano[t] ?? -1
    cls[t * 4] = p < 0 ? 0 : pitchToClass(foldIntoVocab(Math.round(p) + shift))
  }
  // Per-class logit offsets for each voice: voice ranges (+-2 semitones) and the optional key.
  const inKey = opts.key ? keyPitchClasses(opts.key) : null
  const bias = [1, 2, 3].map((v) => {
    const [lo, hi] = VOICE_RANGES[v] as readonly [number, number]
    const b = new Float32Array(V)
    for (let c = 1; c < V; c++) {
      const p = classToPitch(c)
      if (p < lo - 2 || p > hi + 2) b[c] = Number.NEGATIVE_INFINITY
      else if (inKey && !inKey.has((((p - shift) % 12) + 12) % 12)) b[c] = -(opts.keyPenalty ?? 1.5)
    }
    return b
  })

  const R = model.history
  const L = model.lookahead
  for (let t = 0; t < T; t++) {
    const ws = Math.max(0, t - R + 1)
    const we = Math.min(T, t + L + 1)
    const b = emptyBatch(1, we - ws)
    for (let i = 0; i < we - ws; i++) {
      const s = ws + i
      b.pos[i] = s
      b.weight[i] = 1
      for (let v = 0; v < 4; v++) {
        b.cur[i * 4 + v] = cls[s * 4 + v] ?? 0
        b.prev[i * 4 + v] = s > 0 ? (cls[(s - 1) * 4 + v] ?? 0) : -1
      }
    }
    const bt = batchTensors(b, [1])
    const h = tf.tidy(() => {
      const all = model.trunk(bt, false, 0)
      return all.slice([0, t - ws, 0], [1, 1, model.config.channels]).reshape([1, model.config.channels])
    })
    for (let v = 1; v < 4; v++) {
      const row = tf.tensor2d(Array.from(cls.subarray(t * 4, t * 4 + 4)), [1, 4], 'int32')
      const logits = tf.tidy(() => model.head(v, h, row)).dataSync()
      row.dispose()
      const vb = bias[v - 1] as Float32Array
      // Under a sounding melody note the voice sings (the chorales' four-part texture): no rest.
      vb[0] = (soprano[t] ?? -1) >= 0 ? Number.NEGATIVE_INFINITY : 0
      let pick = 0
      if (temperature <= 0) {
        let best = Number.NEGATIVE_INFINITY
        for (let c = 0; c < V; c++) {
          const z = (logits[c] ?? 0) + (vb[c] ?? 0)
          if (z > best) {
            best = z
            pick = c
          }
        }
      } else {
        let max = Number.NEGATIVE_INFINITY
        for (let c = 0; c < V; c++) max = Math.max(max, ((logits[c] ?? 0) + (vb[c] ?? 0)) / temperature)
        const probs = new Float64Array(V)
        for (let c = 0; c < V; c++) probs[c] = Math.exp(((logits[c] ?? 0) + (vb[c] ?? 0)) / temperature - max)
        pick = sampleIndex(probs, rng)
      }
      cls[t * 4 + v] = pick
    }
    h.dispose()
    tf.dispose(Object.values(bt))
  }
  const out: Step[] = []
  for (let t = 0; t < T; t++) {
    const row = [0, 1, 2, 3].map((v) => {
      if (v === 0) return soprano[t] ?? -1
      const p = classToPitch(cls[t * 4 + v] ?? 0)
      return p < 0 ? -1 : Math.min(127, Math.max(0, p - shift))
    })
    out.push(row as Step)
  }
  return out
}

export interface HarmonizeNotesRequest extends HarmonizeOptions {
  melody: ReadonlyArray<MelodyNote>
  /** Window to harmonize, in ticks (the song's PPQ); the grid starts at startTick. */
  startTick: number
  endTick: number
}

/** Melody notes in, alto/tenor/bass notes out (voices 1..3), all inside [startTick, endTick). */
export function harmonizeNotes(model: HarmonizerModel, req: HarmonizeNotesRequest): Note[] {
  const steps = Math.max(0, Math.floor((req.endTick - req.startTick) / TICKS_PER_16TH))
  const soprano = melodyToSteps(req.melody, { startTick: req.startTick, steps })
  const grid = harmonize(model, soprano, req)
  return stepsToNotes(grid, { startTick: req.startTick, voices: [1, 2, 3] })
}
