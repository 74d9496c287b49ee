/**
 * After training: measures the drums model on the validation split and the committed fixture beats,
 * and writes src/drums/weights/weights.json. Usage:
 *   pnpm --filter @ensemble/plugins exec tsx src/drums/publish.ts [--model DIR] [--data DIR]
 */
import path from 'node:path'
import { initBackend } from '../common/backend.js'
import { defaultDataPath, defaultModelDir, parseArgs, repoRoot, resolveFromCwd } from '../common/cli.js'
import { readTrainingMetadata, writeWeightsManifest } from '../common/publish.js'
import { loadBeats } from './beats-file.js'
import { DEFAULT_DATA, positionBaseline } from './data.js'
import { loadDrums } from './io.js'
import { evaluateStepNll } from './model.js'

export const DRUMS_FIXTURE = 'packages/plugins/test/fixtures/groove'

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { model: 'string', data: 'string' })
  const backend = await initBackend()
  const dir = args.get('model') ? resolveFromCwd(args.get('model') as string) : defaultModelDir('drums')
  const data = args.get('data') ? resolveFromCwd(args.get('data') as string) : defaultDataPath(DEFAULT_DATA)
  const model = await loadDrums(dir, false)
  const train = loadBeats(data, 'train')
  const valid = loadBeats(data, 'validation')
  const fx = loadBeats(path.join(repoRoot(), DRUMS_FIXTURE), 'validation')
  const manifest = writeWeightsManifest(dir, {
    model: 'drums',
    parameters: model.params.count(),
    metrics: {
      valid_step_nll: evaluateStepNll(model, valid),
      valid_position_baseline: positionBaseline(train, valid),
    },
    fixture: { file: DRUMS_FIXTURE, split: 'validation', step_nll: evaluateStepNll(model, fx), backend },
    training: readTrainingMetadata(dir),
  })
  console.log(JSON.stringify(manifest, null, 2))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
