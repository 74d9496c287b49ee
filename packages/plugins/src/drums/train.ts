/**
 * Trains the drums model on Groove MIDI (4/4 files of the train split). Usage (from the repo root):
 *   pnpm --filter @ensemble/plugins exec tsx src/drums/train.ts [--data DIR] [--steps N] [--out DIR]
 *     [--seed N] [--batch N] [--time N] [--lr X] [--eval-every N] [--checkpoint-every N] [--fresh]
 */
import type * as tf from '@tensorflow/tfjs'
import { initBackend } from '../common/backend.js'
import { defaultDataPath, defaultModelDir, numArg, parseArgs, resolveFromCwd } from '../common/cli.js'
import type { Rng } from '../common/rng.js'
import { train } from '../common/trainer.js'
import { loadBeats } from './beats-file.js'
import { DEFAULT_DATA, positionBaseline, sampleDrumBatch } from './data.js'
import { DEFAULT_DRUMS_CONFIG, DRUMS_FORMAT, DrumsModel, drumTensors, evaluateStepNll } from './model.js'

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    data: 'string',
    steps: 'string',
    out: 'string',
    seed: 'string',
    batch: 'string',
    time: 'string',
    lr: 'string',
    'eval-every': 'string',
    'checkpoint-every': 'string',
    fresh: 'boolean',
  })
  const backend = await initBackend()
  const dir = args.get('data') ? resolveFromCwd(args.get('data') as string) : defaultDataPath(DEFAULT_DATA)
  const out = args.get('out') ? resolveFromCwd(args.get('out') as string) : defaultModelDir('drums')
  const seed = numArg(args, 'seed', 1)
  const batch = numArg(args, 'batch', 16)
  const time = numArg(args, 'time', 128)
  const steps = numArg(args, 'steps', 1200)
  const trainSet = loadBeats(dir, 'train')
  const validSet = loadBeats(dir, 'validation')
  console.log(`${dir}: train ${trainSet.length} beats, validation ${validSet.length} (4/4 only)`)
  console.log(`per-position baseline on validation ${positionBaseline(trainSet, validSet).toFixed(4)}`)
  const config = { ...DEFAULT_DRUMS_CONFIG }
  const model = new DrumsModel(config, seed)
  console.log(`backend ${backend}; parameters ${model.params.count()}; history ${model.history} steps`)
  await train(
    {
      title: 'drums: NLL per 16th step (nats, 9 classes)',
      format: DRUMS_FORMAT,
      config,
      params: model.params,
      loss: (rng: Rng, step: number): tf.Scalar => {
        const t = drumTensors(sampleDrumBatch(trainSet, rng, batch, time))
        const loss = model.loss(t, true, seed * 100003 + step * 17)
        for (const x of Object.values(t)) x.dispose()
        return loss
      },
      validate: () => {
        const nll = evaluateStepNll(model, validSet)
        console.log(`valid step_nll ${nll.toFixed(4)}`)
        return nll
      },
    },
    {
      out,
      steps,
      lr: numArg(args, 'lr', 2e-3),
      warmup: 100,
      minLrFactor: 0.05,
      clip: 5,
      evalEvery: numArg(args, 'eval-every', 200),
      checkpointEvery: numArg(args, 'checkpoint-every', 200),
      seed,
      resume: args.get('fresh') !== 'true',
      metadata: { data: 'groove-midi (4/4, train)', batch, time, steps, seed, backend },
    },
  )
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
