import { definePlugin, type PluginNote } from '@ensemble/core/plugin'
import { DEFAULT_MODELS_DIR, type FirstPartyOptions, publishedAsset } from '../common/assets.js'
import { Likelihood, likelihoodField } from '../common/likelihood.js'
import { gridToNotes, notesToGrid, TICKS_PER_16TH } from '../common/steps.js'
import { HARMONIZER_TRAINING } from '../common/training-coverage.js'
import type { PluginRegistration } from '../host.js'
import { HARMONIZER_ASSETS, HARMONIZER_RUNTIMES, harmonizerShape, harmonizeSteps } from './sampling.js'

export const HARMONIZER_ID = 'studio.ensemble.harmonizer'

const VOICE_NAMES = ['Soprano', 'Alto', 'Tenor', 'Bass'] as const

/** Which of A (1), T (2), B (3) the `voices` parameter keeps: the bass first, then the alto, then the tenor. */
const KEPT: Record<number, number[]> = { 1: [3], 2: [1, 3], 3: [1, 2, 3] }

/**
 * Harmonizer: the target track's melody in the window (highest note per 16th) becomes the soprano; the
 * model (JSB chorales TCN) writes alto, tenor and bass under it, in the song's key, on the 16th grid.
 *
 * `output`: the contract gives a harmonizer one note list per suggestion for the target track, so
 * `one-track` returns the voices together (one harmony part per variation) and `tracks` returns each voice as
 * its own suggestion, labelled with the voice, for the panel to place on a track of its own (voices of the
 * first variation; at most `variations` of them). A contract with several tracks per harmonizer suggestion
 * would make `tracks` one suggestion per variation.
 */
/** Two voices on one pitch at one time are one note on a single track (a track cannot hold both). */
function unison(notes: PluginNote[]): PluginNote[] {
  const byOnset = new Map<string, PluginNote>()
  for (const n of notes) {
    const key = `${n.pitch}:${n.start}`
    const seen = byOnset.get(key)
    if (!seen || seen.duration < n.duration) byOnset.set(key, n)
  }
  return [...byOnset.values()].sort((a, b) => a.start - b.start || a.pitch - b.pitch)
}

export function harmonizerPlugin(options: FirstPartyOptions = {}): PluginRegistration {
  const modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR
  const shape = harmonizerShape(modelsDir)
  const plugin = definePlugin({
    manifest: {
      id: HARMONIZER_ID,
      name: 'Harmonizer',
      version: '1.0.0',
      hostApi: '^1.0.0',
      kind: 'harmonizer',
      description:
        'Writes alto, tenor and bass voices under the melody of the selection, in the song key, in the style of the Bach chorales it was trained on.',
      author: 'Ensemble',
      licence: 'MIT',
      training: HARMONIZER_TRAINING,
      trackKinds: ['instrument'],
      parameters: [
        {
          id: 'output',
          type: 'choice',
          label: 'Output',
          description:
            'A track per voice returns each voice as its own suggestion (ask for as many variations as voices)',
          default: 'one-track',
          options: [
            { value: 'one-track', label: 'One harmony track' },
            { value: 'tracks', label: 'A track per voice' },
          ],
        },
        {
          id: 'voices',
          type: 'int',
          label: 'Voices',
          description: '1: bass; 2: alto and bass; 3: alto, tenor and bass',
          min: 1,
          max: 3,
          default: 3,
          step: 1,
        },
        {
          id: 'temperature',
          type: 'float',
          label: 'Temperature',
          min: 0,
          max: 1.5,
          default: 0.8,
          step: 0.05,
        },
        {
          id: 'strictKey',
          type: 'bool',
          label: 'Stay in key',
          description: 'Off: out-of-key notes are only discouraged (chromatic passing notes, leading tones)',
          default: true,
        },
        {
          id: 'avoidParallels',
          type: 'bool',
          label: 'Avoid parallel 5ths and octaves',
          description: 'Steers each voice away from moving in parallel fifths or octaves with another',
          default: true,
        },
      ],
      assets: [
        publishedAsset(modelsDir, 'harmonizer', HARMONIZER_ASSETS.melody),
        publishedAsset(modelsDir, 'harmonizer', HARMONIZER_ASSETS.step),
      ],
      capabilities: ['models', 'theory'],
    },
    async suggest(input, ctx) {
      const { song, target, parameters } = input
      const steps = Math.floor((target.toTick - target.fromTick) / TICKS_PER_16TH)
      const melody = notesToGrid(target.notes, { startTick: 0, steps, ticksPerStep: TICKS_PER_16TH }).map(
        (cell) => (cell.length ? Math.max(...cell) : -1),
      )
      if (steps === 0 || melody.every((p) => p < 0)) return { suggestions: [] }
      const barSteps = Math.max(1, Math.round(ctx.theory.ticksPerBar(song.timeSignature) / TICKS_PER_16TH))
      const request = {
        soprano: melody,
        phase: Math.round(target.fromTick / TICKS_PER_16TH),
        barSteps,
        key: song.key,
        strictKey: parameters.strictKey,
        avoidParallels: parameters.avoidParallels,
        temperature: parameters.temperature,
      }
      const kept = KEPT[parameters.voices] ?? [1, 2, 3]
      const runs = parameters.output === 'tracks' ? 1 : input.variations
      // Variations run concurrently (one random stream each), so their model steps share batches.
      const likelihoods = Array.from({ length: runs }, () => new Likelihood())
      const grids = await Promise.all(
        likelihoods.map((likelihood, v) =>
          harmonizeSteps(ctx, HARMONIZER_ASSETS, shape, { ...request, random: ctx.fork(v), likelihood }),
        ),
      )
      const voiceNotes = (grid: number[][], voice: number): PluginNote[] =>
        gridToNotes(
          grid.map((row) => (row[voice]! >= 0 ? [row[voice]!] : [])),
          { startTick: 0, ticksPerStep: TICKS_PER_16TH, velocity: 72 },
        )
      if (parameters.output === 'tracks') {
        const grid = grids[0]!
        return {
          suggestions: kept.slice(0, input.variations).map((voice) => ({
            label: VOICE_NAMES[voice]!,
            notes: voiceNotes(grid, voice),
            ...likelihoodField(likelihoods[0]!),
          })),
        }
      }
      return {
        suggestions: grids.map((grid, v) => ({
          label: `Harmony ${v + 1}`,
          notes: unison(kept.flatMap((voice) => voiceNotes(grid, voice))),
          ...likelihoodField(likelihoods[v]!),
        })),
      }
    },
  })
  return { plugin, assetRoot: modelsDir, runtimes: HARMONIZER_RUNTIMES }
}
