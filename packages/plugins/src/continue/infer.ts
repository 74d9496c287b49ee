import * as tf from '@tensorflow/tfjs'
import { Rng } from '../common/rng.js'
import { bernoulliChain } from '../common/step-maths.js'
import { CORPORA, type Corpus, emptyRollBatch, type Frame, fillRollRow, KEY_MIN, KEYS } from './data.js'
import { type ContinueModel, rollTensors } from './model.js'

export interface ContinueOptions {
  frames: number
  corpus?: Corpus
  /** Divides the key logits; < 1 is more conservative, > 1 more adventurous. 0 = threshold at 0.5. */
  temperature?: number
  seed?: number
}

/**
 * Continues a piano roll (frames of sounding pitches) by `frames` frames, sampling the 88 keys of
 * each new frame given the past and, for a within-frame model, given the keys below already drawn
 * (low to high, as the model factorises the frame). Pitches outside the 88 keys in the context are
 * ignored. The same seed gives the same continuation.
 */
export function continueRoll(model: ContinueModel, context: Frame[], opts: ContinueOptions): Frame[] {
  const rng = new Rng(opts.seed ?? 0)
  const temperature = opts.temperature ?? 1
  const corpus = Math.max(0, CORPORA.indexOf(opts.corpus ?? 'jsb'))
  const roll: Frame[] = context.map((f) => f.filter((p) => p >= KEY_MIN && p < KEY_MIN + KEYS))
  const generated: Frame[] = []
  const R = model.history
  const within = model.frameWeights()
  for (let i = 0; i < opts.frames; i++) {
    // The frame to predict is roll.length; the input at that position is the last known frame.
    const start = Math.max(0, roll.length - R + 1)
    const window = [...roll.slice(start), []]
    const b = emptyRollBatch(1, window.length)
    fillRollRow(b, 0, window, 0, corpus)
    // fillRollRow zeroes the first input; restore the true previous frame when the window is cropped.
    const before = roll[start - 1]
    if (before) for (const p of before) b.input[p - KEY_MIN] = 1
    const t = rollTensors(b)
    const logits = tf.tidy(() =>
      model
        .logits(t, false, 0)
        .slice([0, window.length - 1, 0], [1, 1, KEYS])
        .reshape([KEYS]),
    )
    const z = logits.dataSync() as Float32Array
    tf.dispose([logits, ...Object.values(t)])
    // The plugin runtime's draw, one uniform per key in key order (as the keys are drawn).
    const u = Float32Array.from({ length: KEYS }, () => (temperature <= 0 ? 0 : rng.next()))
    const on = bernoulliChain(z, u, temperature, within)
    const frame: Frame = []
    on.forEach((v, k) => {
      if (v) frame.push(k + KEY_MIN)
    })
    roll.push(frame)
    generated.push(frame)
  }
  return generated
}
