import * as tf from '@tensorflow/tfjs'

/*
 * The graph code of our `tfjs-functional` assets, as the inference service runs them (its `ModelRuntime`),
 * recast for generation: one call = ONE sampling step of the model, so that every step of a plugin's
 * sampling loop is a `ctx.models.run` the host can micro-batch with other requests' steps.
 *
 * The training code (`../harmonizer/model.ts`, `../common/nn.ts`) recomputes the whole causal TCN over its
 * receptive field for every sampled step (O(T x window)). Here the step is incremental, like fast WaveNet
 * generation: a kernel-2 dilated conv at time t only needs its input at t and at t - d, so the plugin keeps
 * each conv's past inputs and hands the step exactly the ones it needs (`past`, one row per conv); the step
 * returns the conv inputs at t (`state`) for the plugin to remember. Same weights, same maths (the zero
 * padding before the first step is the zero `past` row), a fraction of the work.
 *
 * Sampling happens inside the step from uniforms the plugin draws with `ctx.random`, so randomness still
 * comes only from the contract's seeded source, and a step that needs several dependent draws (the
 * harmonizer's A -> T -> B) stays one call instead of three.
 */

/** What the inference service hands a runtime (structurally its `FunctionalModel`; packages/plugins must not import apps). */
export interface FunctionalAsset {
  format: string | undefined
  config: unknown
  weights: tf.NamedTensorMap
  metadata: Record<string, unknown>
}

/** Structurally the inference service's `BatchModel`. */
export interface StepModel {
  inputShapes: (number | null)[][]
  predict(inputs: tf.Tensor[]): tf.Tensor[]
}

export type StepRuntime = (asset: FunctionalAsset) => StepModel

/** Logit offset used for "never" (the host refuses non-finite inputs, so not -Infinity). */
export const NEVER = -1e9

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

/**
 * One time step of nn.ts's causal `tcnStack`: `h0` [B, C] is the stack's input at t; `past[k]` [B, C] is, for
 * block i = floor(k / 2), the input of its conv a (k even) or conv b (k odd) at t - d_i. Returns the output at
 * t and `state`, the conv inputs at t, which later steps need as their `past`. Separate tensors rather than
 * one [2n, C] input: slicing and stacking would add ~40 small ops to every step.
 */
export function tcnStep(
  w: tf.NamedTensorMap,
  prefix: string,
  h0: tf.Tensor2D,
  past: tf.Tensor2D[],
  blocks: number,
): { h: tf.Tensor2D; state: tf.Tensor2D[] } {
  const state: tf.Tensor2D[] = []
  let h = h0
  for (let i = 0; i < blocks; i++) {
    state.push(h)
    const a = denseParts(w, `${prefix}.${i}.a`, [h, past[2 * i]!], { relu: true })
    state.push(a)
    h = denseParts(w, `${prefix}.${i}.b`, [a, past[2 * i + 1]!], { add: h })
  }
  return { h, state }
}

/**
 * Categorical draw per row: z [B, V] logits (bias already added), u [B] uniforms, temperature [B];
 * temperature <= 0 takes the argmax. Inverse CDF, as `sampleIndex` in common/rng.ts does it.
 */
function categorical(z: tf.Tensor2D, u: tf.Tensor1D, temperature: tf.Tensor1D): tf.Tensor1D {
  const V = z.shape[1]
  const greedy = tf.argMax(z, 1).toFloat()
  const t = tf.maximum(temperature, 1e-6).reshape([-1, 1])
  const probs = tf.softmax(tf.div(z, t))
  const cdf = tf.cumsum(probs, 1)
  const total = cdf.slice([0, V - 1], [-1, 1])
  const below = tf.less(cdf, tf.mul(u.reshape([-1, 1]), total)).toFloat()
  const sampled = tf.minimum(tf.sum(below, 1), V - 1)
  return tf.where(tf.lessEqual(temperature, 0), greedy, sampled) as tf.Tensor1D
}

/** Independent Bernoulli per column: 1 where u < sigmoid(z / T); temperature <= 0 thresholds at 0.5. */
function bernoulli(z: tf.Tensor2D, u: tf.Tensor2D, temperature: tf.Tensor1D): tf.Tensor2D {
  const t = temperature.reshape([-1, 1])
  const greedy = tf.greater(z, 0).toFloat()
  const sampled = tf.less(u, tf.sigmoid(tf.div(z, tf.maximum(t, 1e-6)))).toFloat()
  return tf.where(tf.lessEqual(t, 0).tile([1, z.shape[1]]), greedy, sampled) as tf.Tensor2D
}

function expectFormat(asset: FunctionalAsset, format: string): void {
  if (asset.format !== format)
    throw new Error(`expected a ${format} model, got ${asset.format ?? 'no format'}`)
}

/** Runs the step once on zeros so kernel set-up is not paid by the first request. */
function warm(model: StepModel): StepModel {
  const zeros = model.inputShapes.map((shape) => tf.zeros([1, ...shape.map((d) => d ?? 1)]))
  tf.dispose(tf.tidy(() => model.predict(zeros)))
  tf.dispose(zeros)
  return model
}

// ---------------------------------------------------------------------------------------------- harmonizer

export const HARMONIZER_FORMAT = 'ensemble-harmonizer-tcn/1'

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
export const harmonizerMelodyRuntime: StepRuntime = (asset) => {
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

/**
 * Harmonizer step. Inputs (per example): 0 `prev` [4V + metre]: one-hots of S,A,T,B at t-1 (zeros before
 * the start) and of the bar position at t; 1 `melody` [C]: the look-ahead stream at t (from the melody
 * asset); 2 `soprano` [V]: one-hot of the soprano at t; 3..2n+2 `past` [C] each (see tcnStep); then `bias`
 * [3, V] (logit offsets for A, T, B: ranges, key), `u` [3] (uniforms for the three draws), `temperature`
 * [1]. Outputs: 0..2n-1 the conv inputs at t, [C] each; then `picks` [3] (classes of A, T, B at t).
 */
export const harmonizerRuntime: StepRuntime = (asset) => {
  expectFormat(asset, HARMONIZER_FORMAT)
  const c = asset.config as HarmonizerShape
  const w = asset.weights
  const V = c.vocab
  const n = c.dilations.length
  splitStack(w, 'tcn', n, c.channels)
  for (let v = 1; v < 4; v++) splitRows(w, `head${v}.cond`, new Array(v).fill(V))
  return warm({
    inputShapes: [
      [4 * V + c.metre],
      [c.channels],
      [V],
      ...Array.from({ length: 2 * n }, () => [c.channels]),
      [3, V],
      [3],
      [1],
    ],
    predict(inputs) {
      const [prev, melody, soprano] = inputs as tf.Tensor2D[]
      const past = inputs.slice(3, 3 + 2 * n) as tf.Tensor2D[]
      const [bias, u, temperature] = inputs.slice(3 + 2 * n) as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D]
      const B = prev!.shape[0]
      const h0 = tf.add(dense(w, 'in', prev!, false), melody!) as tf.Tensor2D
      const { h: trunk, state } = tcnStep(w, 'tcn', h0, past, n)
      const h = tf.relu(trunk) as tf.Tensor2D
      const temp = temperature.reshape([B]) as tf.Tensor1D
      const known: tf.Tensor2D[] = [soprano!]
      const picks: tf.Tensor1D[] = []
      for (let v = 1; v < 4; v++) {
        const z = denseParts(w, `head${v}.cond`, known, { bias: false, add: dense(w, `head${v}.h`, h) })
        const logits = tf.add(
          dense(w, `head${v}.out`, tf.relu(z) as tf.Tensor2D),
          bias.slice([0, v - 1, 0], [B, 1, V]).reshape([B, V]),
        ) as tf.Tensor2D
        const uv = u.slice([0, v - 1], [B, 1]).reshape([B]) as tf.Tensor1D
        const pick = categorical(logits, uv, temp)
        picks.push(pick)
        known.push(tf.oneHot(pick.toInt(), V).toFloat() as tf.Tensor2D)
      }
      return [...state, tf.stack(picks, 1)]
    },
  })
}

// --------------------------------------------------------------------------- continue and drums (roll TCNs)

export interface RollShape {
  /** Bernoulli outputs per step (88 keys, 9 drum classes). */
  outputs: number
  /** Extra one-hot features beside the previous step (corpora, or bar positions). */
  extra: number
  channels: number
  dilations: number[]
}

export const CONTINUE_FORMAT = 'ensemble-continue-tcn/1'
export const DRUMS_FORMAT = 'ensemble-drums-tcn/1'

export function rollShape(asset: { format: string | undefined; config: unknown }): RollShape {
  if (asset.format === CONTINUE_FORMAT) {
    const c = asset.config as { keys: number; corpora: number; channels: number; dilations: number[] }
    return { outputs: c.keys, extra: c.corpora, channels: c.channels, dilations: c.dilations }
  }
  if (asset.format === DRUMS_FORMAT) {
    const c = asset.config as { classes: number; stepsPerBar: number; channels: number; dilations: number[] }
    return { outputs: c.classes, extra: c.stepsPerBar, channels: c.channels, dilations: c.dilations }
  }
  throw new Error(
    `expected a ${CONTINUE_FORMAT} or ${DRUMS_FORMAT} model, got ${asset.format ?? 'no format'}`,
  )
}

/**
 * Continue / drums step (the same network shape: previous step + a one-hot feature in, independent
 * Bernoulli logits out). Inputs: 0 `x` [K + E] (the step before t, and the corpus or bar-position one-hot
 * at t); 1..2n `past` [C] each; then `bias` [K] logit offsets (key, density, rhythm to follow), `u` [K],
 * `temperature` [1]. Outputs: 0..2n-1 the conv inputs at t; then `on` [K] (0/1).
 */
export const rollRuntime: StepRuntime = (asset) => {
  const c = rollShape(asset)
  const w = asset.weights
  const n = c.dilations.length
  splitStack(w, 'tcn', n, c.channels)
  return warm({
    inputShapes: [
      [c.outputs + c.extra],
      ...Array.from({ length: 2 * n }, () => [c.channels]),
      [c.outputs],
      [c.outputs],
      [1],
    ],
    predict(inputs) {
      const x = inputs[0] as tf.Tensor2D
      const past = inputs.slice(1, 1 + 2 * n) as tf.Tensor2D[]
      const [bias, u, temperature] = inputs.slice(1 + 2 * n) as tf.Tensor2D[]
      const B = x.shape[0]
      const { h, state } = tcnStep(w, 'tcn', dense(w, 'in', x), past, n)
      const z = tf.add(dense(w, 'out', tf.relu(h) as tf.Tensor2D), bias!) as tf.Tensor2D
      return [...state, bernoulli(z, u!, temperature!.reshape([B]) as tf.Tensor1D)]
    },
  })
}
