import * as tf from '@tensorflow/tfjs'
import { KEY_MIN, KEYS } from './data.js'
import { ContinueModel, DEFAULT_CONTINUE_CONFIG } from './model.js'

/* Small hand-set continue models for tests of the training code and of the plugin runtime. */

/** A model that always wants middle C and, only through the within-frame term, the E above it. */
export function chordModel(): ContinueModel {
  const model = new ContinueModel({ ...DEFAULT_CONTINUE_CONFIG, channels: 8, dilations: [1] }, 3)
  const c = 60 - KEY_MIN
  const e = 64 - KEY_MIN
  const bias = new Float32Array(KEYS).fill(-12)
  bias[c] = 12
  tf.tidy(() => {
    for (const name of ['in.w', 'out.w']) {
      const v = model.params.vars.get(name)!
      v.assign(tf.zerosLike(v))
    }
    model.params.vars.get('out.b')!.assign(tf.tensor1d(bias))
    const w = new Float32Array(KEYS * KEYS)
    // Stored divided by the scale; the model multiplies it back.
    w[c * KEYS + e] = 30 / (DEFAULT_CONTINUE_CONFIG.withinFrameScale ?? 1)
    model.params.vars.get('frame.w')!.assign(tf.tensor2d(w, [KEYS, KEYS]))
  })
  return model
}
