import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { loadFunctionalModel, saveFunctionalModel } from '../model-io/fs-handler.js'
import { type CurveRow, csvToCurve, writeCurve } from './curve.js'
import { clipByGlobalNorm, type Params } from './nn.js'
import { Rng } from './rng.js'

/** What a model contributes to the shared training loop. */
export interface TrainTask<C> {
  title: string
  format: string
  config: C
  params: Params
  /** Samples a batch from `rng` and returns the mean training loss (called inside variableGrads). */
  loss(rng: Rng, step: number): tf.Scalar
  /** The model-selection metric on the validation split (lower is better). */
  validate(): number
}

export interface TrainOptions {
  out: string
  steps: number
  lr: number
  warmup: number
  minLrFactor: number
  clip: number
  evalEvery: number
  checkpointEvery: number
  seed: number
  resume: boolean
  metadata: Record<string, unknown>
  /**
   * Fine-tuning: a saved model folder to start from when there is no checkpoint. Its weights are
   * loaded, its step (metadata) becomes the first step, its curve is continued, its valid figure is
   * the one to beat, and the schedule (warm-up + cosine) restarts there; Adam's moments start fresh.
   */
  init?: string
  /** Saves the weights every N steps to <out>/snapshots/step-N, for checkpoint averaging (0: never). */
  snapshotEvery?: number
}

interface CheckpointState {
  step: number
  rngState: number
  best: number | null
  elapsedSeconds: number
  /** The step at which the learning-rate schedule started (non-zero when fine-tuning). */
  scheduleStart?: number
}

/** Linear warm-up, then cosine decay to minLrFactor * lr. */
export function learningRate(
  step: number,
  o: Pick<TrainOptions, 'lr' | 'warmup' | 'steps' | 'minLrFactor'>,
): number {
  if (step < o.warmup) return (o.lr * (step + 1)) / o.warmup
  const progress = Math.min(1, (step - o.warmup) / Math.max(1, o.steps - o.warmup))
  return o.lr * (o.minLrFactor + (1 - o.minLrFactor) * 0.5 * (1 + Math.cos(Math.PI * progress)))
}

function progressLine(
  step: number,
  total: number,
  loss: number,
  rate: number,
  lr: number,
  extra: string,
): string {
  return `step ${step}/${total} loss ${loss.toFixed(4)} ${rate.toFixed(2)} steps/s lr ${lr.toExponential(2)}${extra}`
}

function progressBar(step: number, total: number): string {
  const width = 24
  const filled = Math.round((step / total) * width)
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`
}

/**
 * The shared, resumable training loop: seeded sampling, Adam with warm-up + cosine decay and global
 * norm clipping, a checkpoint (weights + optimizer moments + RNG state) every N steps, the best
 * validation model kept in `out`, and the loss curve as CSV + SVG beside it.
 */
export async function train<C>(
  task: TrainTask<C>,
  o: TrainOptions,
): Promise<{ best: number; steps: number }> {
  mkdirSync(o.out, { recursive: true })
  const ckptDir = path.join(o.out, 'checkpoint')
  const rng = new Rng(o.seed)
  const optimizer = tf.train.adam(o.lr)
  const names = [...task.params.vars.keys()]
  const varList = names.map((n) => task.params.vars.get(n) as tf.Variable)
  let step = 0
  let best: number | null = null
  let elapsedBefore = 0
  let curve: CurveRow[] = []
  let scheduleStart = 0

  if (o.resume && existsSync(path.join(ckptDir, 'state.json'))) {
    const state = JSON.parse(readFileSync(path.join(ckptDir, 'state.json'), 'utf8')) as CheckpointState
    const saved = await loadFunctionalModel<C>(ckptDir)
    task.params.assign(saved.weights)
    tf.dispose(Object.values(saved.weights))
    const opt = await loadFunctionalModel<{ order: string[] }>(path.join(ckptDir, 'optimizer'))
    await optimizer.setWeights(
      opt.config.order.map((name) => ({ name, tensor: opt.weights[name] as tf.Tensor })),
    )
    step = state.step
    best = state.best
    elapsedBefore = state.elapsedSeconds
    rng.setState(state.rngState)
    scheduleStart = state.scheduleStart ?? 0
    if (existsSync(path.join(o.out, 'curve.csv'))) {
      curve = csvToCurve(readFileSync(path.join(o.out, 'curve.csv'), 'utf8')).filter((r) => r.step <= step)
    }
    console.log(`resumed from ${ckptDir} at step ${step} (best valid ${best ?? 'n/a'})`)
  } else if (o.init) {
    const saved = await loadFunctionalModel<C>(o.init)
    const fresh = task.params.assign(saved.weights, { allowNew: true })
    tf.dispose(Object.values(saved.weights))
    if (fresh.length > 0) console.log(`new weights, not in ${o.init}: ${fresh.join(', ')}`)
    const meta = saved.metadata ?? {}
    step = typeof meta.step === 'number' ? meta.step : 0
    best = typeof meta.valid === 'number' ? meta.valid : null
    elapsedBefore = typeof meta.seconds === 'number' ? meta.seconds : 0
    scheduleStart = step
    // A different stream from the original run's, so the fine-tune does not replay its batches.
    rng.setState((o.seed * 7919 + step) >>> 0)
    if (existsSync(path.join(o.init, 'curve.csv'))) {
      curve = csvToCurve(readFileSync(path.join(o.init, 'curve.csv'), 'utf8')).filter((r) => r.step <= step)
    }
    console.log(`fine-tuning from ${o.init} at step ${step} (valid to beat ${best ?? 'n/a'})`)
  }
  const schedule = { ...o, steps: o.steps - scheduleStart }

  const saveCheckpoint = async (): Promise<void> => {
    await saveFunctionalModel(ckptDir, { config: task.config, weights: task.params.named() }, task.format)
    const optWeights = await optimizer.getWeights()
    // Saved under positional names: Adam matches moments to variables by order, not by name.
    const order = optWeights.map((_, i) => `w${i}`)
    const map: tf.NamedTensorMap = {}
    optWeights.forEach((w, i) => {
      map[`w${i}`] = w.tensor
    })
    await saveFunctionalModel(
      path.join(ckptDir, 'optimizer'),
      { config: { order }, weights: map },
      'adam-state',
    )
    const state: CheckpointState = {
      step,
      rngState: rng.getState(),
      best,
      elapsedSeconds: elapsedBefore + (Date.now() - start) / 1000,
      scheduleStart,
    }
    writeFileSync(path.join(ckptDir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`)
  }

  const tty = process.stdout.isTTY === true
  const start = Date.now()
  let windowStart = Date.now()
  let windowSteps = 0
  let ema: number | null = null
  let sinceEval: number[] = []

  while (step < o.steps) {
    const lr = learningRate(step - scheduleStart, schedule)
    // AdamOptimizer keeps the rate in a protected field that applyGradients reads on every call;
    // setting it here is the cheapest way to schedule it without rebuilding the optimizer.
    ;(optimizer as unknown as { learningRate: number }).learningRate = lr
    const { value, grads } = tf.variableGrads(() => task.loss(rng, step), varList)
    const { grads: clipped } = clipByGlobalNorm(grads, o.clip)
    optimizer.applyGradients(clipped as Parameters<typeof optimizer.applyGradients>[0])
    const loss = (await value.data())[0] ?? Number.NaN
    tf.dispose([value, ...Object.values(clipped), ...Object.values(grads)])
    if (!Number.isFinite(loss)) throw new Error(`loss is ${loss} at step ${step}`)
    step += 1
    windowSteps += 1
    sinceEval.push(loss)
    ema = ema === null ? loss : 0.98 * ema + 0.02 * loss

    const rate = (windowSteps * 1000) / Math.max(1, Date.now() - windowStart)
    if (tty) {
      process.stdout.write(
        `\r${progressBar(step, o.steps)} ${progressLine(step, o.steps, ema, rate, lr, '')}   `,
      )
    } else if (step % 25 === 0 || step === 1) {
      console.log(progressLine(step, o.steps, ema, rate, lr, ''))
    }
    if (windowSteps >= 100) {
      windowStart = Date.now()
      windowSteps = 0
    }

    const last = step === o.steps
    if (step % o.evalEvery === 0 || last) {
      const valid = task.validate()
      const trainLoss = sinceEval.reduce((a, b) => a + b, 0) / Math.max(1, sinceEval.length)
      sinceEval = []
      const seconds = elapsedBefore + (Date.now() - start) / 1000
      curve.push({ step, trainLoss, validLoss: valid, seconds })
      writeCurve(o.out, curve, task.title)
      const improved = best === null || valid < best
      if (improved) {
        best = valid
        await saveFunctionalModel(
          o.out,
          {
            config: task.config,
            weights: task.params.named(),
            metadata: { ...o.metadata, step, valid, seconds: Math.round(seconds) },
          },
          task.format,
        )
      }
      if (tty) process.stdout.write('\n')
      console.log(
        `eval step ${step} train ${trainLoss.toFixed(4)} valid ${valid.toFixed(4)}${improved ? ' (best, saved)' : ''} elapsed ${seconds.toFixed(0)}s`,
      )
    }
    if (o.snapshotEvery && step % o.snapshotEvery === 0) {
      await saveFunctionalModel(
        path.join(o.out, 'snapshots', `step-${step}`),
        { config: task.config, weights: task.params.named(), metadata: { ...o.metadata, step } },
        task.format,
      )
    }
    if (step % o.checkpointEvery === 0 || last) await saveCheckpoint()
  }
  return { best: best ?? Number.NaN, steps: step }
}
