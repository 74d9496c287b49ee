import type { PluginContext, PluginNote, SongContext } from '@ensemble/core/plugin'
import { publishedRollShape } from '../common/assets.js'
import type { Likelihood } from '../common/likelihood.js'
import type { RollShape } from '../common/roll-runtime.js'
import { sampleRoll } from '../common/roll-sampling.js'
import { NEVER } from '../common/step-runtime.js'
import { notesToGrid, TICKS_PER_16TH } from '../common/steps.js'
import { DRUM_CLASSES, drumClassOf } from './data.js'
import { DEFAULT_DRUMS_CONFIG } from './model.js'
import { DRUMS_ROLL } from './runtime.js'
import {
  DRUM_PRIMERS,
  DRUMS_DENSITY_CALIBRATION,
  DRUMS_PRIMER_CALIBRATION,
  type DrumStyle,
  KICK,
} from './styles.js'

/*
 * Drum generation shared by the drums and arranger plugins: 16th-step hit masks over the 9 GrooVAE classes.
 * The model has no style input, so a style is a one-bar primer the model continues (it then keeps to that
 * groove's feel, as a drummer continuing a fill would), and density is a logit offset on every class.
 */

export {
  DRUM_PRIMERS,
  DRUM_STYLE_PARAMETER,
  DRUM_STYLES,
  DRUMS_DENSITY_CALIBRATION,
  type DrumStyle,
} from './styles.js'

export function drumsShape(modelsDir: string): RollShape {
  return publishedRollShape(modelsDir, 'drums', DRUMS_ROLL, DEFAULT_DRUMS_CONFIG)
}

/** Onset steps of a track's notes on the 16th grid of the window. */
export function onsetSteps(notes: readonly PluginNote[], steps: number): Set<number> {
  const out = new Set<number>()
  for (const n of notes) {
    const t = Math.round(n.start / TICKS_PER_16TH)
    if (t >= 0 && t < steps) out.add(t)
  }
  return out
}

export interface DrumsRequest {
  song: SongContext
  /** Window start, absolute ticks (for the bar position). */
  fromTick: number
  /** Existing drum notes of the window before `startStep` (window-relative), continued when present. */
  existing: readonly PluginNote[]
  /** First new step, window-relative. */
  startStep: number
  steps: number
  style: DrumStyle
  /** 0..1; 0.5 is the model's own density. */
  density: number
  /** Window-relative onset steps of another part for the kick to follow, or none. */
  follow: Set<number> | undefined
  temperature: number
  random: () => number
  /**
   * Logit offset on every class at density 0.5, one for all positions or one per 16th of the beat (or bar);
   * DRUMS_DENSITY_CALIBRATION unless given (calibrate.ts).
   */
  calibration?: number | readonly number[]
  /** Offset added when the beat starts from the style's primer; DRUMS_PRIMER_CALIBRATION unless given. */
  primerCalibration?: number
  /** Gets each new step's log-probability (the variation's `likelihood`). */
  likelihood?: Likelihood
}

/** Window-relative drum notes from `startStep` on. */
export async function generateDrumNotes(
  ctx: PluginContext,
  assetId: string,
  shape: RollShape,
  req: DrumsRequest,
): Promise<PluginNote[]> {
  const barSteps = Math.max(1, Math.round(ctx.theory.ticksPerBar(req.song.timeSignature) / TICKS_PER_16TH))
  const phase = Math.round(req.fromTick / TICKS_PER_16TH)
  const known = notesToGrid(req.existing, {
    startTick: 0,
    steps: req.startStep,
    ticksPerStep: TICKS_PER_16TH,
  }).map((cell) => [...new Set(cell.flatMap((p) => drumClassOf(p) ?? []))])
  // Without drums to continue, the style's bar comes first (placed just before the window; not returned).
  const hasDrums = known.some((cell) => cell.length > 0)
  const primer = hasDrums ? [] : DRUM_PRIMERS[req.style]
  const context = [...primer, ...known]
  const offsetSteps = primer.length
  const d = Math.min(0.98, Math.max(0.02, req.density))
  const calibration = req.calibration ?? DRUMS_DENSITY_CALIBRATION
  const primerOffset = hasDrums ? 0 : (req.primerCalibration ?? DRUMS_PRIMER_CALIBRATION)
  const position = (t: number) => (((phase + t - offsetSteps) % barSteps) + barSteps) % barSteps
  const bias = (t: number): number[] => {
    const step = t - offsetSteps
    const densityOffset =
      Math.log(d / (1 - d)) +
      primerOffset +
      (typeof calibration === 'number' ? calibration : (calibration[position(t) % calibration.length] ?? 0))
    return DRUM_CLASSES.map((_, k) => {
      if (k >= shape.outputs) return NEVER
      let b = densityOffset
      if (req.follow && k === KICK && step >= req.startStep) b += req.follow.has(step) ? 2 : -1
      return b
    })
  }
  const frames = await sampleRoll(ctx, assetId, shape, {
    context,
    frames: req.steps,
    extra: (t) => position(t) % shape.extra,
    bias,
    temperature: req.temperature,
    random: req.random,
    likelihood: req.likelihood,
  })
  const notes: PluginNote[] = []
  frames.forEach((cell, i) => {
    for (const k of cell) {
      notes.push({
        pitch: DRUM_CLASSES[k]?.pitches[0] ?? 36,
        start: (req.startStep + i) * TICKS_PER_16TH,
        duration: TICKS_PER_16TH,
        // Accents on the beat, as the model has no velocity output.
        velocity: (phase + req.startStep + i) % 4 === 0 ? 100 : 80,
      })
    }
  })
  return notes
}
