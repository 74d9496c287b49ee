/**
 * Trains the continue model on both piano-roll corpora at once. Usage (from the repo root):
 *   pnpm --filter @ensemble/plugins exec tsx src/continue/train.ts [--data PATH] [--data2 PATH] [--steps N]
 *     [--out DIR] [--seed N] [--batch N] [--time N] [--lr X] [--eval-every N] [--checkpoint-every N] [--fresh]
 *     [--init DIR] [--warmup N] [--min-lr-factor X] [--snapshot-every N] [--transpose P]
 * --data is the JSB piano roll, --data2 Nottingham (defaults under ../shared/datasets/piano-roll/).
 * With --init (and no checkpoint) it fine-tunes a saved model: the schedule restarts at its step.
 * --transpose: share of training crops moved to a random key (default 0.5).
 */
import path from 'node:path'
import type * as tf from '@tensorflow/tfjs'
import { initBackend } from '../common/backend.js'
import { defaultDataPath, defaultModelDir, numArg, parseArgs, resolveFromCwd } from '../common/cli.js'
import type { Rng } from '../common/rng.js'
import { train } from '../common/trainer.js'
import { CORPORA, type Corpus2, DEFAULT_DATA, getSplit, perKeyBaseline, sampleRollBatch } from './data.js'
import {
  CONTINUE_FORMAT,
  type ContinueConfig,
  ContinueModel,
  DEFAULT_CONTINUE_CONFIG,
  evaluateFrameNll,
  rollTensors,
} from './model.js'
import { loadRolls } from './rolls-file.js'

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    data: 'string',
    data2: 'string',
    steps: 'string',
    out: 'string',
    seed: 'string',
    batch: 'string',
    time: 'string',
    lr: 'string',
    'eval-every': 'string',
    'checkpoint-every': 'string',
    fresh: 'boolean',
    init: 'string',
    warmup: 'string',
    'min-lr-factor': 'string',
    'snapshot-every': 'string',
    transpose: 'string',
  })
  const backend = await initBackend()
  const paths = [
    args.get('data') ? resolveFromCwd(args.get('data') as string) : defaultDataPath(DEFAULT_DATA.jsb),
    args.get('data2')
      ? resolveFromCwd(args.get('data2') as string)
      : defaultDataPath(DEFAULT_DATA.nottingham),
  ]
  const out = args.get('out') ? resolveFromCwd(args.get('out') as string) : defaultModelDir('continue')
  const seed = numArg(args, 'seed', 1)
  const batch = numArg(args, 'batch', 16)
  const time = numArg(args, 'time', 128)
  const steps = numArg(args, 'steps', 2500)
  const transpose = numArg(args, 'transpose', 0.5)
  const config: ContinueConfig = { ...DEFAULT_CONTINUE_CONFIG }

  const sets = paths.map((p) => loadRolls(p))
  const sources: Corpus2[] = sets.map((s, i) => ({ pieces: getSplit(s, 'train'), corpus: i }))
  const valids = sets.map((s) => getSplit(s, 'valid'))
  sets.forEach((s, i) => {
    const base = perKeyBaseline(getSplit(s, 'train'), getSplit(s, 'valid'))
    console.log(`${CORPORA[i]}: ${paths[i]}; trivial per-key baseline on valid ${base.toFixed(4)}`)
  })
  const model = new ContinueModel(config, seed)
  console.log(`backend ${backend}; parameters ${model.params.count()}; history ${model.history} frames`)

  await train(
    {
      title: 'continue: frame NLL, mean of JSB and Nottingham (nats/frame)',
      format: CONTINUE_FORMAT,
      config,
      params: model.params,
      loss: (rng: Rng, step: number): tf.Scalar => {
        const t = rollTensors(sampleRollBatch(sources, rng, batch, time, transpose))
        const loss = model.loss(t, true, seed * 100003 + step * 17)
        for (const x of Object.values(t)) x.dispose()
        return loss
      },
      validate: () => {
        const nll = valids.map((v, i) => evaluateFrameNll(model, v, i))
        console.log(`valid frame_nll jsb ${nll[0]?.toFixed(4)} nottingham ${nll[1]?.toFixed(4)}`)
        // Selection on the plain mean: both corpora matter to users, and neither's scale dominates.
        return ((nll[0] ?? 0) + (nll[1] ?? 0)) / 2
      },
    },
    {
      out,
      steps,
      lr: numArg(args, 'lr', 2e-3),
      warmup: numArg(args, 'warmup', 150),
      minLrFactor: numArg(args, 'min-lr-factor', 0.05),
      clip: 5,
      evalEvery: numArg(args, 'eval-every', 250),
      checkpointEvery: numArg(args, 'checkpoint-every', 250),
      seed,
      resume: args.get('fresh') !== 'true',
      init: args.get('init') ? resolveFromCwd(args.get('init') as string) : undefined,
      snapshotEvery: numArg(args, 'snapshot-every', 0),
      metadata: { data: paths.map((p) => path.basename(p)), batch, time, steps, seed, transpose, backend },
    },
  )
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
