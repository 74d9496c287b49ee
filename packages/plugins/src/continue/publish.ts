/**
 * After training: measures the continue model on both valid splits and on the committed fixture
 * slices, and writes src/continue/weights/weights.json. Usage:
 *   pnpm --filter @ensemble/plugins exec tsx src/continue/publish.ts [--model DIR]
 */
import path from 'node:path'
import { initBackend } from '../common/backend.js'
import { defaultDataPath, defaultModelDir, parseArgs, repoRoot, resolveFromCwd } from '../common/cli.js'
import { readTrainingMetadata, writeWeightsManifest } from '../common/publish.js'
import { DEFAULT_DATA, getSplit, perKeyBaseline } from './data.js'
import { loadContinue } from './io.js'
import { evaluateFrameNll } from './model.js'
import { loadRolls } from './rolls-file.js'

export const CONTINUE_FIXTURES = {
  jsb: 'packages/plugins/test/fixtures/jsb-pianoroll-slice.json',
  nottingham: 'packages/plugins/test/fixtures/nottingham-slice.json',
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { model: 'string' })
  const backend = await initBackend()
  const dir = args.get('model') ? resolveFromCwd(args.get('model') as string) : defaultModelDir('continue')
  const model = await loadContinue(dir, false)
  const metrics: Record<string, number> = {}
  const fixture: Record<string, number | string> = { split: 'valid', backend }
  ;(['jsb', 'nottingham'] as const).forEach((corpus, i) => {
    const data = loadRolls(defaultDataPath(DEFAULT_DATA[corpus]))
    const valid = getSplit(data, 'valid')
    metrics[`valid_frame_nll_${corpus}`] = evaluateFrameNll(model, valid, i)
    metrics[`valid_per_key_baseline_${corpus}`] = perKeyBaseline(getSplit(data, 'train'), valid)
    const fx = getSplit(loadRolls(path.join(repoRoot(), CONTINUE_FIXTURES[corpus])), 'valid')
    fixture[`file_${corpus}`] = CONTINUE_FIXTURES[corpus]
    fixture[`frame_nll_${corpus}`] = evaluateFrameNll(model, fx, i)
  })
  const manifest = writeWeightsManifest(dir, {
    model: 'continue',
    parameters: model.params.count(),
    metrics,
    fixture,
    training: readTrainingMetadata(dir),
  })
  console.log(JSON.stringify(manifest, null, 2))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
