/**
 * Trains the harmonizer. Usage (from the repo root):
 *   pnpm --filter @ensemble/plugins exec tsx src/harmonizer/train.ts [--data PATH] [--steps N] [--out DIR]
 *     [--seed N] [--batch N] [--time N] [--lr X] [--channels N] [--eval-every N] [--checkpoint-every N] [--fresh]
 *     [--init DIR] [--warmup N] [--min-lr-factor X] [--snapshot-every N]
 * Resumes from <out>/checkpoint when present unless --fresh. With --init (and no checkpoint) it
 * fine-tunes a saved model: the schedule restarts at that model's step and runs to --steps.
 */
import path from 'node:path'
import type * as tf from '@tensorflow/tfjs'
import { initBackend } from '../common/backend.js'
import { defaultDataPath, defaultModelDir, numArg, parseArgs, resolveFromCwd } from '../common/cli.js'
import type { Rng } from '../common/rng.js'
import { train } from '../common/trainer.js'
import { DEFAULT_DATA, getSplit, loadChorales, sampleBatch, unigramBaseline } from './data.js'
import {
  batchTensors,
  DEFAULT_CONFIG,
  evaluateNll,
  HARMONIZER_FORMAT,
  type HarmonizerConfig,
  HarmonizerModel,
} from './model.js'

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    data: 'string',
    steps: 'string',
    out: 'string',
    seed: 'string',
    batch: 'string',
    time: 'string',
    lr: 'string',
    channels: 'string',
    'eval-every': 'string',
    'checkpoint-every': 'string',
    'harmonize-fraction': 'string',
    fresh: 'boolean',
    init: 'string',
    warmup: 'string',
    'min-lr-factor': 'string',
    'snapshot-every': 'string',
  })
  const backend = await initBackend()
  const dataPath = args.get('data')
    ? resolveFromCwd(args.get('data') as string)
    : defaultDataPath(DEFAULT_DATA)
  const out = args.get('out') ? resolveFromCwd(args.get('out') as string) : defaultModelDir('harmonizer')
  const seed = numArg(args, 'seed', 1)
  const batch = numArg(args, 'batch', 8)
  const time = numArg(args, 'time', 256)
  const steps = numArg(args, 'steps', 4000)
  // Share of training rows in harmonize mode (soprano look-ahead on); the rest train the full order.
  const harmonizeFraction = numArg(args, 'harmonize-fraction', 0.5)
  const config: HarmonizerConfig = {
    ...DEFAULT_CONFIG,
    channels: numArg(args, 'channels', DEFAULT_CONFIG.channels),
  }

  const data = loadChorales(dataPath)
  const trainSet = getSplit(data, 'train')
  const validSet = getSplit(data, 'valid')
  console.log(
    `backend ${backend}; data ${dataPath}; train ${trainSet.length} pieces, valid ${validSet.length}`,
  )
  console.log(
    `trivial baseline (unigram per voice) on valid: ${unigramBaseline(trainSet, validSet).toFixed(4)}`,
  )
  const model = new HarmonizerModel(config, seed)
  console.log(
    `parameters ${model.params.count()}; history ${model.history} steps; look-ahead ${model.lookahead}`,
  )

  await train(
    {
      title: 'harmonizer: note-wise NLL (nats/token)',
      format: HARMONIZER_FORMAT,
      config,
      params: model.params,
      loss: (rng: Rng, step: number): tf.Scalar => {
        const b = sampleBatch(trainSet, rng, batch, time, true)
        const given = Array.from({ length: batch }, () => (rng.next() < harmonizeFraction ? 1 : 0))
        const t = batchTensors(b, given)
        const loss = model.loss(t, true, seed * 100003 + step * 17)
        for (const x of Object.values(t)) x.dispose()
        return loss
      },
      validate: () => {
        const full = evaluateNll(model, validSet, 'full')
        const harm = evaluateNll(model, validSet, 'harmonize')
        console.log(
          `valid note_nll ${full.nll.toFixed(4)} [S ${full.perVoice.map((v) => v.toFixed(3)).join(' ')}] atb_given_s ${harm.nll.toFixed(4)}`,
        )
        return full.nll
      },
    },
    {
      out,
      steps,
      lr: numArg(args, 'lr', 2e-3),
      warmup: numArg(args, 'warmup', 200),
      minLrFactor: numArg(args, 'min-lr-factor', 0.05),
      clip: 1,
      evalEvery: numArg(args, 'eval-every', 250),
      checkpointEvery: numArg(args, 'checkpoint-every', 250),
      seed,
      resume: args.get('fresh') !== 'true',
      init: args.get('init') ? resolveFromCwd(args.get('init') as string) : undefined,
      snapshotEvery: numArg(args, 'snapshot-every', 0),
      metadata: { data: path.basename(dataPath), batch, time, steps, seed, harmonizeFraction, backend },
    },
  )
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
