/**
 * Scores the drums model on a Groove MIDI split. Usage:
 *   pnpm --filter @ensemble/plugins exec tsx src/drums/evaluate.ts [--data DIR] [--split validation] [--model DIR] [--by-style]
 * --data is a folder with info.csv and the .mid files. Prints the per-position baseline (fitted on
 * the train split) and, as its last line, `step_nll <value>` (nats per 16th step, 9 classes).
 * --by-style first prints the same two figures per style (the first label of info.csv's `style`), so a
 * gain on rock cannot hide a loss on reggae (MODEL_CARD.md, "What it knows and what it does not").
 */
import { initBackend } from '../common/backend.js'
import { defaultDataPath, defaultModelDir, parseArgs, resolveFromCwd } from '../common/cli.js'
import { loadBeats } from './beats-file.js'
import { DEFAULT_DATA, positionBaseline } from './data.js'
import { loadDrums } from './io.js'
import { evaluateStepNll } from './model.js'

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    data: 'string',
    split: 'string',
    model: 'string',
    'by-style': 'boolean',
  })
  const backend = await initBackend()
  const dir = args.get('data') ? resolveFromCwd(args.get('data') as string) : defaultDataPath(DEFAULT_DATA)
  const modelDir = args.get('model') ? resolveFromCwd(args.get('model') as string) : defaultModelDir('drums')
  const split = args.get('split') ?? 'validation'
  const beats = loadBeats(dir, split)
  const model = await loadDrums(modelDir)
  const steps = beats.reduce((a, b) => a + b.hits.length, 0)
  console.log(
    `backend ${backend}; model ${modelDir}; ${dir} [${split}] ${beats.length} beats (4/4), ${steps} steps`,
  )
  const train = loadBeats(dir, 'train')
  if (train.length > 0 && split !== 'train') {
    console.log(`per-position baseline (fitted on train) ${positionBaseline(train, beats).toFixed(4)}`)
  }
  if (args.get('by-style')) {
    const styles = new Map<string, typeof beats>()
    for (const b of beats) {
      const style = b.style.split('/')[0] ?? b.style
      styles.set(style, [...(styles.get(style) ?? []), b])
    }
    console.log('style\tbeats\tsteps\tbaseline\tstep_nll')
    for (const [style, group] of [...styles].sort((a, b) => b[1].length - a[1].length)) {
      const n = group.reduce((a, b) => a + b.hits.length, 0)
      const base = train.length > 0 ? positionBaseline(train, group).toFixed(4) : '-'
      console.log(`${style}\t${group.length}\t${n}\t${base}\t${evaluateStepNll(model, group).toFixed(4)}`)
    }
  }
  console.log(`step_nll ${evaluateStepNll(model, beats).toFixed(4)}`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
