import * as tf from '@tensorflow/tfjs'

/**
 * Functional building blocks on plain tf.Variables instead of tf.layers. Reasons: the wasm backend
 * has no Conv2DBackpropFilter kernel, so Conv1D cannot train there; a kernel-2 dilated causal conv is
 * written here as "shift + concat + matMul", which only needs kernels wasm has (and is matmul-heavy,
 * which is what XNNPACK is fast at). Variables are created lazily on the first forward pass with a
 * seeded initialiser, so a model is built by running it once on a tiny dummy batch.
 */
export class Params {
  readonly vars = new Map<string, tf.Variable>()
  private counter = 0
  // tfjs registers variables by name engine-wide; a per-instance suffix lets tests build several models.
  private static instances = 0
  private readonly uid = Params.instances++

  constructor(private readonly seed: number) {}

  /** Returns the variable, creating it on first use (Glorot-uniform times `scale`, or zeros). */
  get(name: string, shape: number[], init: 'glorot' | 'zeros' = 'glorot', scale = 1): tf.Variable {
    const existing = this.vars.get(name)
    if (existing) return existing
    const created = tf.tidy(() => {
      if (init === 'zeros') return tf.zeros(shape)
      const fanIn = shape.length > 1 ? (shape[0] ?? 1) : 1
      const fanOut = shape[shape.length - 1] ?? 1
      const limit = scale * Math.sqrt(6 / (fanIn + fanOut))
      this.counter += 1
      return tf.randomUniform(shape, -limit, limit, 'float32', this.seed * 1000 + this.counter)
    })
    const v = tf.variable(created, true, `${name}_${this.uid}`)
    created.dispose()
    this.vars.set(name, v)
    return v
  }

  named(): tf.NamedTensorMap {
    return Object.fromEntries(this.vars)
  }

  /**
   * Copies saved values into the existing variables; shapes must match the built model. With `allowNew`
   * (fine-tuning a saved model into a larger one), variables the save lacks keep their initialisation;
   * their names are returned.
   */
  assign(weights: tf.NamedTensorMap, opts: { allowNew?: boolean } = {}): string[] {
    const fresh: string[] = []
    for (const [name, v] of this.vars) {
      const w = weights[name]
      if (!w && opts.allowNew) {
        fresh.push(name)
        continue
      }
      if (!w) throw new Error(`missing weight ${name}`)
      if (w.shape.join(',') !== v.shape.join(',')) throw new Error(`shape mismatch for ${name}`)
      v.assign(w)
    }
    return fresh
  }

  count(): number {
    let n = 0
    for (const v of this.vars.values()) n += v.size
    return n
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose()
    this.vars.clear()
  }
}

export type Activation = 'linear' | 'relu'

/**
 * x @ w with a hand-written gradient. tfjs's own matMul gradient calls BatchMatMul with
 * transposeA/transposeB, which the wasm backend runs ~40x slower than a plain product (measured:
 * 3.5 s of a 3.9 s training step); transposing explicitly first keeps every product on the fast path.
 */
type CustomGradFn = Parameters<typeof tf.customGrad>[0]
const matMulFastGrad = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w])
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D]
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)]
    },
  }
}) as unknown as CustomGradFn)

/** Dense over the last axis of a [B, T, C] or [N, C] tensor. */
export function dense(
  p: Params,
  name: string,
  x: tf.Tensor,
  units: number,
  opts: { bias?: boolean; activation?: Activation; scale?: number } = {},
): tf.Tensor {
  const inDim = x.shape[x.shape.length - 1] ?? 0
  const w = p.get(`${name}.w`, [inDim, units], 'glorot', opts.scale ?? 1)
  const bias = opts.bias === false ? undefined : p.get(`${name}.b`, [units], 'zeros')
  const lead = x.shape.slice(0, -1)
  const flat = x.reshape([-1, inDim]) as tf.Tensor2D
  let y = matMulFastGrad(flat, w) as tf.Tensor
  if (bias) y = tf.add(y, bias)
  if (opts.activation === 'relu') y = tf.relu(y)
  return y.reshape([...lead, units])
}

/**
 * Shifts a [B, T, C] tensor along time, filling with zeros: by > 0 gives x[t - by] (the past, for
 * causal convs), by < 0 gives x[t + |by|] (the future, for the anti-causal soprano look-ahead).
 */
export function shiftTime(x: tf.Tensor, by: number): tf.Tensor {
  const [b, t, c] = x.shape as [number, number, number]
  const k = Math.abs(by)
  if (k === 0) return x
  if (k >= t) return tf.zerosLike(x)
  if (by > 0)
    return tf.pad(x.slice([0, 0, 0], [b, t - k, c]), [
      [0, 0],
      [k, 0],
      [0, 0],
    ])
  return tf.pad(x.slice([0, k, 0], [b, t - k, c]), [
    [0, 0],
    [0, k],
    [0, 0],
  ])
}

/** Kernel-2 dilated conv along time: y_t = W [x_t ; x_{t-d}] (causal) or [x_t ; x_{t+d}] (anti-causal). */
export function timeConv(
  p: Params,
  name: string,
  x: tf.Tensor,
  units: number,
  dilation: number,
  direction: 'causal' | 'anticausal',
  opts: { activation?: Activation; scale?: number } = {},
): tf.Tensor {
  const shifted = shiftTime(x, direction === 'causal' ? dilation : -dilation)
  return dense(p, name, tf.concat([x, shifted], -1), units, opts)
}

export interface StackOptions {
  dropout: number
  training: boolean
  seed: number
}

/**
 * TCN residual stack (Bai et al. 2018): each block is conv-relu-dropout-conv with the same dilation,
 * added to its input. No normalisation: the residual branch's last conv starts small instead, which
 * keeps the deep stack trainable without the extra kernels that layer norm costs on one core.
 */
export function tcnStack(
  p: Params,
  prefix: string,
  x: tf.Tensor,
  dilations: number[],
  direction: 'causal' | 'anticausal',
  opts: StackOptions,
): tf.Tensor {
  const channels = x.shape[x.shape.length - 1] ?? 0
  let h = x
  dilations.forEach((d, i) => {
    let r = timeConv(p, `${prefix}.${i}.a`, h, channels, d, direction, { activation: 'relu' })
    if (opts.training && opts.dropout > 0) r = tf.dropout(r, opts.dropout, undefined, opts.seed + i)
    r = timeConv(p, `${prefix}.${i}.b`, r, channels, d, direction, { scale: 0.3 })
    h = tf.add(h, r)
  })
  return h
}

/** Receptive field of tcnStack in steps (two kernel-2 convs per block). */
export function receptiveField(dilations: number[]): number {
  return 1 + 2 * dilations.reduce((a, d) => a + d, 0)
}

/** Clips a gradient map to a global L2 norm; returns the norm before clipping. */
export function clipByGlobalNorm(
  grads: tf.NamedTensorMap,
  maxNorm: number,
): { grads: tf.NamedTensorMap; norm: number } {
  const norm = tf.tidy(() => {
    const sq = Object.values(grads).map((g) => tf.sum(tf.square(g)))
    return tf.sqrt(tf.addN(sq)).dataSync()[0] ?? 0
  })
  if (norm <= maxNorm || !Number.isFinite(norm)) return { grads, norm }
  const factor = maxNorm / norm
  const clipped: tf.NamedTensorMap = {}
  for (const [k, g] of Object.entries(grads)) {
    clipped[k] = tf.mul(g, factor)
    g.dispose()
  }
  return { grads: clipped, norm }
}

/** Numerically stable sigmoid cross-entropy from logits: max(z,0) - z*y + log(1 + exp(-|z|)). */
export function sigmoidXent(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))),
  )
}
