import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { PluginContext, SongKey, Theory } from '@ensemble/core/plugin'
import { modelFolder } from '../common/assets.js'
import { keyPitchClasses } from '../common/key.js'
import type { Likelihood } from '../common/likelihood.js'
import { first, NEVER } from '../common/step-runtime.js'
import { ConvHistory, uniforms } from '../common/steps.js'
import { classToPitch, foldIntoVocab, octaveShift, pitchToClass, VOICE_RANGES } from './data.js'
import { DEFAULT_CONFIG } from './model.js'
import { type HarmonizerShape, harmonizerMelodyRuntime, harmonizerRuntime } from './runtime.js'

/*
 * The harmonizer's sampling loop (the plugin side of `./infer.ts`'s `harmonize`), with every
 * model step a `ctx.models.run` of the step runtime. Shared by the harmonizer and arranger plugins.
 */

/** The published model's shape (from its model.json), so the plugin builds inputs that fit the weights. */
export function harmonizerShape(modelsDir: string): HarmonizerShape {
  const file = path.join(modelFolder(modelsDir, 'harmonizer'), 'model.json')
  if (existsSync(file)) {
    try {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { modelTopology?: HarmonizerShape }
      if (json.modelTopology?.dilations) return json.modelTopology
    } catch {
      // An unreadable model.json makes the host list the plugin as unavailable; the defaults keep it loadable.
    }
  }
  return DEFAULT_CONFIG
}

export interface HarmonizeRequest {
  /** Soprano per 16th step (MIDI pitch, -1 = rest). */
  soprano: readonly number[]
  /** 16th steps from the bar line to the first step (bar phase for the model's metre input). */
  phase: number
  /** 16th steps per bar of the song's metre. */
  barSteps: number
  key: SongKey
  /** Out-of-key pitches are never picked when true; otherwise penalised as the model's own `harmonize`. */
  strictKey: boolean
  /** Steer away from parallel fifths and octaves between voices (a strong penalty, not a ban). */
  avoidParallels: boolean
  temperature: number
  random: () => number
  /**
   * The pitch classes A, T and B may take at a step (a planned chord), or none for the key's. The background
   * maker plans its chords first and lets the model voice them; a planned chord sounds under the melody's
   * rests too (no voice rests), so the harmony holds through them.
   */
  chordAt?: (step: number) => readonly number[] | undefined
  /** Gets each step's log-probability of the three picks (the variation's `likelihood`). */
  likelihood?: Likelihood
}

const KEY_PENALTY = 1.5
/**
 * Logit penalty on a pitch that would make parallel 5ths/8ves: e^-6, so taken only when the model all but
 * insists. Not a ban, so a step whose every choice is parallel still gets a sensible draw.
 */
const PARALLEL_PENALTY = 6

/**
 * Pitch classes the harmonizer counts as in key: the song's scale in its mode, and in minor the pitch classes
 * the models and the musical checks use (`keyPitchClasses`, with the raised 6th and 7th: a cadence in A minor
 * needs G#, the leading tone of the E major dominant).
 */
export function harmonyPitchClasses(key: SongKey, theory: Pick<Theory, 'scalePitchClasses'>): Set<number> {
  const scale = theory.scalePitchClasses(key)
  if (key.mode === 'minor' || key.mode === 'aeolian')
    return keyPitchClasses({ tonic: scale[0]!, mode: 'minor' })
  return new Set(scale)
}

/**
 * The bias with every voice's rest class (0) ruled out. Where the melody sounds, the harmony sounds too, as
 * in the chorales' four-part texture: left to chance, one early rest tends to be continued, and a few draws
 * in a thousand came back as an empty or one-note harmony. Under the melody's rests the model decides.
 */
function restForbidden(bias: readonly number[], vocab: number): number[] {
  return bias.map((b, i) => (i % vocab === 0 ? NEVER : b))
}

/** [S, A, T, B] per step (MIDI pitch or -1), S being the input melody. */
export async function harmonizeSteps(
  ctx: PluginContext,
  assets: { melody: string; step: string },
  shape: HarmonizerShape,
  req: HarmonizeRequest,
): Promise<number[][]> {
  const T = req.soprano.length
  const V = shape.vocab
  const shift = octaveShift(req.soprano)
  const scale = harmonyPitchClasses(req.key, ctx.theory)
  const sop = req.soprano.map((p) => (p < 0 ? 0 : pitchToClass(foldIntoVocab(Math.round(p) + shift))))
  // Per voice, the logit offsets of every class: outside the voice's range (+-2) never, out of key never
  // (strict) or penalised; and never a pitch that would leave MIDI's range once shifted back.
  const bias: number[] = []
  for (let v = 1; v < 4; v++) {
    const [lo, hi] = VOICE_RANGES[v]!
    for (let c = 0; c < V; c++) {
      if (c === 0) {
        bias.push(0)
        continue
      }
      const p = classToPitch(c)
      const out = p - shift
      if (p < lo - 2 || p > hi + 2 || out < 0 || out > 127) bias.push(NEVER)
      else if (!scale.has(out % 12)) bias.push(req.strictKey ? NEVER : -KEY_PENALTY)
      else bias.push(0)
    }
  }
  const underMelody = restForbidden(bias, V)
  // Per chord and rest flag, the bias with every other pitch class ruled out (a few chords, built once each).
  const chordBiases = new Map<string, number[]>()
  const biasAt = (t: number): number[] => {
    const chord = req.chordAt?.(t)
    if (!chord) return req.soprano[t]! >= 0 ? underMelody : bias
    const base = underMelody
    const id = chord.join(',')
    let built = chordBiases.get(id)
    if (!built) {
      const allowed = new Set(chord)
      built = base.map((b, i) => {
        const c = i % V
        return c === 0 || allowed.has((((classToPitch(c) - shift) % 12) + 12) % 12) ? b : NEVER
      })
      chordBiases.set(id, built)
    }
    return built
  }
  // The look-ahead stream depends on the melody only: one call for the whole window.
  const oneHots = sop.flatMap((c) => Array.from({ length: V }, (_, k) => (k === c ? 1 : 0)))
  const [stream] = await ctx.models.run(assets.melody, [{ shape: [T, V], data: oneHots }])
  if (!stream) throw new Error('the melody model returned nothing')
  const history = new ConvHistory(shape.dilations, shape.channels)
  const C = shape.channels
  const cls: number[][] = []
  for (let t = 0; t < T; t++) {
    const prev = new Array<number>(4 * V + shape.metre).fill(0)
    const before = cls[t - 1]
    if (before)
      before.forEach((c, v) => {
        prev[v * V + c] = 1
      })
    prev[4 * V + (((((req.phase + t) % req.barSteps) + req.barSteps) % req.barSteps) % shape.metre)] = 1
    const out = await ctx.models.run(assets.step, [
      { shape: [4 * V + shape.metre], data: prev },
      { shape: [C], data: stream.data.slice(t * C, (t + 1) * C) },
      { shape: [V], data: oneHots.slice(t * V, (t + 1) * V) },
      history.pastInput(t),
      { shape: [3, V], data: biasAt(t) },
      { shape: [3], data: uniforms(req.random, 3) },
      { shape: [1], data: [req.temperature] },
      { shape: [1], data: [req.avoidParallels ? PARALLEL_PENALTY : 0] },
    ])
    history.push(first(out, 0))
    req.likelihood?.add(out[2]?.data[0] ?? Number.NaN)
    const picks = first(out, 1)
    cls.push([sop[t]!, ...[0, 1, 2].map((v) => Math.round(picks[v] ?? 0))])
  }
  return cls.map((row, t) =>
    row.map((c, v) => {
      if (v === 0) return req.soprano[t] ?? -1
      const p = classToPitch(c)
      return p < 0 ? -1 : p - shift
    }),
  )
}

/**
 * The harmonizer's weights are declared as two assets of the same files: the melody stream (once per
 * request) and the sampling step (once per 16th). A functional asset has one graph, and these are two.
 */
export const HARMONIZER_ASSETS = { melody: 'harmonizer-melody', step: 'harmonizer' } as const

export const HARMONIZER_RUNTIMES = {
  [HARMONIZER_ASSETS.melody]: harmonizerMelodyRuntime,
  [HARMONIZER_ASSETS.step]: harmonizerRuntime,
}
