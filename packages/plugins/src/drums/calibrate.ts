/**
 * Fits the drums plugin's density calibration (`DRUMS_DENSITY_CALIBRATION` in sampling.ts) on a split: the
 * plugin continues each beat's first 2 bars by 8, and the logit offset on every class moves by the log ratio
 * of the drummers' hits to the generated ones until they agree. Usage:
 *   pnpm --filter @ensemble/plugins exec tsx src/drums/calibrate.ts [--data DIR] [--split train]
 *     [--beats 48] [--rounds 3] [--start 0]
 * Prints each round's hits per bar and, as its last line, `calibration <offset>`.
 */
import { initBackend } from '../common/backend.js'
import { defaultDataPath, numArg, parseArgs, resolveFromCwd } from '../common/cli.js'
import { loadBeats } from './beats-file.js'
import { DEFAULT_DATA } from './data.js'
import { continuable, continuationCounts, sum } from './density.js'
import { drumsPlugin } from './plugin.js'

/**
 * A logit offset moves a rare class's rate by about its log ratio but a busy one's (the hi-hat, on a third
 * of the steps) by about two thirds of it: the step is the log ratio over the hit-weighted (1 - p).
 */
const GAIN = 1.3

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
  const all = continuable(loadBeats(dir, split))
  const n = Math.min(all.length, numArg(args, 'beats', 48))
  // An even spread over the split (it is sorted by drummer and session), not its first n beats.
  const beats = Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]!)
  const rounds = numArg(args, 'rounds', 3)
  let offset = numArg(args, 'start', 0)
  console.log(`backend ${backend}; ${dir} [${split}] ${beats.length} beats: 2 real bars, then 8 continued`)
  for (let r = 0; r < rounds; r++) {
    const c = await continuationCounts(drumsPlugin({ calibration: offset }), beats, { seed: 1 + 1000 * r })
    const [generated, real] = [sum(c.generated) / c.bars, sum(c.real) / c.bars]
    console.log(
      `round ${r}: offset ${offset.toFixed(3)} → hits per bar generated ${generated.toFixed(2)}, real ${real.toFixed(2)}`,
    )
    offset += GAIN * Math.log(real / generated)
  }
  console.log(`calibration ${offset.toFixed(3)}`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
