/**
 * Scores the continue model on one piano-roll file. Usage:
 *   pnpm --filter @ensemble/plugins exec tsx src/continue/evaluate.ts --data PATH [--split valid]
 *     [--corpus jsb|nottingham] [--model DIR]
 * The corpus (which style/grid the model should assume) defaults to a guess from the file name.
 * Prints the trivial per-key baseline when the file has a train split; the last line is `frame_nll <value>`.
 */
import { initBackend } from '../common/backend.js'
import { defaultDataPath, defaultModelDir, parseArgs, resolveFromCwd } from '../common/cli.js'
import { CORPORA, type Corpus, corpusOf, DEFAULT_DATA, getSplit, perKeyBaseline } from './data.js'
import { loadContinue } from './io.js'
import { evaluateFrameNll } from './model.js'
import { loadRolls } from './rolls-file.js'

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    data: 'string',
    split: 'string',
    model: 'string',
    corpus: 'string',
  })
  const backend = await initBackend()
  const dataPath = args.get('data')
    ? resolveFromCwd(args.get('data') as string)
    : defaultDataPath(DEFAULT_DATA.jsb)
  const modelDir = args.get('model')
    ? resolveFromCwd(args.get('model') as string)
    : defaultModelDir('continue')
  const split = args.get('split') ?? 'valid'
  const corpus = (args.get('corpus') ?? corpusOf(dataPath)) as Corpus
  const corpusIndex = CORPORA.indexOf(corpus)
  if (corpusIndex < 0) throw new Error(`--corpus must be one of ${CORPORA.join(', ')}`)
  const data = loadRolls(dataPath)
  const pieces = getSplit(data, split)
  const model = await loadContinue(modelDir)
  const frames = pieces.reduce((a, p) => a + p.length, 0)
  console.log(
    `backend ${backend}; model ${modelDir}; ${dataPath} [${split}] ${pieces.length} pieces, ${frames} frames`,
  )
  console.log(`corpus ${corpus}`)
  if (data.train && split !== 'train') {
    console.log(
      `trivial baseline (one probability per key, fitted on train) ${perKeyBaseline(data.train, pieces).toFixed(4)}`,
    )
  }
  console.log(`frame_nll ${evaluateFrameNll(model, pieces, corpusIndex).toFixed(4)}`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
