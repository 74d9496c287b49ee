import {
  definePlugin,
  GM_DRUM,
  type NewTrack,
  type PluginNote,
  type SongKey,
  type Theory,
} from '@ensemble/core/plugin'
import { DEFAULT_MODELS_DIR, type FirstPartyOptions, isPublished, publishedAsset } from '../common/assets.js'
import { Likelihood, likelihoodField } from '../common/likelihood.js'
import { gridToNotes, notesToGrid, TICKS_PER_16TH } from '../common/steps.js'
import { ARRANGER_TRAINING } from '../common/training-coverage.js'
import { drumsRuntime } from '../drums/runtime.js'
import { drumsShape, generateDrumNotes } from '../drums/sampling.js'
import {
  HARMONIZER_ASSETS,
  HARMONIZER_RUNTIMES,
  harmonizerShape,
  harmonizeSteps,
} from '../harmonizer/sampling.js'
import type { ModelRuntime, PluginRegistration } from '../host.js'

export const ARRANGER_ID = 'studio.ensemble.arranger'

/**
 * Arranger: from the melody of the selection, a chords track, a bass track and a drums track for N bars.
 * The harmonizer model writes A, T, B under the melody; each half bar's chord is the diatonic triad
 * (`ctx.theory`) that best covers the four voices there, voiced as a block chord; the bass is the model's
 * bass line. Drums come from the drums model once its weights are published (the manifest declares the
 * asset only then, so the arranger never waits on a model that is not there); until then they are a plain
 * metre-derived backbeat (kick on the strong beats, snare on the others, 8th hats), which is a rule, not a model.
 */
export function arrangerPlugin(options: FirstPartyOptions = {}): PluginRegistration {
  const modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR
  const shape = harmonizerShape(modelsDir)
  const withDrumsModel = isPublished(modelsDir, 'drums')
  const drums = drumsShape(modelsDir)
  const runtimes: Record<string, ModelRuntime> = { ...HARMONIZER_RUNTIMES }
  if (withDrumsModel) runtimes.drums = drumsRuntime
  const plugin = definePlugin({
    manifest: {
      id: ARRANGER_ID,
      name: 'Arranger',
      version: '1.0.0',
      hostApi: '^1.0.0',
      kind: 'arranger',
      description:
        'Turns the melody of the selection into a small arrangement: chords, bass and drums tracks.',
      author: 'Ensemble',
      licence: 'MIT',
      training: ARRANGER_TRAINING,
      trackKinds: ['instrument'],
      parameters: [
        { id: 'bars', type: 'int', label: 'Bars', min: 1, max: 16, default: 8, step: 1 },
        {
          id: 'temperature',
          type: 'float',
          label: 'Temperature',
          min: 0,
          max: 1.5,
          default: 0.6,
          step: 0.05,
        },
        { id: 'drums', type: 'bool', label: 'Drums track', default: true },
      ],
      assets: [
        publishedAsset(modelsDir, 'harmonizer', HARMONIZER_ASSETS.melody),
        publishedAsset(modelsDir, 'harmonizer', HARMONIZER_ASSETS.step),
        ...(withDrumsModel ? [publishedAsset(modelsDir, 'drums')] : []),
      ],
      capabilities: ['models', 'theory'],
    },
    async suggest(input, ctx) {
      const { song, target, parameters } = input
      const barTicks = ctx.theory.ticksPerBar(song.timeSignature)
      const barSteps = Math.max(1, Math.round(barTicks / TICKS_PER_16TH))
      const windowSteps = Math.floor((target.toTick - target.fromTick) / TICKS_PER_16TH)
      const steps = Math.min(windowSteps, parameters.bars * barSteps)
      const melody = notesToGrid(target.notes, { startTick: 0, steps, ticksPerStep: TICKS_PER_16TH }).map(
        (cell) => (cell.length ? Math.max(...cell) : -1),
      )
      if (steps === 0 || melody.every((p) => p < 0)) return { suggestions: [] }
      const phase = Math.round(target.fromTick / TICKS_PER_16TH)
      const suggestions = await Promise.all(
        Array.from({ length: input.variations }, async (_, v) => {
          const random = ctx.fork(v)
          // One figure over every step the models drew for this arrangement, harmony and drums alike.
          const likelihood = new Likelihood()
          const grid = await harmonizeSteps(ctx, HARMONIZER_ASSETS, shape, {
            soprano: melody,
            phase,
            barSteps,
            key: song.key,
            strictKey: true,
            avoidParallels: true,
            temperature: parameters.temperature,
            random,
            likelihood,
          })
          const span = Math.max(1, Math.round(barSteps / 2))
          const chords = chordNotes(grid, song.key, ctx.theory, phase, span)
          const bass = gridToNotes(
            grid.map((row) => (row[3]! >= 0 ? [row[3]!] : [])),
            { startTick: 0, ticksPerStep: TICKS_PER_16TH, velocity: 85 },
          )
          // Preset ids from the studio's catalogue (core audio/presets), so the band hears a bass
          // line on a bass and sustained chords on a pad, in the preview and once accepted.
          const tracks: NewTrack[] = [
            { name: 'Chords', kind: 'instrument', instrument: 'pad', notes: chords },
            { name: 'Bass', kind: 'instrument', instrument: 'bass', notes: bass },
          ]
          if (parameters.drums) {
            const notes = withDrumsModel
              ? await generateDrumNotes(ctx, 'drums', drums, {
                  song,
                  fromTick: target.fromTick,
                  existing: [],
                  startStep: 0,
                  steps,
                  style: 'rock',
                  density: 0.5,
                  follow: undefined,
                  temperature: 1,
                  random,
                  likelihood,
                })
              : backbeat(steps, phase, barSteps)
            tracks.push({ name: 'Drums', kind: 'drums', instrument: 'drum-kit', notes })
          }
          return { label: `Arrangement ${v + 1}`, tracks, ...likelihoodField(likelihood) }
        }),
      )
      return { suggestions }
    },
  })
  return { plugin, assetRoot: modelsDir, runtimes }
}

/**
 * Per span (half a bar, from the bar line), the diatonic triad whose tones cover most of the sounding
 * S/A/T/B steps (the bass counts double, as the chord's foundation), voiced closed from the root in the
 * octave above C3.
 */
function chordNotes(
  grid: number[][],
  key: SongKey,
  theory: Theory,
  phase: number,
  span: number,
): PluginNote[] {
  const notes: PluginNote[] = []
  const triads = [1, 2, 3, 4, 5, 6, 7].map((degree) => theory.diatonicChord(key, degree, 3))
  let start = 0
  while (start < grid.length) {
    const end = Math.min(grid.length, start + span - ((((phase + start) % span) + span) % span))
    const weight = new Array<number>(12).fill(0)
    for (let t = start; t < end; t++)
      grid[t]!.forEach((p, v) => {
        if (p >= 0) weight[p % 12]! += v === 3 ? 2 : 1
      })
    if (weight.some((w) => w > 0)) {
      let best = triads[0]!
      let bestScore = Number.NEGATIVE_INFINITY
      for (const triad of triads) {
        const score =
          weight.reduce((s, w, pc) => s + (triad.includes(pc) ? w : -w), 0) + (weight[triad[0]!] ?? 0)
        if (score > bestScore) {
          bestScore = score
          best = triad
        }
      }
      let prev = 48 + best[0]!
      for (const pc of best) {
        let p = 48 + pc
        while (p < prev) p += 12
        prev = p
        notes.push({
          pitch: p,
          start: start * TICKS_PER_16TH,
          duration: (end - start) * TICKS_PER_16TH,
          velocity: 70,
        })
      }
    }
    start = end
  }
  return notes
}

/** Kick on the bar's strong beats, snare on the others, closed hat on every 8th. */
function backbeat(steps: number, phase: number, barSteps: number): PluginNote[] {
  const notes: PluginNote[] = []
  for (let t = 0; t < steps; t++) {
    const inBar = (((phase + t) % barSteps) + barSteps) % barSteps
    const hit = (pitch: number, velocity: number) =>
      notes.push({ pitch, start: t * TICKS_PER_16TH, duration: TICKS_PER_16TH, velocity })
    if (inBar % 4 === 0) hit(inBar % 8 === 0 ? GM_DRUM.kick : GM_DRUM.snare, inBar === 0 ? 100 : 90)
    if (inBar % 2 === 0) hit(GM_DRUM.closedHat, 70)
  }
  return notes
}
