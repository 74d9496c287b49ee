import { definePlugin, PPQ } from '@ensemble/core/plugin'
import {
  DEFAULT_MODELS_DIR,
  type FirstPartyOptions,
  publishedAsset,
  publishedRollShape,
} from '../common/assets.js'
import { Likelihood, likelihoodField } from '../common/likelihood.js'
import { sampleRoll } from '../common/roll-sampling.js'
import { NEVER } from '../common/step-runtime.js'
import { gridToNotes, notesToGrid } from '../common/steps.js'
import { CONTINUE_TRAINING } from '../common/training-coverage.js'
import type { PluginRegistration } from '../host.js'
import {
  CONTINUE_STYLE_PARAMETER,
  CONTINUE_STYLE_WEIGHTS,
  continuationWeight,
  promptWeights,
  type StyleWeights,
} from './continuation.js'
import { KEY_MIN } from './data.js'
import { DEFAULT_CONTINUE_CONFIG } from './model.js'
import { CONTINUE_ROLL, continueRuntime } from './runtime.js'

export const CONTINUE_ID = 'studio.ensemble.continue'

/** The model's two corpora: JSB chorales on quarter-note frames, Nottingham folk tunes on 8th frames. */
export const CONTINUE_STYLES = {
  chorale: { corpus: 0, frameTicks: PPQ },
  folk: { corpus: 1, frameTicks: PPQ / 2 },
} as const

export {
  CONTINUE_STYLE_PARAMETER,
  CONTINUE_WEIGHTS,
  continuationWeight,
} from './continuation.js'

/**
 * Continue: the notes of the selection (melody or chords) go on as a piano roll for N bars, starting at the
 * first bar line after the last note and ending inside the window (the caller sends the selection plus the
 * room to fill). Key-aware: out-of-key keys are never drawn unless asked; metre-aware: whole bars of the
 * song's metre from a bar line.
 */
export function continuePlugin(
  /** `weights`: the penalties for every style instead of CONTINUE_STYLE_WEIGHTS (the musical report tries them). */
  options: FirstPartyOptions & { weights?: StyleWeights } = {},
): PluginRegistration {
  const modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR
  const shape = publishedRollShape(modelsDir, 'continue', CONTINUE_ROLL, DEFAULT_CONTINUE_CONFIG)
  const plugin = definePlugin({
    manifest: {
      id: CONTINUE_ID,
      name: 'Continue',
      version: '1.0.0',
      hostApi: '^1.0.0',
      kind: 'generator',
      description:
        'Continues the selected melody or chords for a number of bars, in the song key and metre (trained on the JSB chorales and the Nottingham folk tunes).',
      author: 'Ensemble',
      licence: 'MIT',
      training: CONTINUE_TRAINING,
      trackKinds: ['instrument'],
      parameters: [
        { id: 'bars', type: 'int', label: 'Bars', min: 1, max: 16, default: 4, step: 1 },
        { id: 'temperature', type: 'float', label: 'Temperature', min: 0, max: 1.5, default: 1, step: 0.05 },
        CONTINUE_STYLE_PARAMETER,
        { id: 'strictKey', type: 'bool', label: 'Stay in key', default: true },
      ],
      assets: [publishedAsset(modelsDir, 'continue')],
      capabilities: ['models', 'theory'],
    },
    async suggest(input, ctx) {
      const { song, target, parameters } = input
      const style = CONTINUE_STYLES[parameters.style]
      const windowTicks = target.toTick - target.fromTick
      const barTicks = ctx.theory.ticksPerBar(song.timeSignature)
      const lastEnd = Math.max(0, ...target.notes.map((n) => n.start + n.duration))
      // The continuation starts on the first bar line (absolute, so the song's bars) after the selection.
      const startTick = Math.ceil((target.fromTick + lastEnd) / barTicks) * barTicks - target.fromTick
      const frames = Math.floor(
        Math.min(parameters.bars * barTicks, windowTicks - startTick) / style.frameTicks,
      )
      if (frames <= 0) return { suggestions: [] }
      // Known frames end at the bar line: silence between the last note and the bar line is context too.
      const knownFrames = Math.floor(startTick / style.frameTicks)
      const context = notesToGrid(target.notes, {
        startTick: 0,
        steps: knownFrames,
        ticksPerStep: style.frameTicks,
      }).map((cell) => cell.map((p) => p - KEY_MIN).filter((k) => k >= 0 && k < shape.outputs))
      const weights = promptWeights(context, options.weights ?? CONTINUE_STYLE_WEIGHTS[parameters.style])
      const scale = new Set(ctx.theory.scalePitchClasses(song.key))
      const bias = Array.from({ length: shape.outputs }, (_, k) =>
        parameters.strictKey && !scale.has((k + KEY_MIN) % 12) ? NEVER : 0,
      )
      const suggestions = await Promise.all(
        Array.from({ length: input.variations }, async (_, v) => {
          const likelihood = new Likelihood()
          const grid = await sampleRoll(ctx, 'continue', shape, {
            context,
            frames,
            extra: () => style.corpus,
            bias: () => bias,
            temperature: parameters.temperature,
            random: ctx.fork(v),
            weight: (frame, before) => continuationWeight(frame, before, weights),
            likelihood,
          })
          return {
            label: `Continuation ${v + 1}`,
            notes: gridToNotes(
              grid.map((cell) => cell.map((k) => k + KEY_MIN)),
              { startTick, ticksPerStep: style.frameTicks, velocity: 80 },
            ),
            ...likelihoodField(likelihood),
          }
        }),
      )
      return { suggestions }
    },
  })
  return { plugin, assetRoot: modelsDir, runtimes: { continue: continueRuntime } }
}
