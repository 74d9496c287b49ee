import tonejsMidi from '@tonejs/midi'
import type { Rng } from '../common/rng.js'

// @tonejs/midi is CommonJS: Node's ESM loader only exposes its default export.
const { Midi } = tonejsMidi

/**
 * The 9 drum classes of Magenta's GrooVAE (drums_encoder_decoder.DEFAULT_DRUM_TYPE_PITCHES): every
 * General MIDI drum note maps to one class; the first pitch of each list is what we play back.
 */
export const DRUM_CLASSES: ReadonlyArray<{ name: string; pitches: readonly number[] }> = [
  { name: 'kick', pitches: [36, 35] },
  { name: 'snare', pitches: [38, 27, 28, 31, 32, 33, 34, 37, 39, 40, 56, 65, 66, 75, 85] },
  { name: 'closed hi-hat', pitches: [42, 44, 54, 68, 69, 70, 71, 73, 78, 80, 22] },
  { name: 'open hi-hat', pitches: [46, 67, 72, 74, 79, 81, 26] },
  { name: 'low tom', pitches: [45, 29, 41, 43, 61, 64, 84] },
  { name: 'mid tom', pitches: [48, 47, 60, 63, 77, 86, 87] },
  { name: 'high tom', pitches: [50, 30, 62, 76, 83] },
  { name: 'crash', pitches: [49, 52, 55, 57, 58] },
  { name: 'ride', pitches: [51, 53, 59, 82] },
]
export const N_CLASSES = DRUM_CLASSES.length
/** 16th steps per 4/4 bar: the position feature and the baseline's period. */
export const STEPS_PER_BAR = 16
export const DEFAULT_DATA = 'groove-midi'

const PITCH_TO_CLASS = new Map<number, number>()
DRUM_CLASSES.forEach((c, i) => {
  for (const p of c.pitches) PITCH_TO_CLASS.set(p, i)
})

export function drumClassOf(pitch: number): number | undefined {
  return PITCH_TO_CLASS.get(pitch)
}

/** A quantized beat: hits[t] is a bit mask over the 9 classes at 16th step t. */
export interface Beat {
  file: string
  style: string
  hits: Uint16Array
}

/** Onsets rounded to the nearest 16th (microtiming and velocity are dropped); unknown pitches skipped. */
export function quantizeMidi(data: Uint8Array): Uint16Array {
  const midi = new Midi(data)
  const tps = midi.header.ppq / 4
  const notes = midi.tracks.flatMap((t) => t.notes)
  const last = notes.reduce((m, n) => Math.max(m, n.ticks), 0)
  const hits = new Uint16Array(Math.round(last / tps) + 1)
  for (const n of notes) {
    const c = drumClassOf(n.midi)
    if (c === undefined) continue
    const t = Math.round(n.ticks / tps)
    hits[t] = (hits[t] ?? 0) | (1 << c)
  }
  return hits
}

/** [B, T, 9] previous-step hits in, current hits out, with the absolute step for the position feature. */
export interface DrumBatch {
  batch: number
  time: number
  input: Float32Array
  target: Float32Array
  pos: Int32Array
  weight: Float32Array
}

export function emptyDrumBatch(batch: number, time: number): DrumBatch {
  return {
    batch,
    time,
    input: new Float32Array(batch * time * N_CLASSES),
    target: new Float32Array(batch * time * N_CLASSES),
    pos: new Int32Array(batch * time),
    weight: new Float32Array(batch * time),
  }
}

export function fillDrumRow(b: DrumBatch, row: number, hits: ArrayLike<number>, start: number): void {
  for (let i = 0; i < b.time; i++) {
    const t = start + i
    if (t >= hits.length) continue
    const o = row * b.time + i
    b.weight[o] = 1
    b.pos[o] = t
    const cur = hits[t] ?? 0
    const prev = t > 0 ? (hits[t - 1] ?? 0) : 0
    for (let c = 0; c < N_CLASSES; c++) {
      b.target[o * N_CLASSES + c] = (cur >> c) & 1
      b.input[o * N_CLASSES + c] = (prev >> c) & 1
    }
  }
}

/** Random crops that start on a bar line, beats drawn in proportion to their length. */
export function sampleDrumBatch(beats: Beat[], rng: Rng, batch: number, time: number): DrumBatch {
  const out = emptyDrumBatch(batch, time)
  const total = beats.reduce((a, b) => a + b.hits.length, 0)
  for (let r = 0; r < batch; r++) {
    let k = rng.int(total)
    let beat = beats[0] as Beat
    for (const b of beats) {
      if (k < b.hits.length) {
        beat = b
        break
      }
      k -= b.hits.length
    }
    const bars = Math.max(1, Math.floor((beat.hits.length - time) / STEPS_PER_BAR) + 1)
    fillDrumRow(out, r, beat.hits, beat.hits.length > time ? rng.int(bars) * STEPS_PER_BAR : 0)
  }
  return out
}

/** Baseline: per-(bar position, class) hit frequency on train, scored as 9 Bernoullis per step. */
export function positionBaseline(train: Beat[], test: Beat[]): number {
  const on = new Float64Array(STEPS_PER_BAR * N_CLASSES)
  const n = new Float64Array(STEPS_PER_BAR)
  for (const b of train)
    b.hits.forEach((h, t) => {
      const q = t % STEPS_PER_BAR
      n[q] = (n[q] ?? 0) + 1
      for (let c = 0; c < N_CLASSES; c++)
        if ((h >> c) & 1) on[q * N_CLASSES + c] = (on[q * N_CLASSES + c] ?? 0) + 1
    })
  let nll = 0
  let steps = 0
  for (const b of test)
    b.hits.forEach((h, t) => {
      const q = t % STEPS_PER_BAR
      steps++
      for (let c = 0; c < N_CLASSES; c++) {
        // Add-0.5 smoothing: a class never seen at a position must not cost infinite nats.
        const p = ((on[q * N_CLASSES + c] ?? 0) + 0.5) / ((n[q] ?? 0) + 1)
        nll -= Math.log((h >> c) & 1 ? p : 1 - p)
      }
    })
  return nll / steps
}
