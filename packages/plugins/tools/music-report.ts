/**
 * Musical checks on what the first-party plugins generate, beside the same checks on the real music of the
 * valid split (see musical-checks.ts for the definitions). Each plugin runs through its real contract code
 * on the in-process host, with prompts taken from the data:
 * - harmonizer: the soprano of the first 8 bars of each chorale → A, T, B (strictKey off, so the in-key
 *   share is the model's own; with the default strictKey on it is 1 by construction);
 * - continue: the first 8 bars of each Nottingham tune → the next 8 bars (folk style, strictKey off),
 *   against the tune's real next 8 bars; parallels between the outer voices (top and bottom note);
 * - drums: 8 bars of each style from nothing, against the validation beats' hits per bar (all styles, and the
 *   four styles offered); and the first 2 bars of validation beats continued by 8, against the drummers'.
 * - continue also gets register continuity: moves of the outer voices wider than an octave.
 * Usage (from the repository root):
 *   pnpm --filter @ensemble/plugins exec tsx tools/music-report.ts [--jsb PATH] [--nottingham PATH]
 *     [--groove DIR] [--prompts N] [--seed N] [--plugins harmonizer,continue,drums]
 *     [--drums-calibration X] [--continue-weights P,J]   (to compare with the plugins' constants: 0 and 1,1 = off)
 */
import path from 'node:path'
import {
  KEY_NAMES,
  type PluginNote,
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
import { getSplit as getRollSplit } from '../src/continue/data.js'
import { continuePlugin } from '../src/continue/plugin.js'
import { loadRolls } from '../src/continue/rolls-file.js'
import { loadBeats } from '../src/drums/beats-file.js'
import { type Beat, drumClassOf, STEPS_PER_BAR } from '../src/drums/data.js'
import { continuable, continuationCounts, sum } from '../src/drums/density.js'
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

export interface DrumsReport {
  bars: number
  generatedHitsPerBar: number
  realHitsPerBar: number
  /** The real beats of the four styles the plugin offers, each style weighing the same. */
  styleHitsPerBar: number
  /** Real 2-bar openings continued by 8 bars, against what the drummers played next. */
  continuation: { beats: number; generatedHitsPerBar: number; realHitsPerBar: number }
  /** Share of generated notes on a pitch of the 9-class drum map. */
  inMap: number
}

const songKey = (k: PitchKey): SongKey => ({ tonic: KEY_NAMES[k.tonic] as string, mode: k.mode })

function request(
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

async function suggest(reg: PluginRegistration, input: SuggestInput) {
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
    inKey += inKeyShare(pitches, keys[i] as PitchKey) * pitches.length
    notes += pitches.length
    const r = grid.reduce((n, row) => n + row.filter((p, v) => p >= 0 && ranges[v]).length, 0)
    inRange += inRangeShare(grid, ranges) * r
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
    const melody = gridToNotes(
      piece.map((s) => ((s[0] ?? -1) >= 0 ? [s[0] as number] : [])),
      { startTick: 0, ticksPerStep: TICKS_PER_16TH, velocity: 90 },
    )
    const out = await suggest(
      reg,
      request(
        key,
        { trackId: 'melody', kind: 'instrument', fromTick: 0, toTick: steps * TICKS_PER_16TH, notes: melody },
        { output: 'tracks', voices: 3, temperature: 0.8, strictKey: false, avoidParallels },
        (opts.seed ?? 1) + i,
        3,
      ),
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

/** Continues the first 8 bars (64 8th-note frames) of each tune by 8 bars; tunes shorter than 16 bars are skipped. */
export async function continueReport(
  tunes: ReadonlyArray<ReadonlyArray<readonly number[]>>,
  opts: FirstPartyOptions & { seed?: number; weights?: { parallel: number; registerJump: number } } = {},
): Promise<ContinueReport> {
  const reg = continuePlugin(opts)
  const frames = BARS * 8
  const generated: number[][][] = []
  const real: number[][][] = []
  const keys: PitchKey[] = []
  // The pitch range the corpus uses (from the prompts), for the in-range share.
  const used = gridPitches(tunes.flatMap((t) => t.slice(0, frames).map((f) => [...f])))
  const range: [number, number] = [Math.min(...used), Math.max(...used)]
  for (const [i, tune] of tunes.entries()) {
    if (tune.length < 2 * frames) continue
    const prompt = tune.slice(0, frames).map((f) => [...f])
    const key = estimateKey(gridPitches(prompt))
    const notes: PluginNote[] = gridToNotes(prompt, { startTick: 0, ticksPerStep: 240, velocity: 80 })
    const out = await suggest(
      reg,
      request(
        key,
        { trackId: 'tune', kind: 'instrument', fromTick: 0, toTick: 2 * BARS * BAR, notes },
        { bars: BARS, temperature: 1, style: 'folk', strictKey: false },
        (opts.seed ?? 1) + i,
        1,
      ),
    )
    const s = out.suggestions[0]
    const grid = notesToGrid(s && 'notes' in s ? s.notes : [], {
      startTick: BARS * BAR,
      steps: frames,
      ticksPerStep: 240,
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

const hitsPerBar = (beats: readonly Beat[]): number => {
  let hits = 0
  let steps = 0
  for (const beat of beats) {
    steps += beat.hits.length
    for (const mask of beat.hits) for (let m = mask; m; m >>= 1) hits += m & 1
  }
  return (hits * STEPS_PER_BAR) / steps
}

/**
 * 8 bars of each style from an empty drums track, against the real beats' hits per 4/4 bar (all of them, and
 * those of the four styles); and real openings continued, against the drummers' own continuations.
 */
export async function drumsReport(
  beats: readonly Beat[],
  opts: FirstPartyOptions & { seed?: number; continuations?: number; calibration?: number } = {},
): Promise<DrumsReport> {
  const reg = drumsPlugin(opts)
  let hits = 0
  let inMap = 0
  for (const [i, style] of DRUM_STYLES.entries()) {
    const out = await suggest(
      reg,
      request(
        { tonic: 0, mode: 'major' },
        { trackId: 'drums', kind: 'drums', fromTick: 0, toTick: BARS * BAR, notes: [] },
        { style, density: 0.5, bars: BARS, temperature: 1, followRhythm: false },
        (opts.seed ?? 1) + i,
        1,
      ),
    )
    const notes = out.suggestions.flatMap((s) => ('notes' in s ? s.notes : []))
    hits += notes.length
    inMap += notes.filter((n) => drumClassOf(n.pitch) !== undefined).length
  }
  const styles = DRUM_STYLES.map((s) => beats.filter((b) => b.style.split('/')[0] === s)).filter(
    (b) => b.length > 0,
  )
  const long = continuable(beats)
  const n = Math.min(long.length, opts.continuations ?? 32)
  // An even spread over the split (sorted by drummer and session), not its first n beats.
  const openings = Array.from({ length: n }, (_, i) => long[Math.floor((i * long.length) / n)] as Beat)
  const c = await continuationCounts(reg, openings, { seed: opts.seed })
  return {
    bars: BARS * DRUM_STYLES.length,
    generatedHitsPerBar: hits / (BARS * DRUM_STYLES.length),
    realHitsPerBar: hitsPerBar(beats),
    styleHitsPerBar: styles.reduce((a, b) => a + hitsPerBar(b), 0) / styles.length,
    continuation: {
      beats: n,
      generatedHitsPerBar: c.bars > 0 ? sum(c.generated) / c.bars : Number.NaN,
      realHitsPerBar: c.bars > 0 ? sum(c.real) / c.bars : Number.NaN,
    },
    inMap: hits > 0 ? inMap / hits : Number.NaN,
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`
const leap = (f: Figures) => `${f.leapsPer100.toFixed(2)} per 100 moves (${f.leaps.leaps} / ${f.leaps.moves})`
const par = (f: Figures) =>
  `${f.parallelsPer100.toFixed(2)} per 100 moving voice pairs (${f.parallels.fifths} fifths, ${f.parallels.octaves} octaves / ${f.parallels.motions})`

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    jsb: 'string',
    nottingham: 'string',
    groove: 'string',
    prompts: 'string',
    seed: 'string',
    plugins: 'string',
    'drums-calibration': 'string',
    'continue-weights': 'string',
  })
  const only = (args.get('plugins') ?? 'harmonizer,continue,drums').split(',')
  const backend = await initBackend()
  const data = (key: string, rel: string) =>
    args.get(key) ? resolveFromCwd(args.get(key) as string) : defaultDataPath(rel)
  const n = numArg(args, 'prompts', 16)
  const seed = numArg(args, 'seed', 1)
  console.log(`backend ${backend}; ${n} prompts per plugin from the valid splits, seed ${seed}`)

  if (only.includes('harmonizer')) {
    const chorales = getSplit(loadChorales(data('jsb', 'jsb-chorales/Jsb16thSeparated.json')), 'valid')
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
    const tunes = getRollSplit(loadRolls(data('nottingham', 'piano-roll/Nottingham.json')), 'valid')
    // `--continue-weights P,J`: the penalties to try instead of CONTINUE_WEIGHTS (1,1: none).
    const w = args.get('continue-weights')?.split(',').map(Number)
    const weights = w ? { parallel: w[0] ?? 1, registerJump: w[1] ?? 1 } : undefined
    const c = await continueReport(
      tunes.slice(0, n).map((t) => t.map((f) => f.map((k) => k))),
      { seed, weights },
    )
    console.log(
      `continue (${c.prompts} Nottingham tunes, 8 bars after 8, folk, temperature 1, strictKey off)`,
    )
    console.log(`  in key: generated ${pct(c.generated.inKey)}, real continuation ${pct(c.real.inKey)}`)
    console.log(
      `  inside the prompts' pitch range: generated ${pct(c.generated.inRange)}, real ${pct(c.real.inRange)}`,
    )
    console.log(`  parallel 5ths/8ves (outer voices): generated ${par(c.generated)}; real ${par(c.real)}`)
    console.log(
      `  register jumps (outer voices, moves over an octave): generated ${leap(c.generated)}; real ${leap(c.real)}`,
    )
    console.log(`continue_parallels_per_100 ${c.generated.parallelsPer100.toFixed(2)}`)
  }
  if (only.includes('drums')) {
    const groove = data('groove', 'groove-midi')
    const calibration = args.get('drums-calibration')
    const d = await drumsReport(loadBeats(groove, 'validation'), {
      seed,
      continuations: 2 * n,
      calibration: calibration === undefined ? undefined : Number(calibration),
    })
    console.log(`drums (${d.bars} bars: 8 per style, density 0.5)`)
    console.log(
      `  hits per bar: generated ${d.generatedHitsPerBar.toFixed(2)}, validation beats ${d.realHitsPerBar.toFixed(2)} (all styles), ${d.styleHitsPerBar.toFixed(2)} (rock, funk, hip-hop, jazz, each weighing the same); on the drum map ${pct(d.inMap)}`,
    )
    console.log(
      `  continuing ${d.continuation.beats} validation beats' first 2 bars by 8: generated ${d.continuation.generatedHitsPerBar.toFixed(2)} hits per bar, the drummers ${d.continuation.realHitsPerBar.toFixed(2)}`,
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
