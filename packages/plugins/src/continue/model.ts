import * as tf from '@tensorflow/tfjs'
import { dense, Params, receptiveField, sigmoidXent, tcnStack } from '../common/nn.js'
import { CORPORA, emptyRollBatch, fillRollRow, KEYS, type Piece, type RollBatch } from './data.js'

export const CONTINUE_FORMAT = 'ensemble-continue-tcn/1'

/**
 * Causal TCN over piano-roll frames (Bai et al. 2018's polyphonic-music setup): the previous frames
 * in, 88 key logits for the next frame out. A corpus one-hot (JSB / Nottingham) is added to every
 * frame so one network learns both styles and both grids (quarter vs 8th notes).
 *
 * With `withinFrame`, key k's logit also gets a learned term from the keys below it in the same
 * frame (a strictly triangular 88 x 88 matrix): the frame's probability is the chain-rule product
 * p(k | keys < k, past), as in NADE-style outputs (Boulanger-Lewandowski et al. 2012), so chords
 * stop being 88 independent guesses. Training stays one parallel product (teacher forcing on the
 * target frame); sampling draws the keys from low to high.
 */
export interface ContinueConfig {
  keys: number
  corpora: number
  channels: number
  dilations: number[]
  dropout: number
  /** Absent in models saved before the within-frame term (they keep independent keys). */
  withinFrame?: boolean
  /**
   * The term's weights are stored divided by this: Adam moves every weight by about the learning rate
   * per step, and these start at zero beside an already trained network, so they learn this much faster.
   */
  withinFrameScale?: number
}

export const DEFAULT_CONTINUE_CONFIG: ContinueConfig = {
  keys: KEYS,
  corpora: CORPORA.length,
  channels: 128,
  dilations: [1, 2, 4, 8, 16],
  dropout: 0.2,
  withinFrame: true,
  withinFrameScale: 10,
}

/** [K, K] with 1 where row j < column k: key k may depend on key j of the same frame. */
function lowerKeysMask(keys: number): tf.Tensor2D {
  return tf.tidy(() => {
    const j = tf.range(0, keys).reshape([keys, 1])
    const k = tf.range(0, keys).reshape([1, keys])
    return tf.less(j, k).toFloat() as tf.Tensor2D
  })
}

/**
 * A model's within-frame term as applied ([K * K] row-major, row j < column k, stored weights times their
 * scale), or undefined for a model without one: for the sampler here and the plugin's step runtime alike.
 */
export function withinFrameWeights(
  weights: tf.NamedTensorMap,
  config: Pick<ContinueConfig, 'withinFrame' | 'withinFrameScale'>,
): Float32Array | undefined {
  const w = weights['frame.w']
  if (!config.withinFrame || !w) return undefined
  const scale = config.withinFrameScale ?? 1
  return (w.dataSync() as Float32Array).map((v) => v * scale)
}

export interface RollTensors {
  input: tf.Tensor3D
  target: tf.Tensor3D
  weight: tf.Tensor2D
  corpus: tf.Tensor1D
}

export function rollTensors(b: RollBatch): RollTensors {
  return {
    input: tf.tensor3d(b.input, [b.batch, b.time, KEYS]),
    target: tf.tensor3d(b.target, [b.batch, b.time, KEYS]),
    weight: tf.tensor2d(b.weight, [b.batch, b.time]),
    corpus: tf.tensor1d(b.corpus, 'int32'),
  }
}

export class ContinueModel {
  readonly params: Params
  private readonly mask: tf.Tensor2D | null

  constructor(
    readonly config: ContinueConfig,
    seed = 1,
  ) {
    this.params = new Params(seed)
    this.mask = config.withinFrame ? lowerKeysMask(config.keys) : null
    const b = emptyRollBatch(1, 2)
    fillRollRow(b, 0, [[60], [64]], 0, 0)
    const t = rollTensors(b)
    tf.tidy(() => this.logits(t, false, 0))
    tf.dispose(Object.values(t))
    // Start the output bias at the log-odds of a typical key (~4% on): a zero bias costs ~60 nats
    // per frame at step 0 and wastes the first few hundred steps unlearning it.
    const bias = this.params.vars.get('out.b')
    if (bias) tf.tidy(() => bias.assign(tf.fill([config.keys], -3.2)))
  }

  get history(): number {
    return receptiveField(this.config.dilations)
  }

  /**
   * Key logits [B, T, 88] for frame t from frames < t, and (withinFrame) from `t.target`'s keys below
   * each key at t; a sampler passes the keys drawn so far there.
   */
  logits(t: RollTensors, training: boolean, seed: number): tf.Tensor {
    const c = this.config
    const p = this.params
    const [B, T] = t.weight.shape
    const corpus = tf.tile(tf.oneHot(t.corpus, c.corpora).reshape([B, 1, c.corpora]), [1, T, 1]).toFloat()
    let h = dense(p, 'in', tf.concat([t.input, corpus], -1), c.channels)
    h = tcnStack(p, 'tcn', h, c.dilations, 'causal', { dropout: c.dropout, training, seed })
    h = tf.relu(h)
    if (training && c.dropout > 0) h = tf.dropout(h, c.dropout, undefined, seed + 991)
    const z = dense(p, 'out', h, c.keys)
    if (!this.mask) return z
    // Zero at first: a fine-tuned model starts exactly where the independent-keys one was.
    const w = tf.mul(p.get('frame.w', [c.keys, c.keys], 'zeros'), tf.mul(this.mask, c.withinFrameScale ?? 1))
    return tf.add(z, tf.matMul(t.target.reshape([B * T, c.keys]), w).reshape([B, T, c.keys]))
  }

  /** The within-frame weights as a plain [K * K] row-major array (row = lower key), if any. */
  frameWeights(): Float32Array | undefined {
    return withinFrameWeights(this.params.named(), this.config)
  }

  /** Sum over keys of the Bernoulli NLL, per frame [B, T]. */
  frameNll(t: RollTensors, training: boolean, seed: number): tf.Tensor2D {
    return tf.sum(sigmoidXent(this.logits(t, training, seed), t.target), -1) as tf.Tensor2D
  }

  loss(t: RollTensors, training: boolean, seed: number): tf.Scalar {
    return tf.tidy(() => {
      const nll = this.frameNll(t, training, seed)
      return tf.div(tf.sum(tf.mul(nll, t.weight)), tf.maximum(tf.sum(t.weight), 1)) as tf.Scalar
    })
  }

  dispose(): void {
    this.params.dispose()
    this.mask?.dispose()
  }
}

/** README metric: frame-wise NLL (nats/frame, 88 keys), averaged over all frames of whole pieces. */
export function evaluateFrameNll(
  model: ContinueModel,
  pieces: Piece[],
  corpus: number,
  batchSize = 16,
): number {
  const sorted = [...pieces].sort((a, b) => a.length - b.length)
  let sum = 0
  let frames = 0
  for (let i = 0; i < sorted.length; i += batchSize) {
    const chunk = sorted.slice(i, i + batchSize)
    const b = emptyRollBatch(chunk.length, Math.max(...chunk.map((p) => p.length)))
    chunk.forEach((p, r) => {
      fillRollRow(b, r, p, 0, corpus)
    })
    const t = rollTensors(b)
    const s = tf.tidy(() => tf.sum(tf.mul(model.frameNll(t, false, 0), t.weight)))
    sum += s.dataSync()[0] ?? 0
    frames += b.weight.reduce((a, w) => a + w, 0)
    tf.dispose([s, ...Object.values(t)])
  }
  return sum / frames
}
