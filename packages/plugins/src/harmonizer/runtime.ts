import * as tf from '@tensorflow/tfjs'
import { categoricalLogProb } from '../common/likelihood.js'
import {
  addBias,
  addProduct,
  addRow,
  categorical,
  type Dense,
  denseOf,
  penaliseParallels,
  relu,
  type Stack,
  stackOf,
  tcnStep,
} from '../common/step-maths.js'
import { expectFormat, inputRows, stackStates, warm } from '../common/step-runtime.js'
import type { ModelRuntime } from '../host.js'
import { HARMONIZER_FORMAT } from './model.js'

/*
 * The harmonizer's `tfjs-functional` runtimes, one sampling step per call (see ../common/step-runtime.ts for
 * why steps are incremental and computed in plain TypeScript): the soprano look-ahead stream, once per
 * request on tfjs, and the per-16th step that draws alto, tenor and bass.
 */

function weight(w: tf.NamedTensorMap, name: string): tf.Tensor2D | tf.Tensor1D {
  const t = w[name]
  if (!t) throw new Error(`the model has no weight "${name}"`)
  return t as tf.Tensor2D
}

/** x [N, in] @ w + b: the `dense` of nn.ts on plain weights. */
function dense(w: tf.NamedTensorMap, name: string, x: tf.Tensor2D, bias = true): tf.Tensor2D {
  return tf.fused.matMul({
    a: x,
    b: weight(w, `${name}.w`) as tf.Tensor2D,
    bias: bias ? weight(w, `${name}.b`) : undefined,
  }) as tf.Tensor2D
}

/**
 * The row blocks of a dense kernel, split once at load: `concat([a, b]) @ W` is computed as `a @ W_a + b @ W_b`,
 * because the wasm backend's Concat on the last axis costs milliseconds per call (measured: 22 concats took
 * ~60 ms of a 65 ms step), far more than the extra matMul.
 */
function splitRows(w: tf.NamedTensorMap, name: string, sizes: number[]): tf.Tensor2D[] {
  const key = `${name}.w`
  const parts = tf.split(weight(w, key) as tf.Tensor2D, sizes, 0) as tf.Tensor2D[]
  sizes.forEach((_, i) => {
    w[`${key}#${i}`] = parts[i]!
  })
  return parts
}

/**
 * `act(concat(xs) @ W + b + add)` without the concat (`W` split by splitRows beforehand). The first product
 * is a fused matMul with the bias (the wasm backend fuses a rank-1 bias only), the others are added.
 */
function denseParts(
  w: tf.NamedTensorMap,
  name: string,
  xs: tf.Tensor2D[],
  opts: { bias?: boolean; relu?: boolean; add?: tf.Tensor } = {},
): tf.Tensor2D {
  const alone = xs.length === 1 && !opts.add
  let y: tf.Tensor2D = tf.fused.matMul({
    a: xs[0]!,
    b: weight(w, `${name}.w#0`) as tf.Tensor2D,
    bias: opts.bias === false ? undefined : weight(w, `${name}.b`),
    activation: alone && opts.relu ? 'relu' : 'linear',
  }) as tf.Tensor2D
  for (let i = 1; i < xs.length; i++)
    y = tf.add(y, tf.matMul(xs[i]!, weight(w, `${name}.w#${i}`) as tf.Tensor2D))
  if (opts.add) y = tf.add(y, opts.add)
  return opts.relu && !alone ? (tf.relu(y) as tf.Tensor2D) : y
}

/** Splits every conv kernel of a stack into its [x_t ; x_(t-d)] halves. */
function splitStack(w: tf.NamedTensorMap, prefix: string, blocks: number, channels: number): void {
  for (let i = 0; i < blocks; i++)
    for (const ab of ['a', 'b']) splitRows(w, `${prefix}.${i}.${ab}`, [channels, channels])
}

export interface HarmonizerShape {
  vocab: number
  channels: number
  dilations: number[]
  sopranoChannels: number
  sopranoDilations: number[]
  headHidden: number
  metre: number
}

/** Steps of soprano look-ahead: the anticausal stack's receptive field minus the current step. */
export const harmonizerLookahead = (c: HarmonizerShape): number =>
  2 * c.sopranoDilations.reduce((a, d) => a + d, 0)

/**
 * The harmonizer's soprano look-ahead stream for a whole melody, once per request (it depends on the melody
 * only): input `soprano` [T, V] one-hots; output [T, C], the stream's contribution to the trunk's input at
 * every step. The anticausal stack runs over exactly the melody, so its zero padding past the end is the
 * training code's. Per-example shape [T, V]: requests of the same length batch together.
 */
export const harmonizerMelodyRuntime: ModelRuntime = (asset) => {
  expectFormat(asset, HARMONIZER_FORMAT)
  const c = asset.config as HarmonizerShape
  const w = asset.weights
  const V = c.vocab
  splitStack(w, 'sop.tcn', c.sopranoDilations.length, c.sopranoChannels)
  return warm({
    inputShapes: [[null, V]],
    predict([soprano]) {
      const [B, T] = soprano!.shape as [number, number, number]
      const flat = (t: tf.Tensor) => t.reshape([B * T, -1]) as tf.Tensor2D
      const ahead = (x: tf.Tensor, d: number) =>
        d >= T
          ? tf.zerosLike(x)
          : tf.pad(x.slice([0, d, 0], [B, T - d, -1]), [
              [0, 0],
              [0, d],
              [0, 0],
            ])
      let s = dense(w, 'sop.in', flat(soprano!), false).reshape([B, T, c.sopranoChannels])
      c.sopranoDilations.forEach((d, i) => {
        const a = denseParts(w, `sop.tcn.${i}.a`, [flat(s), flat(ahead(s, d))], { relu: true }).reshape([
          B,
          T,
          -1,
        ])
        s = denseParts(w, `sop.tcn.${i}.b`, [flat(a), flat(ahead(a, d))], { add: flat(s) }).reshape([
          B,
          T,
          -1,
        ])
      })
      return [dense(w, 'sop.out', tf.relu(flat(s)) as tf.Tensor2D, false).reshape([B, T, c.channels])]
    },
  })
}

/** The harmonizer's step weights as plain arrays (see step-maths.ts). */
export interface HarmonizerNet {
  config: HarmonizerShape
  input: Dense
  trunk: Stack
  /** Per voice 1..3: hidden layer from the trunk, from the known voices' one-hots, and the logits layer. */
  heads: { h: Dense; cond: Dense; out: Dense }[]
}

export function harmonizerNet(weights: tf.NamedTensorMap, config: HarmonizerShape): HarmonizerNet {
  return {
    config,
    input: denseOf(weights, 'in', false),
    trunk: stackOf(weights, 'tcn', config.dilations.length),
    heads: [1, 2, 3].map((v) => ({
      h: denseOf(weights, `head${v}.h`),
      cond: denseOf(weights, `head${v}.cond`, false),
      out: denseOf(weights, `head${v}.out`),
    })),
  }
}

/**
 * One harmonizer step for one example: `prev` [4V + metre], `melody` [C], `soprano` [V] one-hot, `past(k)`
 * as tcnStep. For each voice v = 1..3 it computes the logits from the trunk and the voices picked before it,
 * and `pick(v, logits)` chooses the class (it may add offsets to `logits` in place first). Returns [A, T, B].
 */
export function harmonizerStep(
  net: HarmonizerNet,
  prev: Float32Array,
  melody: Float32Array,
  soprano: Float32Array,
  past: (k: number) => Float32Array,
  state: Float32Array[],
  pick: (v: number, logits: Float32Array) => number,
): number[] {
  const { config: c } = net
  const h0 = Float32Array.from(melody)
  addProduct(h0, prev, net.input)
  const h = relu(tcnStep(net.trunk, h0, past, state))
  const picks: number[] = []
  net.heads.forEach((head, i) => {
    const z = new Float32Array(c.headHidden)
    addProduct(z, h, head.h)
    addBias(z, head.h)
    addProduct(z, soprano, head.cond)
    picks.forEach((p, k) => {
      addRow(z, head.cond, (k + 1) * c.vocab + p)
    })
    relu(z)
    const logits = new Float32Array(c.vocab)
    addProduct(logits, z, head.out)
    addBias(logits, head.out)
    picks.push(pick(i + 1, logits))
  })
  return picks
}

/**
 * Harmonizer step. Inputs (per example): 0 `prev` [4V + metre]: one-hots of S,A,T,B at t-1 (zeros before
 * the start) and of the bar position at t; 1 `melody` [C]: the look-ahead stream at t (from the melody
 * asset); 2 `soprano` [V]: one-hot of the soprano at t; 3 `past` [2n, C] (row k as
 * step-maths.ts's tcnStep reads it); then `bias`
 * [3, V] (logit offsets for A, T, B: ranges, key), `u` [3] (uniforms for the three draws), `temperature`
 * [1], `voiceLeading` [1] (logit penalty for parallel 5ths/8ves with the voices decided before, 0 = none).
 * Outputs: 0 the conv inputs at t [2n, C]; 1 `picks` [3] (classes of A, T, B at t); 2 `logProb` [1], the
 * three picks' log-probability at temperature 1 with the offsets applied (common/likelihood.ts).
 */
export const harmonizerRuntime: ModelRuntime = (asset) => {
  expectFormat(asset, HARMONIZER_FORMAT)
  const c = asset.config as HarmonizerShape
  const n = c.dilations.length
  const net = harmonizerNet(asset.weights, c)
  return warm({
    inputShapes: [
      [4 * c.vocab + c.metre],
      [c.channels],
      [c.vocab],
      [2 * n, c.channels],
      [3, c.vocab],
      [3],
      [1],
      [1],
    ],
    predict(inputs) {
      const rows = inputRows(inputs)
      const B = inputs[0]!.shape[0]!
      const V = c.vocab
      const states: Float32Array[][] = []
      const picks = new Float32Array(B * 3)
      const logProb = new Float32Array(B)
      for (let b = 0; b < B; b++) {
        const x = (k: number) => rows[k]!(b)
        const past = x(3)
        const bias = x(4)
        const u = x(5)
        const temperature = x(6)[0]!
        const penalty = x(7)[0]!
        const prev = x(0)
        const before = [0, 1, 2, 3].map((v) => prev.subarray(v * V, (v + 1) * V).indexOf(1))
        const now = [x(2).indexOf(1)]
        const state: Float32Array[] = []
        const out = harmonizerStep(
          net,
          x(0),
          x(1),
          x(2),
          (k) => past.subarray(k * c.channels, (k + 1) * c.channels),
          state,
          (v, logits) => {
            for (let j = 0; j < logits.length; j++) logits[j]! += bias[(v - 1) * c.vocab + j]!
            penaliseParallels(logits, v, before, now, penalty)
            const pick = categorical(logits, u[v - 1]!, temperature)
            logProb[b]! += categoricalLogProb(logits, pick)
            now.push(pick)
            return pick
          },
        )
        picks.set(out, b * 3)
        states.push(state)
      }
      return [
        stackStates(states, 2 * n, c.channels),
        tf.tensor2d(picks, [B, 3]),
        tf.tensor2d(logProb, [B, 1]),
      ]
    },
  })
}
