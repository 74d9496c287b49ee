import * as tf from '@tensorflow/tfjs'
import { dense, Params, receptiveField, sigmoidXent, tcnStack } from '../common/nn.js'
import { type Beat, type DrumBatch, emptyDrumBatch, fillDrumRow, N_CLASSES, STEPS_PER_BAR } from './data.js'

export const DRUMS_FORMAT = 'ensemble-drums-tcn/1'

/**
 * Causal TCN over 16th steps: previous hits + position in the bar in, 9 independent hit logits out.
 * Same building blocks as the continue model; the bar position lets it learn metre-bound patterns.
 */
export interface DrumsConfig {
  classes: number
  stepsPerBar: number
  channels: number
  dilations: number[]
  dropout: number
}

export const DEFAULT_DRUMS_CONFIG: DrumsConfig = {
  classes: N_CLASSES,
  stepsPerBar: STEPS_PER_BAR,
  channels: 96,
  dilations: [1, 2, 4, 8, 16, 32],
  dropout: 0.1,
}

export interface DrumTensors {
  input: tf.Tensor3D
  target: tf.Tensor3D
  pos: tf.Tensor2D
  weight: tf.Tensor2D
}

export function drumTensors(b: DrumBatch): DrumTensors {
  return {
    input: tf.tensor3d(b.input, [b.batch, b.time, N_CLASSES]),
    target: tf.tensor3d(b.target, [b.batch, b.time, N_CLASSES]),
    pos: tf.tensor2d(b.pos, [b.batch, b.time], 'int32'),
    weight: tf.tensor2d(b.weight, [b.batch, b.time]),
  }
}

export class DrumsModel {
  readonly params: Params

  constructor(
    readonly config: DrumsConfig,
    seed = 1,
  ) {
    this.params = new Params(seed)
    const b = emptyDrumBatch(1, 2)
    fillDrumRow(b, 0, [1, 4], 0)
    const t = drumTensors(b)
    tf.tidy(() => this.logits(t, false, 0))
    tf.dispose(Object.values(t))
    // Hits are sparse (~10% of class-steps): start the output at that log-odds, not at 50%.
    const bias = this.params.vars.get('out.b')
    if (bias) tf.tidy(() => bias.assign(tf.fill([config.classes], -2.2)))
  }

  get history(): number {
    return receptiveField(this.config.dilations)
  }

  logits(t: DrumTensors, training: boolean, seed: number): tf.Tensor {
    const c = this.config
    const p = this.params
    const position = tf.oneHot(tf.mod(t.pos, c.stepsPerBar).toInt(), c.stepsPerBar).toFloat()
    let h = dense(p, 'in', tf.concat([t.input, position], -1), c.channels)
    h = tcnStack(p, 'tcn', h, c.dilations, 'causal', { dropout: c.dropout, training, seed })
    h = tf.relu(h)
    return dense(p, 'out', h, c.classes)
  }

  stepNll(t: DrumTensors, training: boolean, seed: number): tf.Tensor2D {
    return tf.sum(sigmoidXent(this.logits(t, training, seed), t.target), -1) as tf.Tensor2D
  }

  loss(t: DrumTensors, training: boolean, seed: number): tf.Scalar {
    return tf.tidy(() => {
      const nll = this.stepNll(t, training, seed)
      return tf.div(tf.sum(tf.mul(nll, t.weight)), tf.maximum(tf.sum(t.weight), 1)) as tf.Scalar
    })
  }

  dispose(): void {
    this.params.dispose()
  }
}

/** NLL per 16th step (sum of the 9 class log-losses), averaged over every step of whole beats. */
export function evaluateStepNll(model: DrumsModel, beats: Beat[], batchSize = 8, maxTime = 4096): number {
  const sorted = [...beats].sort((a, b) => a.hits.length - b.hits.length)
  let sum = 0
  let steps = 0
  for (let i = 0; i < sorted.length; i += batchSize) {
    const chunk = sorted.slice(i, i + batchSize)
    const time = Math.min(maxTime, Math.max(...chunk.map((b) => b.hits.length)))
    const b = emptyDrumBatch(chunk.length, time)
    chunk.forEach((beat, r) => {
      fillDrumRow(b, r, beat.hits.subarray(0, time), 0)
    })
    const t = drumTensors(b)
    const s = tf.tidy(() => tf.sum(tf.mul(model.stepNll(t, false, 0), t.weight)))
    sum += s.dataSync()[0] ?? 0
    steps += b.weight.reduce((a, w) => a + w, 0)
    tf.dispose([s, ...Object.values(t)])
  }
  return sum / steps
}
