/**
 * Musical checks on what the first-party plugins generate, beside the same checks on the real music of the
 * valid split (see musical-checks.ts for the definitions). Each plugin runs through its real contract code
 * on the in-process host, with prompts taken from the data:
 * - harmonizer: the soprano of the first 8 bars of each chorale → A, T, B (strictKey off, so the in-key
 *   share is the model's own; with the default strictKey on it is 1 by construction);
 * - continue, per style: the first 8 bars of each Nottingham tune → the next 8 bars (folk), and the first 4
 *   bars of each JSB piano-roll chorale → the next 4 (chorale), strictKey off, against the piece's real next
 *   bars; parallels between the outer voices (top and bottom note);
 * - drums: 8 bars of each style from nothing, against the validation beats' hits per bar (all styles, and the
 *   four styles offered); and the first 2 bars of validation beats continued by 8, against the drummers'.
 * - continue also gets register continuity: moves of the outer voices wider than an octave.
 * Usage (from the repository root):
 *   pnpm --filter @ensemble/plugins exec tsx tools/music-report.ts [--jsb PATH] [--nottingham PATH]
 *     [--jsb-roll PATH] [--groove DIR] [--split valid|train] [--prompts N] [--seed N]
 *     [--plugins harmonizer,continue,drums]
 *     [--drums-calibration X[,X,X,X]] [--drums-primer-calibration X] [--drums-runs N]
 *     [--continue-weights P,J[,JL]]   (to compare with the plugins' constants: 0 and 1,1 = off)
 */
import path from 'node:path'
import {
  KEY_NAMES,
  type PluginNote,
  PPQ,
  runPlugin,
  type SongKey,
  type SuggestInput,
  ticksPerBar,
} from '@ensemble/core/plugin'
import type { FirstPartyOptions } from '../src/common/assets.js'
import { initBackend } from '../src/common/backend.js'
import { defaultDataPath, numArg, parseArgs, resolveFromCwd } from '../src/common/cli.js'
import type { PitchKey } from '../src/common/key.js'
import { loadLocalModels } from '../src/common/local-host.js'
import {
  addLeaps,
  addParallels,
  countParallels,
  countRegisterLeaps,
  estimateKey,
  gridPitches,
  inKeyShare,
  inRangeShare,
  type LeapCount,
  leapRate,
  outerVoices,
  type ParallelCount,
  parallelRate,
} from '../src/common/musical-checks.js'
import { gridToNotes, notesToGrid, TICKS_PER_16TH } from '../src/common/steps.js'
import type { StyleWeights } from '../src/continue/continuation.js'
import { getSplit as getRollSplit } from '../src/continue/data.js'
import { continuePlugin } from '../src/continue/plugin.js'
import { loadRolls } from '../src/continue/rolls-file.js'
import { loadBeats } from '../src/drums/beats-file.js'
import { type Beat, drumClassOf } from '../src/drums/data.js'
import { continuable, continuationCounts, fromNothing, hitsPerBar, sum } from '../src/drums/density.js'
import { drumsPlugin } from '../src/drums/plugin.js'
import { DRUM_STYLES } from '../src/drums/sampling.js'
import { getSplit, loadChorales, VOICE_RANGES } from '../src/harmonizer/data.js'
import { harmonizerPlugin } from '../src/harmonizer/plugin.js'
import type { PluginRegistration } from '../src/host.js'

const BAR = ticksPerBar({ numerator: 4, denominator: 4 })
const BARS = 8

export interface Figures {
  inKey: number
  inRange: number
  parallelsPer100: number
  parallels: ParallelCount
  /** Register continuity: moves of a voice wider than an octave, per 100 of its moves. */
  leapsPer100: number
  leaps: LeapCount
}

export interface HarmonizerReport {
  prompts: number
  generated: Figures
  chorales: Figures
}

export interface ContinueReport {
  prompts: number
  generated: Figures
  real: Figures
}

export interface DrumsStyleFigures {
  style: string
  generatedHitsPerBar: number
  /** NaN when the split has no beat of this style. */
  realHitsPerBar: number
  realBeats: number
}

export interface DrumsReport {
  bars: number
  generatedHitsPerBar: number
  realHitsPerBar: number
  /** The real beats of the four styles the plugin offers, each style weighing the same. */
  styleHitsPerBar: number
  /** Each style the plugin offers from nothing, against the real beats of that style. */
  styles: DrumsStyleFigures[]
  /** Real 2-bar openings continued by 8 bars, against what the drummers played next. */
  continuation: {
    beats: number
    generatedHitsPerBar: number
    realHitsPerBar: number
    /** Hits per bar on each 16th of the beat (on the beat, e, and, a; the four beats pooled). */
    byBeatPosition: { generated: number[]; real: number[] }
  }
  /** Share of generated notes on a pitch of the 9-class drum map. */
  inMap: number
}

export const songKey = (k: PitchKey): SongKey => ({ tonic: KEY_NAMES[k.tonic] as string, mode: k.mode })

export function request(
  key: PitchKey,
  target: SuggestInput['target'],
  parameters: Record<string, unknown>,
  seed: number,
  variations: number,
): SuggestInput {
  return {
    song: { bpm: 90, timeSignature: { numerator: 4, denominator: 4 }, key: songKey(key) },
    target,
    context: [],
    parameters,
    seed,
    variations,
    deadlineMs: 600_000,
  } as SuggestInput
}

export async function suggest(reg: PluginRegistration, input: SuggestInput) {
  const local = loadLocalModels(reg)
  if (local.problems.length > 0) throw new Error(local.problems.join('; '))
  return runPlugin(reg.plugin, input, { models: local.runner })
}

function figures(
  grids: number[][][],
  keys: PitchKey[],
  ranges: ReadonlyArray<readonly [number, number] | null>,
  keyVoices?: number[],
): Figures {
  let inKey = 0
  let notes = 0
  let inRange = 0
  let ranged = 0
  let parallels: ParallelCount = { motions: 0, fifths: 0, octaves: 0 }
  let leaps: LeapCount = { moves: 0, leaps: 0 }
  grids.forEach((grid, i) => {
    const pitches = gridPitches(grid, keyVoices)
    // A silent grid (a continuation can be all rests) has no share to weigh: 0 · NaN would poison the sums.
    if (pitches.length > 0) inKey += inKeyShare(pitches, keys[i] as PitchKey) * pitches.length
    notes += pitches.length
    const r = grid.reduce((n, row) => n + row.filter((p, v) => p >= 0 && ranges[v]).length, 0)
    if (r > 0) inRange += inRangeShare(grid, ranges) * r
    ranged += r
    parallels = addParallels(parallels, countParallels(grid))
    leaps = addLeaps(leaps, countRegisterLeaps(grid))
  })
  return {
    inKey: inKey / notes,
    inRange: ranged > 0 ? inRange / ranged : Number.NaN,
    parallelsPer100: parallelRate(parallels),
    parallels,
    leapsPer100: leapRate(leaps),
    leaps,
  }
}

/** One voice of a chorale's [S, A, T, B] 16th steps as notes. */
export const voiceNotes = (
  piece: readonly (readonly number[])[],
  voice: number,
  velocity: number,
): PluginNote[] =>
  gridToNotes(
    piece.map((s) => ((s[voice] ?? -1) >= 0 ? [s[voice] as number] : [])),
    { startTick: 0, ticksPerStep: TICKS_PER_16TH, velocity },
  )

/** The harmonizer asked for A, T and B, a track each, under `melody` (`steps` 16ths), at temperature 0.8. */
export const harmonizerRequest = (
  key: PitchKey,
  melody: PluginNote[],
  steps: number,
  parameters: { strictKey: boolean; avoidParallels: boolean },
  seed: number,
): SuggestInput =>
  request(
    key,
    { trackId: 'melody', kind: 'instrument', fromTick: 0, toTick: steps * TICKS_PER_16TH, notes: melody },
    { output: 'tracks', voices: 3, temperature: 0.8, ...parameters },
    seed,
    3,
  )

/** Harmonizes the first 8 bars of each chorale's soprano. */
export async function harmonizerReport(
  chorales: ReadonlyArray<ReadonlyArray<readonly number[]>>,
  opts: FirstPartyOptions & { seed?: number; avoidParallels?: boolean } = {},
): Promise<HarmonizerReport> {
  const reg = harmonizerPlugin(opts)
  const avoidParallels = opts.avoidParallels ?? true
  const steps = BARS * 16
  const generated: number[][][] = []
  const real: number[][][] = []
  const keys: PitchKey[] = []
  for (const [i, chorale] of chorales.entries()) {
    const piece = chorale.slice(0, steps).map((s) => [...s])
    const key = estimateKey(gridPitches(chorale.map((s) => [...s])))
    const melody = voiceNotes(piece, 0, 90)
    const out = await suggest(
      reg,
      harmonizerRequest(key, melody, steps, { strictKey: false, avoidParallels }, (opts.seed ?? 1) + i),
    )
    const voices = out.suggestions.map((s) =>
      notesToGrid('notes' in s ? s.notes : [], {
        startTick: 0,
        steps: piece.length,
        ticksPerStep: TICKS_PER_16TH,
      }),
    )
    generated.push(
      piece.map((s, t) => [
        s[0] ?? -1,
        ...voices.map((g) => (g[t]?.length ? Math.max(...(g[t] ?? [])) : -1)),
      ]),
    )
    real.push(piece)
    keys.push(key)
  }
  // In-key share over A, T, B only: the soprano is the prompt, the same in both.
  return {
    prompts: chorales.length,
    generated: figures(generated, keys, [null, ...VOICE_RANGES.slice(1)], [1, 2, 3]),
    chorales: figures(real, keys, [null, ...VOICE_RANGES.slice(1)], [1, 2, 3]),
  }
}

/** How each continue style is measured: its corpus's grid, and how many bars are prompt and continuation. */
export const CONTINUE_REPORT_STYLES = {
  // Folk tunes are long (255 frames on average): 8 bars of 8ths continued by 8.
  folk: { frameTicks: PPQ / 2, bars: 8 },
  // Chorales are short (60 quarter-note frames on average): 4 bars continued by 4, so most of them count.
  chorale: { frameTicks: PPQ, bars: 4 },
} as const
export type ContinueReportStyle = keyof typeof CONTINUE_REPORT_STYLES

/**
 * Continues the first bars of each piece by as many (see CONTINUE_REPORT_STYLES) in the given style; pieces
 * shorter than both are skipped. The outer voices (top and bottom note of each frame) are measured.
 */
export async function continueReport(
  tunes: ReadonlyArray<ReadonlyArray<readonly number[]>>,
  opts: FirstPartyOptions & {
    seed?: number
    style?: ContinueReportStyle
    weights?: StyleWeights
  } = {},
): Promise<ContinueReport> {
  const reg = continuePlugin(opts)
  const style = opts.style ?? 'folk'
  const { frameTicks, bars } = CONTINUE_REPORT_STYLES[style]
  const frames = (bars * BAR) / frameTicks
  const generated: number[][][] = []
  const real: number[][][] = []
  const keys: PitchKey[] = []
  // The pitch range the corpus uses (from the prompts), for the in-range share.
  const used = gridPitches(tunes.flatMap((t) => t.slice(0, frames).map((f) => [...f])))
  // A loop, not Math.min(...used): a whole split's pitches overflow the call stack as arguments.
  const range = used.reduce<[number, number]>(
    ([lo, hi], p) => [Math.min(lo, p), Math.max(hi, p)],
    [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
  )
  for (const [i, tune] of tunes.entries()) {
    if (tune.length < 2 * frames) continue
    const prompt = tune.slice(0, frames).map((f) => [...f])
    const key = estimateKey(gridPitches(prompt))
    const notes: PluginNote[] = gridToNotes(prompt, { startTick: 0, ticksPerStep: frameTicks, velocity: 80 })
    const out = await suggest(
      reg,
      request(
        key,
        { trackId: 'tune', kind: 'instrument', fromTick: 0, toTick: 2 * bars * BAR, notes },
        { bars, temperature: 1, style, strictKey: false },
        (opts.seed ?? 1) + i,
        1,
      ),
    )
    const s = out.suggestions[0]
    const grid = notesToGrid(s && 'notes' in s ? s.notes : [], {
      startTick: bars * BAR,
      steps: frames,
      ticksPerStep: frameTicks,
    })
    generated.push(outerVoices(grid))
    real.push(outerVoices(tune.slice(frames, 2 * frames).map((f) => [...f])))
    keys.push(key)
  }
  return {
    prompts: generated.length,
    generated: figures(generated, keys, [range, range]),
    real: figures(real, keys, [range, range]),
  }
}

/** Hits per bar on each 16th of the beat, from hits on each 16th of the bar. */
const beatPositions = (byPosition: readonly number[], bars: number): number[] =>
  [0, 1, 2, 3].map((q) => sum(byPosition.filter((_, p) => p % 4 === q)) / Math.max(1, bars))

/**
 * 8 bars of each style from an empty drums track (`runs` draws of each, other seeds), against the real beats'
 * hits per 4/4 bar: those of the same style, all of them, and the four styles each weighing the same; and
 * real openings continued, against the drummers' own continuations.
 */
export async function drumsReport(
  beats: readonly Beat[],
  opts: FirstPartyOptions & {
    seed?: number
    continuations?: number
    runs?: number
    calibration?: number | readonly number[]
    primerCalibration?: number
  } = {},
): Promise<DrumsReport> {
  const reg = drumsPlugin(opts)
  const runs = opts.runs ?? 1
  let inMap = 0
  const perStyle: DrumsStyleFigures[] = []
  for (const [i, style] of DRUM_STYLES.entries()) {
    const pitches = await fromNothing(reg, style, { bars: BARS, runs, seed: (opts.seed ?? 1) + i })
    const hits = pitches.length
    inMap += pitches.filter((p) => drumClassOf(p) !== undefined).length
    const real = beats.filter((b) => b.style.split('/')[0] === style)
    perStyle.push({
      style,
      generatedHitsPerBar: hits / (BARS * runs),
      realHitsPerBar: real.length > 0 ? hitsPerBar(real) : Number.NaN,
      realBeats: real.length,
    })
  }
  const withReal = perStyle.filter((s) => s.realBeats > 0)
  const hits = perStyle.reduce((a, s) => a + s.generatedHitsPerBar, 0) * BARS * runs
  const long = continuable(beats)
  const n = Math.min(long.length, opts.continuations ?? 32)
  // An even spread over the split (sorted by drummer and session), not its first n beats.
  const openings = Array.from({ length: n }, (_, i) => long[Math.floor((i * long.length) / n)] as Beat)
  const c = await continuationCounts(reg, openings, { seed: opts.seed })
  return {
    bars: BARS * runs * DRUM_STYLES.length,
    generatedHitsPerBar: hits / (BARS * runs * DRUM_STYLES.length),
    realHitsPerBar: hitsPerBar(beats),
    styleHitsPerBar: withReal.reduce((a, s) => a + s.realHitsPerBar, 0) / withReal.length,
    styles: perStyle,
    continuation: {
      beats: n,
      generatedHitsPerBar: c.bars > 0 ? sum(c.generated) / c.bars : Number.NaN,
      realHitsPerBar: c.bars > 0 ? sum(c.real) / c.bars : Number.NaN,
      byBeatPosition: {
        generated: beatPositions(c.generatedByPosition, c.bars),
        real: beatPositions(c.realByPosition, c.bars),
      },
    },
    inMap: hits > 0 ? inMap / hits : Number.NaN,
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`
/** A generated rate against the real one, as a signed percentage. */
const ratio = (generated: number, real: number) =>
  `${generated >= real ? '+' : ''}${pct(generated / real - 1)}`
const leap = (f: Figures) => `${f.leapsPer100.toFixed(2)} per 100 moves (${f.leaps.leaps} / ${f.leaps.moves})`
const par = (f: Figures) =>
  `${f.parallelsPer100.toFixed(2)} per 100 moving voice pairs (${f.parallels.fifths} fifths, ${f.parallels.octaves} octaves / ${f.parallels.motions})`

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    jsb: 'string',
    nottingham: 'string',
    'jsb-roll': 'string',
    split: 'string',
    groove: 'string',
    prompts: 'string',
    seed: 'string',
    plugins: 'string',
    'drums-calibration': 'string',
    'drums-runs': 'string',
    'drums-primer-calibration': 'string',
    'continue-weights': 'string',
  })
  const only = (args.get('plugins') ?? 'harmonizer,continue,drums').split(',')
  const backend = await initBackend()
  const data = (key: string, rel: string) =>
    args.get(key) ? resolveFromCwd(args.get(key) as string) : defaultDataPath(rel, `--${key}`)
  const n = numArg(args, 'prompts', 16)
  const seed = numArg(args, 'seed', 1)
  // The splits are named `valid` in the roll and chorale files and `validation` in Groove MIDI's info.csv.
  const split = args.get('split') ?? 'valid'
  console.log(`backend ${backend}; ${n} prompts per plugin from the ${split} splits, seed ${seed}`)

  if (only.includes('harmonizer')) {
    const chorales = getSplit(loadChorales(data('jsb', 'jsb-chorales/Jsb16thSeparated.json')), split)
    const free = await harmonizerReport(chorales.slice(0, n), { seed, avoidParallels: false })
    const h = await harmonizerReport(chorales.slice(0, n), { seed })
    console.log(`harmonizer (${h.prompts} chorales, 8 bars, temperature 0.8, strictKey off)`)
    console.log(`  A,T,B in key: generated ${pct(h.generated.inKey)}, chorales ${pct(h.chorales.inKey)}`)
    console.log(
      `  A,T,B inside their ranges: generated ${pct(h.generated.inRange)}, chorales ${pct(h.chorales.inRange)}`,
    )
    console.log(`  parallel 5ths/8ves: generated ${par(h.generated)}; chorales ${par(h.chorales)}`)
    console.log(
      `  register jumps (each voice, moves over an octave): generated ${leap(h.generated)}; chorales ${leap(h.chorales)}`,
    )
    console.log(
      `  without "avoid parallels": in key ${pct(free.generated.inKey)}, parallels ${par(free.generated)}`,
    )

    console.log(`harmonizer_parallels_per_100 ${h.generated.parallelsPer100.toFixed(2)}`)
  }
  if (only.includes('continue')) {
    // `--continue-weights P,J[,JL]`: the penalties to try in every style instead of CONTINUE_STYLE_WEIGHTS
    // (1,1: none); JL, for prompts that jump themselves, defaults to J.
    const w = args.get('continue-weights')?.split(',').map(Number)
    const weights = w
      ? { parallel: w[0] ?? 1, registerJump: w[1] ?? 1, registerJumpAfterLeaps: w[2] ?? w[1] ?? 1 }
      : undefined
    const corpora = [
      { style: 'folk', name: 'Nottingham tunes', file: data('nottingham', 'piano-roll/Nottingham.json') },
      { style: 'chorale', name: 'JSB chorales', file: data('jsb-roll', 'piano-roll/JSB_Chorales.json') },
    ] as const
    for (const { style, name, file } of corpora) {
      const tunes = getRollSplit(loadRolls(file), split)
      const c = await continueReport(
        tunes.slice(0, n).map((t) => t.map((f) => f.map((k) => k))),
        { seed, weights, style },
      )
      const bars = CONTINUE_REPORT_STYLES[style].bars
      console.log(
        `continue, ${style} (${c.prompts} ${name}, ${bars} bars after ${bars}, temperature 1, strictKey off)`,
      )
      console.log(`  in key: generated ${pct(c.generated.inKey)}, real continuation ${pct(c.real.inKey)}`)
      console.log(
        `  inside the prompts' pitch range: generated ${pct(c.generated.inRange)}, real ${pct(c.real.inRange)}`,
      )
      console.log(`  parallel 5ths/8ves (outer voices): generated ${par(c.generated)}; real ${par(c.real)}`)
      console.log(
        `  register continuity (outer voices, moves over an octave): generated ${leap(c.generated)}; real ${leap(c.real)}`,
      )
      console.log(
        `  against the real rates: parallels ${ratio(c.generated.parallelsPer100, c.real.parallelsPer100)}, register jumps ${ratio(c.generated.leapsPer100, c.real.leapsPer100)}`,
      )
    }
  }
  if (only.includes('drums')) {
    const groove = data('groove', 'groove-midi')
    const calibration = args.get('drums-calibration')?.split(',').map(Number)
    const runs = numArg(args, 'drums-runs', 4)
    const d = await drumsReport(loadBeats(groove, split === 'valid' ? 'validation' : split), {
      seed,
      continuations: 2 * n,
      runs,
      calibration:
        calibration === undefined ? undefined : calibration.length === 1 ? calibration[0] : calibration,
      primerCalibration:
        args.get('drums-primer-calibration') === undefined
          ? undefined
          : numArg(args, 'drums-primer-calibration', 0),
    })
    console.log(`drums (${d.bars} bars: ${runs} × 8 per style from nothing, density 0.5)`)
    for (const s of d.styles)
      console.log(
        `  ${s.style}: generated ${s.generatedHitsPerBar.toFixed(2)} hits per bar, real ${s.realHitsPerBar.toFixed(2)} (${s.realBeats} beats): ${ratio(s.generatedHitsPerBar, s.realHitsPerBar)}`,
      )
    console.log(
      `  all four: generated ${d.generatedHitsPerBar.toFixed(2)}, the four styles' beats ${d.styleHitsPerBar.toFixed(2)} (each weighing the same): ${ratio(d.generatedHitsPerBar, d.styleHitsPerBar)}; all beats of every style ${d.realHitsPerBar.toFixed(2)}: ${ratio(d.generatedHitsPerBar, d.realHitsPerBar)}; on the drum map ${pct(d.inMap)}`,
    )
    console.log(
      `  continuing ${d.continuation.beats} beats' first 2 bars by 8: generated ${d.continuation.generatedHitsPerBar.toFixed(2)} hits per bar, the drummers ${d.continuation.realHitsPerBar.toFixed(2)}: ${ratio(d.continuation.generatedHitsPerBar, d.continuation.realHitsPerBar)}`,
    )
    const b = d.continuation.byBeatPosition
    console.log(
      `  by 16th of the beat (on, e, and, a), hits per bar: generated ${b.generated.map((x) => x.toFixed(2)).join(', ')}; the drummers ${b.real.map((x) => x.toFixed(2)).join(', ')}`,
    )
    console.log(`drums_hits_per_bar ${d.generatedHitsPerBar.toFixed(2)}`)
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
