/**
 * Scores the continue model on one piano-roll file. Usage:
 *   pnpm --filter @ensemble/plugins exec tsx src/continue/evaluate.ts --corpus jsb|nottingham --data PATH
 *     [--split valid] [--model DIR]
 * The corpus (which style/grid the model assumes) is required: a held-out file may be named anything, so it is
 * not guessed from the name. Without --data, the corpus's file beside a development checkout.
 * Prints the trivial per-key baseline when the file has a train split; the last line is `frame_nll <value>`.
 */
import { initBackend } from '../common/backend.js'
import { defaultDataPath, defaultModelDir, parseArgs, resolveFromCwd } from '../common/cli.js'
import { CORPORA, type Corpus, DEFAULT_DATA, getSplit, perKeyBaseline } from './data.js'
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
  const corpus = args.get('corpus') as Corpus | undefined
  if (corpus === undefined || !CORPORA.includes(corpus))
    throw new Error(`--corpus ${CORPORA.join('|')} is required: which corpus the file holds is not guessed`)
  const corpusIndex = CORPORA.indexOf(corpus)
  const dataPath = args.get('data')
    ? resolveFromCwd(args.get('data') as string)
    : defaultDataPath(DEFAULT_DATA[corpus])
  const modelDir = args.get('model')
    ? resolveFromCwd(args.get('model') as string)
    : defaultModelDir('continue')
  const split = args.get('split') ?? 'valid'
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
