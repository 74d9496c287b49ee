import { type PluginNote, runPlugin, type SuggestInput } from '@ensemble/core/plugin'
import { loadLocalModels } from '../common/local-host.js'
import type { PluginRegistration } from '../host.js'
import { type Beat, DRUM_CLASSES, drumClassOf, N_CLASSES, STEPS_PER_BAR } from './data.js'
import type { DrumStyle } from './styles.js'

/*
 * How dense the drums plugin plays against the drummers it learnt from: each beat's first bars (real playing)
 * are the existing drums the plugin continues, and its next bars are compared with what the drummer really
 * played next. This isolates the sampling: the context is the data's, only the continuation is generated.
 */

export interface DensityCounts {
  /** Continued bars (generated and real alike). */
  bars: number
  /** Hits per class over those bars, generated and real. */
  generated: number[]
  real: number[]
  /** Hits (all classes) at each 16th of the bar over those bars, generated and real. */
  generatedByPosition: number[]
  realByPosition: number[]
}

export interface ContinuationOptions {
  primerBars?: number
  bars?: number
  seed?: number
}

/** A drums request at density 0.5 and temperature 1 on a 4/4 track from tick 0 (the checks' settings). */
const drumsInput = (
  notes: PluginNote[],
  toTick: number,
  parameters: { bars: number; style?: DrumStyle },
  seed: number,
): SuggestInput =>
  ({
    song: { bpm: 100, timeSignature: { numerator: 4, denominator: 4 }, key: { tonic: 'C', mode: 'major' } },
    target: { trackId: 'drums', kind: 'drums', fromTick: 0, toTick, notes },
    context: [],
    parameters: { density: 0.5, temperature: 1, followRhythm: false, ...parameters },
    seed,
    variations: 1,
    deadlineMs: 600_000,
  }) as SuggestInput

/** Beats long enough for a primer and a continuation, in their order. */
export const continuable = (beats: readonly Beat[], opts: ContinuationOptions = {}): Beat[] =>
  beats.filter((b) => b.hits.length >= STEPS_PER_BAR * ((opts.primerBars ?? 2) + (opts.bars ?? 8)))

export async function continuationCounts(
  reg: PluginRegistration,
  beats: readonly Beat[],
  opts: ContinuationOptions = {},
): Promise<DensityCounts> {
  const primerBars = opts.primerBars ?? 2
  const bars = opts.bars ?? 8
  const local = loadLocalModels(reg)
  if (local.problems.length > 0) throw new Error(local.problems.join('; '))
  const generated = new Array<number>(N_CLASSES).fill(0)
  const real = new Array<number>(N_CLASSES).fill(0)
  const generatedByPosition = new Array<number>(STEPS_PER_BAR).fill(0)
  const realByPosition = new Array<number>(STEPS_PER_BAR).fill(0)
  const cut = STEPS_PER_BAR * primerBars
  const end = STEPS_PER_BAR * (primerBars + bars)
  const ticks = 120
  for (const [i, beat] of continuable(beats, opts).entries()) {
    const notes: PluginNote[] = []
    for (let t = 0; t < end; t++) {
      for (let k = 0; k < N_CLASSES; k++) {
        if (!((beat.hits[t]! >> k) & 1)) continue
        if (t < cut)
          notes.push({ pitch: DRUM_CLASSES[k]!.pitches[0]!, start: t * ticks, duration: ticks, velocity: 90 })
        else {
          real[k]! += 1
          realByPosition[t % STEPS_PER_BAR]! += 1
        }
      }
    }
    const input = drumsInput(notes, end * ticks, { bars }, (opts.seed ?? 1) + i)
    const out = await runPlugin(reg.plugin, input, { models: local.runner })
    for (const s of out.suggestions)
      for (const n of 'notes' in s ? s.notes : []) {
        const k = drumClassOf(n.pitch)
        if (k === undefined) continue
        generated[k]! += 1
        generatedByPosition[Math.round(n.start / ticks) % STEPS_PER_BAR]! += 1
      }
  }
  return {
    bars: continuable(beats, opts).length * bars,
    generated,
    real,
    generatedByPosition,
    realByPosition,
  }
}

export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0)

/** Hits per 4/4 bar of real beats (all classes). */
export const hitsPerBar = (beats: readonly Beat[]): number => {
  let hits = 0
  let steps = 0
  for (const beat of beats) {
    steps += beat.hits.length
    for (const mask of beat.hits) for (let m = mask; m; m >>= 1) hits += m & 1
  }
  return steps > 0 ? (hits * STEPS_PER_BAR) / steps : Number.NaN
}

/**
 * What the plugin writes in a style from nothing (an empty drums track, density 0.5, temperature 1): `runs`
 * draws of `bars` bars, other seeds. Returns its notes' pitches, all draws together.
 */
export async function fromNothing(
  reg: PluginRegistration,
  style: DrumStyle,
  opts: { bars: number; runs: number; seed: number },
): Promise<number[]> {
  const local = loadLocalModels(reg)
  if (local.problems.length > 0) throw new Error(local.problems.join('; '))
  const pitches: number[] = []
  for (let r = 0; r < opts.runs; r++) {
    const input = drumsInput(
      [],
      opts.bars * STEPS_PER_BAR * 120,
      { style, bars: opts.bars },
      opts.seed + 100 * r,
    )
    const out = await runPlugin(reg.plugin, input, { models: local.runner })
    for (const s of out.suggestions) for (const n of 'notes' in s ? s.notes : []) pitches.push(n.pitch)
  }
  return pitches
}
