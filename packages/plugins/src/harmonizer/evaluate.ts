/**
 * Scores the harmonizer on a split. Usage:
 *   pnpm --filter @ensemble/plugins exec tsx src/harmonizer/evaluate.ts [--data PATH] [--split valid] [--model DIR]
 * Prints the note-wise NLL (nats/token, S,A,T,B serial order, as in the datasets README), per voice,
 * the NLL of A,T,B given the whole soprano, and the trivial baseline; the last line is `note_nll <value>`.
 */
import { initBackend } from '../common/backend.js'
import { defaultDataPath, defaultModelDir, parseArgs, resolveFromCwd } from '../common/cli.js'
import { DEFAULT_DATA, getSplit, loadChorales, unigramBaseline } from './data.js'
import { loadHarmonizer } from './io.js'
import { evaluateNll } from './model.js'

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { data: 'string', split: 'string', model: 'string' })
  const backend = await initBackend()
  const dataPath = args.get('data')
    ? resolveFromCwd(args.get('data') as string)
    : defaultDataPath(DEFAULT_DATA)
  const modelDir = args.get('model')
    ? resolveFromCwd(args.get('model') as string)
    : defaultModelDir('harmonizer')
  const split = args.get('split') ?? 'valid'
  const data = loadChorales(dataPath)
  const pieces = getSplit(data, split)
  const model = await loadHarmonizer(modelDir)
  console.log(`backend ${backend}; model ${modelDir}; ${dataPath} [${split}] ${pieces.length} pieces`)
  if (data.train && split !== 'train') {
    console.log(
      `trivial baseline (per-voice unigram fitted on train) ${unigramBaseline(data.train, pieces).toFixed(4)}`,
    )
  }
  const harm = evaluateNll(model, pieces, 'harmonize')
  console.log(
    `atb_given_s_nll ${harm.nll.toFixed(4)} (A ${harm.perVoice[1]?.toFixed(4)} T ${harm.perVoice[2]?.toFixed(4)} B ${harm.perVoice[3]?.toFixed(4)}; ${harm.tokens} tokens)`,
  )
  const full = evaluateNll(model, pieces, 'full')
  const perVoice = full.perVoice.map((v, i) => `${'SATB'[i]} ${v.toFixed(4)}`).join(' ')
  console.log(`per voice ${perVoice} (${full.tokens} tokens)`)
  console.log(`note_nll ${full.nll.toFixed(4)}`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
