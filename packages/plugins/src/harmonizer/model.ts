import * as tf from '@tensorflow/tfjs'
import { dense, Params, receptiveField, tcnStack } from '../common/nn.js'
import { type Batch, type Chorale, VOCAB, wholeBatch } from './data.js'

/**
 * Harmonizer: a causal TCN over 16th steps with a within-step S -> A -> T -> B factorisation, plus an
 * optional anti-causal "soprano look-ahead" stream.
 *
 * - Full mode (soprano stream off): p(x) = prod_t prod_v p(x_{t,v} | x_{<t}, x_{t,<v}), exactly the
 *   README's serial S,A,T,B order, so the note-wise NLL is directly comparable with Coconet/Transformer.
 * - Harmonize mode (stream on): the trunk also sees the soprano up to `lookahead` steps ahead, so
 *   A, T, B are predicted from the past, the current soprano and the coming melody, and sampling
 *   A,T,B step by step for a given melody is exact ancestral sampling of this conditional.
 * One network, trained on both modes (a per-sequence switch), so one set of weights serves both.
 */
export const HARMONIZER_FORMAT = 'ensemble-harmonizer-tcn/1'

export interface HarmonizerConfig {
  vocab: number
  channels: number
  dilations: number[]
  sopranoChannels: number
  sopranoDilations: number[]
  headHidden: number
  metre: number
  dropout: number
}

export const DEFAULT_CONFIG: HarmonizerConfig = {
  vocab: VOCAB,
  channels: 128,
  dilations: [1, 2, 4, 8, 16, 32],
  sopranoChannels: 64,
  sopranoDilations: [1, 2, 4, 8],
  headHidden: 128,
  metre: 16,
  dropout: 0.1,
}

/** Tensors of one batch; `given` is 1 for rows whose whole soprano is known (harmonize mode). */
export interface BatchTensors {
  cur: tf.Tensor3D
  prev: tf.Tensor3D
  pos: tf.Tensor2D
  weight: tf.Tensor2D
  given: tf.Tensor1D
}

export function batchTensors(b: Batch, given: number[]): BatchTensors {
  return {
    cur: tf.tensor3d(b.cur, [b.batch, b.time, 4], 'int32'),
    prev: tf.tensor3d(b.prev, [b.batch, b.time, 4], 'int32'),
    pos: tf.tensor2d(b.pos, [b.batch, b.time], 'int32'),
    weight: tf.tensor2d(b.weight, [b.batch, b.time]),
    given: tf.tensor1d(given),
  }
}

export class HarmonizerModel {
  readonly params: Params

  constructor(
    readonly config: HarmonizerConfig,
    seed = 1,
  ) {
    this.params = new Params(seed)
    // One tiny forward pass creates every variable in a fixed order (the optimizer relies on it).
    const b = wholeBatch([[[60, 55, 50, 40]] as Chorale])
    const t = batchTensors(b, [1])
    tf.tidy(() => {
      const h = this.trunk(t, false, 0)
      for (let v = 0; v < 4; v++) this.head(v, h, t.cur)
    })
    tf.dispose(Object.values(t))
  }

  /** Steps of history the trunk can see (causal receptive field). */
  get history(): number {
    return receptiveField(this.config.dilations)
  }

  /** Steps of soprano look-ahead in harmonize mode. */
  get lookahead(): number {
    return receptiveField(this.config.sopranoDilations) - 1
  }

  /** Hidden state h_t [B, T, C]: sees x_{<t} (all voices) and, where given, soprano up to t+lookahead. */
  trunk(t: BatchTensors, training: boolean, seed: number): tf.Tensor {
    const c = this.config
    const p = this.params
    const [B, T] = t.prev.shape
    const prev = tf.oneHot(t.prev, c.vocab).reshape([B, T, 4 * c.vocab])
    const metre = tf.oneHot(tf.mod(t.pos, c.metre).toInt(), c.metre).toFloat()
    let h = dense(p, 'in', tf.concat([prev, metre], -1), c.channels, { bias: false })
    const sop = tf.oneHot(t.cur.slice([0, 0, 0], [B, T, 1]).reshape([B, T]), c.vocab).toFloat()
    let s = dense(p, 'sop.in', sop, c.sopranoChannels, { bias: false })
    s = tcnStack(p, 'sop.tcn', s, c.sopranoDilations, 'anticausal', {
      dropout: c.dropout,
      training,
      seed: seed + 101,
    })
    const sProj = dense(p, 'sop.out', tf.relu(s), c.channels, { bias: false })
    h = tf.add(h, tf.mul(sProj, t.given.reshape([B, 1, 1])))
    h = tcnStack(p, 'tcn', h, c.dilations, 'causal', { dropout: c.dropout, training, seed })
    return tf.relu(h)
  }

  /** Logits [.., V] of voice v from h and the current step's lower-index voices (teacher-forced). */
  head(v: number, h: tf.Tensor, cur: tf.Tensor, training = false, seed = 0): tf.Tensor {
    const c = this.config
    const p = this.params
    let z = dense(p, `head${v}.h`, h, c.headHidden)
    if (v > 0) {
      const lead = cur.shape.slice(0, -1)
      const known = tf
        .oneHot(cur.slice(new Array(cur.rank).fill(0), [...lead, v]), c.vocab)
        .reshape([...lead, v * c.vocab])
      z = tf.add(z, dense(p, `head${v}.cond`, known, c.headHidden, { bias: false }))
    }
    z = tf.relu(z)
    if (training && c.dropout > 0) z = tf.dropout(z, c.dropout, undefined, seed + 7 * v)
    return dense(p, `head${v}.out`, z, c.vocab)
  }

  /**
   * Per-token NLL [B, T, 4] (nats) and the matching weights: padding is 0, and in harmonize rows the
   * soprano token is 0 (it is an input there, not a prediction).
   */
  tokenNll(t: BatchTensors, training: boolean, seed: number): { nll: tf.Tensor3D; w: tf.Tensor3D } {
    const h = this.trunk(t, training, seed)
    const [B, T] = t.pos.shape
    const nlls: tf.Tensor[] = []
    for (let v = 0; v < 4; v++) {
      const logits = this.head(v, h, t.cur, training, seed)
      const target = tf.oneHot(t.cur.slice([0, 0, v], [B, T, 1]).reshape([B, T]), this.config.vocab)
      nlls.push(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), target), -1)))
    }
    const nll = tf.stack(nlls, -1) as tf.Tensor3D
    const sopW = tf.sub(1, t.given).reshape([B, 1, 1])
    const voiceW = tf.concat([tf.mul(sopW, tf.ones([B, 1, 1])), tf.ones([B, 1, 3])], -1)
    const w = tf.mul(t.weight.reshape([B, T, 1]), voiceW) as tf.Tensor3D
    return { nll, w }
  }

  loss(t: BatchTensors, training: boolean, seed: number): tf.Scalar {
    return tf.tidy(() => {
      const { nll, w } = this.tokenNll(t, training, seed)
      return tf.div(tf.sum(tf.mul(nll, w)), tf.maximum(tf.sum(w), 1)) as tf.Scalar
    })
  }

  dispose(): void {
    this.params.dispose()
  }
}

export type EvalMode = 'full' | 'harmonize'

export interface NllReport {
  mode: EvalMode
  /** Mean NLL per token over the voices the mode predicts. */
  nll: number
  /** Mean NLL per voice (S, A, T, B); S is NaN in harmonize mode. */
  perVoice: number[]
  tokens: number
}

/** Exact note-wise NLL over whole pieces (each scored from its first step), in batches of similar length. */
export function evaluateNll(
  model: HarmonizerModel,
  pieces: Chorale[],
  mode: EvalMode,
  batchSize = 8,
): NllReport {
  const sorted = [...pieces].sort((a, b) => a.length - b.length)
  const sums = [0, 0, 0, 0]
  const counts = [0, 0, 0, 0]
  for (let i = 0; i < sorted.length; i += batchSize) {
    const chunk = sorted.slice(i, i + batchSize)
    const t = batchTensors(
      wholeBatch(chunk),
      chunk.map(() => (mode === 'harmonize' ? 1 : 0)),
    )
    const [s, n] = tf.tidy(() => {
      const { nll, w } = model.tokenNll(t, false, 0)
      return [tf.sum(tf.mul(nll, w), [0, 1]), tf.sum(w, [0, 1])]
    })
    const sv = s.dataSync()
    const nv = n.dataSync()
    for (let v = 0; v < 4; v++) {
      sums[v] = (sums[v] ?? 0) + (sv[v] ?? 0)
      counts[v] = (counts[v] ?? 0) + (nv[v] ?? 0)
    }
    tf.dispose([s, n, ...Object.values(t)])
  }
  const total = sums.reduce((a, b) => a + b, 0)
  const tokens = counts.reduce((a, b) => a + b, 0)
  return {
    mode,
    nll: total / tokens,
    perVoice: sums.map((s, v) => (counts[v] ? s / (counts[v] ?? 1) : Number.NaN)),
    tokens,
  }
}
