import type * as tf from '@tensorflow/tfjs'
import { parallelMotion } from './musical-checks.js'

/*
 * One generation step of the first-party TCNs, in plain TypeScript on Float32Arrays. A step is a handful of
 * [1, 128] x [128, 128] products: on tfjs's wasm backend each of its ~240 kernels costs more in launch overhead
 * (~15-20 us) than its arithmetic, so a step took ~4 ms; these loops do the same maths in well under 1 ms, and
 * skip the zero rows that one-hot and ReLU inputs are mostly made of. Same weights and same sums as nn.ts's
 * `dense`/`tcnStack` (float32 weights, float32 accumulation), so the outputs agree to float rounding.
 */

/** A dense kernel [rows, cols] (row-major, as nn.ts stores `x @ w`) and its optional bias [cols]. */
export interface Dense {
  w: Float32Array
  b: Float32Array | undefined
  rows: number
  cols: number
}

export function denseOf(weights: tf.NamedTensorMap, name: string, bias = true): Dense {
  const w = weights[`${name}.w`]
  if (!w) throw new Error(`the model has no weight "${name}.w"`)
  const b = bias ? weights[`${name}.b`] : undefined
  if (bias && !b) throw new Error(`the model has no weight "${name}.b"`)
  return {
    w: Float32Array.from(w.dataSync()),
    b: b ? Float32Array.from(b.dataSync()) : undefined,
    rows: w.shape[0] ?? 0,
    cols: w.shape[1] ?? 0,
  }
}

/**
 * out += x @ W[rowOffset : rowOffset + x.length] (a block of rows: `concat([a, b]) @ W` is `a @ W_a + b @ W_b`).
 * Rows where x is 0 are skipped.
 */
export function addProduct(out: Float32Array, x: Float32Array, d: Dense, rowOffset = 0): void {
  const { w, cols } = d
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!
    if (xi === 0) continue
    const base = (rowOffset + i) * cols
    for (let j = 0; j < cols; j++) out[j]! += xi * w[base + j]!
  }
}

/** out += W[row] (a one-hot input's product). */
export function addRow(out: Float32Array, d: Dense, row: number): void {
  const base = row * d.cols
  for (let j = 0; j < d.cols; j++) out[j]! += d.w[base + j]!
}

export function addBias(out: Float32Array, d: Dense): void {
  if (d.b) for (let j = 0; j < d.cols; j++) out[j]! += d.b[j]!
}

export function relu(x: Float32Array): Float32Array {
  for (let j = 0; j < x.length; j++) if (x[j]! < 0) x[j] = 0
  return x
}

/** The kernel-2 convs of a causal tcnStack: block i is conv a then conv b, each [x_t ; x_(t-d)] @ W + b. */
export interface Stack {
  a: Dense[]
  b: Dense[]
  channels: number
}

export function stackOf(weights: tf.NamedTensorMap, prefix: string, blocks: number): Stack {
  const a = Array.from({ length: blocks }, (_, i) => denseOf(weights, `${prefix}.${i}.a`))
  const b = Array.from({ length: blocks }, (_, i) => denseOf(weights, `${prefix}.${i}.b`))
  return { a, b, channels: a[0]?.cols ?? 0 }
}

/**
 * One time step of the causal stack: `h` is its input at t; `past(k)` is, for block floor(k / 2), the input of
 * conv a (k even) or conv b (k odd) at t - d. Returns the output at t; `state` receives the conv inputs at t.
 */
export function tcnStep(
  stack: Stack,
  h0: Float32Array,
  past: (k: number) => Float32Array,
  state: Float32Array[],
): Float32Array {
  const C = stack.channels
  let h = h0
  stack.a.forEach((convA, i) => {
    const convB = stack.b[i]!
    state.push(h)
    const a = new Float32Array(C)
    addProduct(a, h, convA)
    addProduct(a, past(2 * i), convA, C)
    addBias(a, convA)
    relu(a)
    state.push(a)
    const next = Float32Array.from(h)
    addProduct(next, a, convB)
    addProduct(next, past(2 * i + 1), convB, C)
    addBias(next, convB)
    h = next
  })
  return h
}

/**
 * Categorical draw from logits z (offsets already added) with a uniform u: inverse CDF over
 * softmax(z / temperature), as `sampleIndex` in common/rng.ts; temperature <= 0 takes the (first) argmax.
 */
export function categorical(z: Float32Array, u: number, temperature: number): number {
  let best = 0
  for (let c = 1; c < z.length; c++) if (z[c]! > z[best]!) best = c
  if (temperature <= 0) return best
  const t = Math.max(temperature, 1e-6)
  const max = z[best]! / t
  const cdf = new Float64Array(z.length)
  let total = 0
  for (let c = 0; c < z.length; c++) {
    total += Math.exp(z[c]! / t - max)
    cdf[c] = total
  }
  const target = u * total
  let below = 0
  while (below < z.length - 1 && cdf[below]! < target) below++
  return below
}

/** 1 where u < sigmoid(z / temperature); temperature <= 0 thresholds at 0.5. */
export function bernoulli(z: number, u: number, temperature: number): number {
  if (temperature <= 0) return z > 0 ? 1 : 0
  return u < 1 / (1 + Math.exp(-z / Math.max(temperature, 1e-6))) ? 1 : 0
}

/**
 * The draws of one frame of Bernoulli outputs z (offsets already added; modified in place). With `within`
 * ([K * K] row-major, row j < column k; the continue model's within-frame term), output k's logit first gets
 * row j's weight for every j < k already on, so outputs are drawn low to high as the model factorises the
 * frame. Returns 0/1 per output.
 */
export function bernoulliChain(
  z: Float32Array,
  u: Float32Array,
  temperature: number,
  within: Float32Array | undefined,
): Float32Array {
  const K = z.length
  const on = new Float32Array(K)
  for (let k = 0; k < K; k++) {
    if (within) for (let j = 0; j < k; j++) if (on[j]) z[k]! += within[j * K + k]!
    on[k] = bernoulli(z[k]!, u[k]!, temperature)
  }
  return on
}

/**
 * Voice leading for the harmonizer's draws: lowers by `penalty` the logit of every class of voice `v` that
 * would move in parallel perfect fifths or octaves/unisons with a voice already decided at this step (the
 * soprano, then the voices picked before v). Classes are semitones above the vocabulary's lowest pitch
 * (0 = rest), so class differences are intervals. `prev` holds each voice's class at t - 1 (-1 before the
 * start), `now` the classes decided at t so far, by voice. A parallel is what the musical checks count
 * (`parallelMotion`).
 */
export function penaliseParallels(
  logits: Float32Array,
  v: number,
  prev: readonly number[],
  now: readonly number[],
  penalty: number,
): void {
  const from = prev[v] ?? -1
  if (penalty <= 0 || from <= 0) return
  for (let u = 0; u < v; u++) {
    const a = prev[u] ?? -1
    const b = now[u] ?? -1
    if (a <= 0 || b <= 0 || a === b) continue
    for (let c = 1; c < logits.length; c++)
      if (c !== from && parallelMotion(from, c, a, b) !== null) logits[c]! -= penalty
  }
}
