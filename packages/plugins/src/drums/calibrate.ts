/**
 * Fits the drums plugin's density calibrations on a split (train by default), by moving each logit offset by
 * the log ratio of the drummers' hits to the generated ones until they agree:
 * - `DRUMS_DENSITY_CALIBRATION` (styles.ts): the plugin continues each beat's first 2 bars by 8; one offset per
 *   16th of the beat (on the beat, e, and, a; the bar's four beats pooled); last line
 *   `calibration <4 offsets, comma-separated>`;
 * - with `--styles`, `DRUMS_STYLE_CALIBRATION`: 8 bars of each style from nothing (`--runs` draws) against the
 *   split's beats of that style; last line `style_calibration rock=… funk=… hiphop=… jazz=…`.
 * Usage:
 *   pnpm --filter @ensemble/plugins exec tsx src/drums/calibrate.ts [--data DIR] [--split train]
 *     [--beats 48] [--rounds 3] [--start X[,X,X,X]] [--styles] [--runs 8]
 */
import { initBackend } from '../common/backend.js'
import { defaultDataPath, numArg, parseArgs, resolveFromCwd } from '../common/cli.js'
import { loadBeats } from './beats-file.js'
import { type Beat, DEFAULT_DATA } from './data.js'
import { continuable, continuationCounts, fromNothing, hitsPerBar, sum } from './density.js'
import { drumsPlugin } from './plugin.js'
import { DRUM_STYLES, DRUMS_DENSITY_CALIBRATION, type DrumStyle } from './styles.js'

/**
 * A logit offset moves a rare class's rate by about its log ratio but a busy one's (the hi-hat, on a third
 * of the steps) by about two thirds of it: the step is the log ratio over the hit-weighted (1 - p).
 */
const GAIN = 1.3
/** 16ths per beat: the continuation offsets' period. */
const PERIOD = 4
const BARS = 8

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

async function fitStyles(beats: readonly Beat[], rounds: number, runs: number): Promise<void> {
  const offsets: Record<DrumStyle, number> = { rock: 0, funk: 0, hiphop: 0, jazz: 0 }
  for (let r = 0; r < rounds; r++) {
    const line: string[] = []
    for (const style of DRUM_STYLES) {
      const real = hitsPerBar(beats.filter((b) => b.style.split('/')[0] === style))
      if (!Number.isFinite(real)) continue
      const reg = drumsPlugin({ calibration: DRUMS_DENSITY_CALIBRATION, styleCalibration: { ...offsets } })
      const generated =
        (await fromNothing(reg, style, { bars: BARS, runs, seed: 1 + 1000 * r })).length / (BARS * runs)
      line.push(`${style} ${offsets[style].toFixed(3)}: ${generated.toFixed(2)} vs ${real.toFixed(2)}`)
      offsets[style] += GAIN * Math.log(real / generated)
    }
    console.log(`round ${r}: ${line.join('; ')}`)
  }
  console.log(`style_calibration ${DRUM_STYLES.map((s) => `${s}=${offsets[s].toFixed(3)}`).join(' ')}`)
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    data: 'string',
    split: 'string',
    beats: 'string',
    rounds: 'string',
    start: 'string',
    styles: 'boolean',
    runs: 'string',
  })
  const backend = await initBackend()
  const dir = args.get('data') ? resolveFromCwd(args.get('data') as string) : defaultDataPath(DEFAULT_DATA)
  const split = args.get('split') ?? 'train'
  const rounds = numArg(args, 'rounds', 3)
  if (args.get('styles') === 'true') {
    console.log(`backend ${backend}; ${dir} [${split}]: 8 bars of each style from nothing`)
    await fitStyles(loadBeats(dir, split), rounds, numArg(args, 'runs', 8))
    return
  }
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
