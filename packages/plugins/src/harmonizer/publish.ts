/**
 * After training: measures the harmonizer on valid and on the committed fixture slice and writes
 * src/harmonizer/weights/weights.json (SHA-256 of the assets + figures). Usage:
 *   pnpm --filter @ensemble/plugins exec tsx src/harmonizer/publish.ts [--model DIR] [--data PATH]
 */
import path from 'node:path'
import { initBackend } from '../common/backend.js'
import { defaultDataPath, defaultModelDir, parseArgs, repoRoot, resolveFromCwd } from '../common/cli.js'
import { readTrainingMetadata, writeWeightsManifest } from '../common/publish.js'
import { DEFAULT_DATA, getSplit, loadChorales, unigramBaseline } from './data.js'
import { loadHarmonizer } from './io.js'
import { evaluateNll } from './model.js'

export const HARMONIZER_FIXTURE = 'packages/plugins/test/fixtures/jsb16th-slice.json'

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { model: 'string', data: 'string' })
  const backend = await initBackend()
  const dir = args.get('model') ? resolveFromCwd(args.get('model') as string) : defaultModelDir('harmonizer')
  const dataPath = args.get('data')
    ? resolveFromCwd(args.get('data') as string)
    : defaultDataPath(DEFAULT_DATA)
  const model = await loadHarmonizer(dir, false)
  const data = loadChorales(dataPath)
  const valid = getSplit(data, 'valid')
  const full = evaluateNll(model, valid, 'full')
  const harm = evaluateNll(model, valid, 'harmonize')
  const fixture = getSplit(loadChorales(path.join(repoRoot(), HARMONIZER_FIXTURE)), 'valid')
  const fxFull = evaluateNll(model, fixture, 'full')
  const fxHarm = evaluateNll(model, fixture, 'harmonize')
  const manifest = writeWeightsManifest(dir, {
    model: 'harmonizer',
    parameters: model.params.count(),
    metrics: {
      valid_note_nll: full.nll,
      valid_atb_given_s_nll: harm.nll,
      valid_note_nll_S: full.perVoice[0] ?? Number.NaN,
      valid_note_nll_A: full.perVoice[1] ?? Number.NaN,
      valid_note_nll_T: full.perVoice[2] ?? Number.NaN,
      valid_note_nll_B: full.perVoice[3] ?? Number.NaN,
      valid_unigram_baseline: unigramBaseline(getSplit(data, 'train'), valid),
    },
    fixture: {
      file: HARMONIZER_FIXTURE,
      split: 'valid',
      note_nll: fxFull.nll,
      atb_given_s_nll: fxHarm.nll,
      backend,
    },
    training: readTrainingMetadata(dir),
  })
  console.log(JSON.stringify(manifest, null, 2))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
