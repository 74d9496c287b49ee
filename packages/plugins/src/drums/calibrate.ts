/**
 * Fits the drums plugin's density calibration (`DRUMS_DENSITY_CALIBRATION` in styles.ts) on a split (train by
 * default): the plugin continues each beat's first 2 bars by 8, and the logit offset at each 16th of the beat
 * (on the beat, e, and, a; the bar's four beats pooled) moves by the log ratio of the drummers' hits there to
 * the generated ones until they agree. Usage:
 *   pnpm --filter @ensemble/plugins exec tsx src/drums/calibrate.ts [--data DIR] [--split train]
 *     [--beats 48] [--rounds 3] [--start X[,X,X,X]]
 * Prints each round's hits per bar and, as its last line, `calibration <4 offsets, comma-separated>`.
 */
import { initBackend } from '../common/backend.js'
import { defaultDataPath, numArg, parseArgs, resolveFromCwd } from '../common/cli.js'
import { loadBeats } from './beats-file.js'
import { type Beat, DEFAULT_DATA } from './data.js'
import { continuable, continuationCounts, sum } from './density.js'
import { drumsPlugin } from './plugin.js'

/**
 * A logit offset moves a rare class's rate by about its log ratio but a busy one's (the hi-hat, on a third
 * of the steps) by about two thirds of it: the step is the log ratio over the hit-weighted (1 - p).
 */
const GAIN = 1.3
/** 16ths per beat: the continuation offsets' period. */
const PERIOD = 4

const list = (xs: readonly number[]) => xs.map((x) => x.toFixed(3)).join(',')

async function fitPositions(beats: readonly Beat[], rounds: number, start: number[]): Promise<void> {
  const offsets = start.length === 1 ? new Array<number>(PERIOD).fill(start[0] ?? 0) : [...start]
  for (let r = 0; r < rounds; r++) {
    const c = await continuationCounts(drumsPlugin({ calibration: [...offsets] }), beats, {
      seed: 1 + 1000 * r,
    })
    const [generated, real] = [sum(c.generated) / c.bars, sum(c.real) / c.bars]
    console.log(
      `round ${r}: offsets ${list(offsets)} → hits per bar generated ${generated.toFixed(2)}, real ${real.toFixed(2)}`,
    )
    offsets.forEach((o, q) => {
      const pooled = (xs: readonly number[]) => sum(xs.filter((_, p) => p % PERIOD === q))
      const [g, t] = [pooled(c.generatedByPosition), pooled(c.realByPosition)]
      if (g > 0 && t > 0) offsets[q] = o + GAIN * Math.log(t / g)
    })
  }
  console.log(`calibration ${list(offsets)}`)
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    data: 'string',
    split: 'string',
    beats: 'string',
    rounds: 'string',
    start: 'string',
  })
  const backend = await initBackend()
  const dir = args.get('data') ? resolveFromCwd(args.get('data') as string) : defaultDataPath(DEFAULT_DATA)
  const split = args.get('split') ?? 'train'
  const rounds = numArg(args, 'rounds', 3)
  const all = continuable(loadBeats(dir, split))
  const n = Math.min(all.length, numArg(args, 'beats', 48))
  // An even spread over the split (it is sorted by drummer and session), not its first n beats.
  const beats = Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]!)
  console.log(`backend ${backend}; ${dir} [${split}] ${beats.length} beats: 2 real bars, then 8 continued`)
  await fitPositions(beats, rounds, (args.get('start') ?? '0.13').split(',').map(Number))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
