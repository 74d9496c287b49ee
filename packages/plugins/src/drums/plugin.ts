import { definePlugin } from '@ensemble/core/plugin'
import { DEFAULT_MODELS_DIR, type FirstPartyOptions, publishedAsset } from '../common/assets.js'
import { Likelihood, likelihoodField } from '../common/likelihood.js'
import { TICKS_PER_16TH } from '../common/steps.js'
import { DRUMS_TRAINING } from '../common/training-coverage.js'
import type { PluginRegistration } from '../host.js'
import { drumsRuntime } from './runtime.js'
import { DRUM_STYLE_PARAMETER, drumsShape, generateDrumNotes, onsetSteps } from './sampling.js'

export const DRUMS_ID = 'studio.ensemble.drums'

/**
 * Drums: a pattern for a drums track from the Groove MIDI TCN (9 GM drum classes on 16ths). With drum notes
 * already in the window it continues them after their last bar; otherwise it starts at the first bar line of
 * the window from the chosen style's groove. Optionally the kick follows the onsets of the busiest other
 * (non-drum) track. Trained on the Groove MIDI Dataset (Magenta, CC BY 4.0).
 */
export function drumsPlugin(
  options: FirstPartyOptions & { calibration?: number | readonly number[]; primerCalibration?: number } = {},
): PluginRegistration {
  const modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR
  const shape = drumsShape(modelsDir)
  const plugin = definePlugin({
    manifest: {
      id: DRUMS_ID,
      name: 'Drums',
      version: '1.0.0',
      hostApi: '^1.0.0',
      kind: 'generator',
      description:
        'Writes or continues a drum pattern on 16ths, in a chosen style and density, optionally following the rhythm of another track. Trained on the Groove MIDI Dataset (Magenta, CC BY 4.0).',
      author: 'Ensemble',
      licence: 'MIT',
      training: DRUMS_TRAINING,
      trackKinds: ['drums'],
      parameters: [
        DRUM_STYLE_PARAMETER,
        { id: 'density', type: 'float', label: 'Density', min: 0, max: 1, default: 0.5, step: 0.05 },
        { id: 'bars', type: 'int', label: 'Bars', min: 1, max: 16, default: 4, step: 1 },
        { id: 'temperature', type: 'float', label: 'Temperature', min: 0, max: 1.5, default: 1, step: 0.05 },
        {
          id: 'followRhythm',
          type: 'bool',
          label: 'Follow another track',
          description: 'The kick follows the onsets of the busiest other track in the window',
          default: false,
        },
      ],
      assets: [publishedAsset(modelsDir, 'drums')],
      capabilities: ['models', 'theory'],
    },
    async suggest(input, ctx) {
      const { song, target, parameters } = input
      const windowSteps = Math.floor((target.toTick - target.fromTick) / TICKS_PER_16TH)
      const barSteps = Math.max(1, Math.round(ctx.theory.ticksPerBar(song.timeSignature) / TICKS_PER_16TH))
      const phase = Math.round(target.fromTick / TICKS_PER_16TH)
      // New bars start on a bar line: after the last existing note's bar, or the window's first bar line.
      const lastEnd = Math.max(
        0,
        ...target.notes.map((n) => Math.ceil((n.start + n.duration) / TICKS_PER_16TH)),
      )
      const startStep = Math.ceil((phase + lastEnd) / barSteps) * barSteps - phase
      const steps = Math.min(parameters.bars * barSteps, windowSteps - startStep)
      if (steps <= 0) return { suggestions: [] }
      const followed = parameters.followRhythm
        ? [...input.context]
            .filter((t) => t.kind !== 'drums')
            .sort((a, b) => b.notes.length - a.notes.length)[0]
        : undefined
      const follow =
        followed && followed.notes.length > 0 ? onsetSteps(followed.notes, windowSteps) : undefined
      const suggestions = await Promise.all(
        Array.from({ length: input.variations }, async (_, v) => {
          const likelihood = new Likelihood()
          const notes = await generateDrumNotes(ctx, 'drums', shape, {
            song,
            fromTick: target.fromTick,
            existing: target.notes,
            startStep,
            steps,
            style: parameters.style,
            density: parameters.density,
            follow,
            temperature: parameters.temperature,
            random: ctx.fork(v),
            calibration: options.calibration,
            primerCalibration: options.primerCalibration,
            likelihood,
          })
          return { label: `Drums ${v + 1}`, notes, ...likelihoodField(likelihood) }
        }),
      )
      return { suggestions }
    },
  })
  return { plugin, assetRoot: modelsDir, runtimes: { drums: drumsRuntime } }
}
