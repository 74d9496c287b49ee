import * as tf from '@tensorflow/tfjs'
import { Rng } from '../common/rng.js'
import { DRUM_CLASSES, emptyDrumBatch, fillDrumRow, N_CLASSES } from './data.js'
import { type DrumsModel, drumTensors } from './model.js'

export interface DrumsOptions {
  /** 16th steps to generate. */
  steps: number
  /** Hit masks (bit c = class c) to continue from; its length sets the bar position. Default empty. */
  primer?: number[]
  temperature?: number
  seed?: number
}

/** Generates hit masks step by step (ancestral sampling of the 9 Bernoullis). Same seed, same beat. */
export function generateDrums(model: DrumsModel, opts: DrumsOptions): number[] {
  const rng = new Rng(opts.seed ?? 0)
  const temperature = opts.temperature ?? 1
  const hits = [...(opts.primer ?? [])]
  const out: number[] = []
  const R = model.history
  for (let i = 0; i < opts.steps; i++) {
    const t = hits.length
    const start = Math.max(0, t - R + 1)
    const window = [...hits, 0]
    const b = emptyDrumBatch(1, t + 1 - start)
    fillDrumRow(b, 0, window, start)
    const x = drumTensors(b)
    const logits = tf.tidy(() =>
      model
        .logits(x, false, 0)
        .slice([0, t - start, 0], [1, 1, N_CLASSES])
        .reshape([N_CLASSES]),
    )
    const z = logits.dataSync()
    tf.dispose([logits, ...Object.values(x)])
    let mask = 0
    for (let c = 0; c < N_CLASSES; c++) {
      const zc = z[c] ?? 0
      const on = temperature <= 0 ? zc > 0 : rng.next() < 1 / (1 + Math.exp(-zc / temperature))
      if (on) mask |= 1 << c
    }
    hits.push(mask)
    out.push(mask)
  }
  return out
}

export interface DrumNote {
  pitch: number
  start: number
  duration: number
  velocity: number
}

/** Hit masks to General MIDI drum notes (one 16th long) at 120 ticks per step from startTick. */
export function drumsToNotes(masks: number[], startTick = 0, ticksPerStep = 120, velocity = 100): DrumNote[] {
  const notes: DrumNote[] = []
  masks.forEach((mask, t) => {
    DRUM_CLASSES.forEach((c, k) => {
      if ((mask >> k) & 1) {
        notes.push({
          pitch: c.pitches[0] ?? 36,
          start: startTick + t * ticksPerStep,
          duration: ticksPerStep,
          velocity,
        })
      }
    })
  })
  return notes
}
