import { definePlugin, type NewTrack, type PluginContext, type PluginNote, PPQ } from '@ensemble/core/plugin'
import {
  DEFAULT_MODELS_DIR,
  type FirstPartyOptions,
  publishedAsset,
  publishedRollShape,
} from '../common/assets.js'
import type { RollShape } from '../common/roll-runtime.js'
import { sampleRoll } from '../common/roll-sampling.js'
import { NEVER } from '../common/step-runtime.js'
import { gridToNotes, TICKS_PER_16TH } from '../common/steps.js'
import { KEY_MIN } from '../continue/data.js'
import { DEFAULT_CONTINUE_CONFIG } from '../continue/model.js'
import { CONTINUE_STYLES, continuationWeight } from '../continue/plugin.js'
import { CONTINUE_ROLL, continueRuntime } from '../continue/runtime.js'
import { drumsRuntime } from '../drums/runtime.js'
import { drumsShape, generateDrumNotes } from '../drums/sampling.js'
import {
  HARMONIZER_ASSETS,
  HARMONIZER_RUNTIMES,
  harmonizerShape,
  harmonizeSteps,
  harmonyPitchClasses,
} from '../harmonizer/sampling.js'
import type { ModelRuntime, PluginRegistration } from '../host.js'
import {
  ARCS,
  BACKGROUND_ID,
  BACKGROUND_STYLE_IDS,
  BACKGROUND_STYLES,
  type BackgroundForm,
  type BackgroundStyle,
  barAt,
  MOOD_PROFILES,
  MOODS,
  type Part,
  planForm,
  sectionOf,
  velocityAt,
} from './plan.js'

/**
 * Bars the models write from the start: with the last phrase (4 bars) written on its own, a song of up to
 * 12 bars is written whole; a longer one repeats these 8 bars (twice the mood's 4-bar progression, so a
 * repeated bar has the chord it was written over) until its last phrase. The models' cost then stays flat
 * however long the song is (at most 12 bars of melody and harmony, 4 bars of drums per drum density).
 */
const BODY_BARS = 8
const WHOLE_BARS = 12
const DRUM_PATTERN_BARS = 4
const BAR_STEPS = 16
/** Logit offset on the melody's chord tones (the continue model's own scale): see `melodyFrames`. */
const MELODY_CHORD_TONE = 1.5

/** Track names, kinds and presets (core audio/presets) of the four parts, in the song's order. */
const TRACKS: Record<Part, { name: string; kind: 'instrument' | 'drums'; instrument: string }> = {
  melody: { name: 'Melody', kind: 'instrument', instrument: 'lead' },
  harmony: { name: 'Harmony', kind: 'instrument', instrument: 'pad' },
  bass: { name: 'Bass', kind: 'instrument', instrument: 'bass' },
  drums: { name: 'Drums', kind: 'drums', instrument: 'drum-kit' },
}

/**
 * Background music maker: a whole song (melody, harmony, bass and drums) as long as the window, planned by
 * ./plan.ts (chords, sections, intensity arc, cadence or loop turn) and filled by the first-party models:
 * the continue model writes the melody in the chosen corpus (kept to the key, the mood's register and, on the
 * beat, the planned chord), the harmonizer voices the planned chords under it (alto and tenor become the
 * harmony, its bass line the bass), and the drums model plays the style's groove at each section's density.
 * The song's tempo and key are the song's (the server sets them from the plan before it asks).
 */
export function backgroundPlugin(options: FirstPartyOptions = {}): PluginRegistration {
  const modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR
  const continueShape = publishedRollShape(modelsDir, 'continue', CONTINUE_ROLL, DEFAULT_CONTINUE_CONFIG)
  const harmony = harmonizerShape(modelsDir)
  const drums = drumsShape(modelsDir)
  const runtimes: Record<string, ModelRuntime> = {
    ...HARMONIZER_RUNTIMES,
    continue: continueRuntime,
    drums: drumsRuntime,
  }
  const plugin = definePlugin({
    manifest: {
      id: BACKGROUND_ID,
      name: 'Background music',
      version: '1.0.0',
      hostApi: '^1.0.0',
      kind: 'arranger',
      description:
        'Makes a whole background song (melody, harmony, bass, drums) as long as the selection, in a mood and a style the models were trained on (Bach chorales, British and Irish folk tunes, the Groove MIDI drummers).',
      author: 'Ensemble',
      licence: 'MIT',
      trackKinds: ['instrument'],
      parameters: [
        {
          id: 'mood',
          type: 'choice',
          label: 'Mood',
          default: 'calm',
          options: MOODS.map((m) => ({ value: m, label: m[0]?.toUpperCase() + m.slice(1) })),
        },
        {
          id: 'style',
          type: 'choice',
          label: 'Style',
          default: 'folk',
          options: BACKGROUND_STYLE_IDS.map((s) => ({ value: s, label: BACKGROUND_STYLES[s].label })),
        },
        {
          id: 'arc',
          type: 'choice',
          label: 'Intensity',
          default: 'steady',
          options: ARCS.map((a) => ({ value: a, label: a.replaceAll('-', ' ') })),
        },
        { id: 'loop', type: 'bool', label: 'Loopable', default: false },
        {
          id: 'temperature',
          type: 'float',
          label: 'Temperature',
          min: 0,
          max: 1.5,
          default: 0.8,
          step: 0.05,
        },
      ],
      // All three models, always: without one of them the host lists the maker as unavailable, with the reason.
      assets: [
        publishedAsset(modelsDir, 'harmonizer', HARMONIZER_ASSETS.melody),
        publishedAsset(modelsDir, 'harmonizer', HARMONIZER_ASSETS.step),
        publishedAsset(modelsDir, 'continue'),
        publishedAsset(modelsDir, 'drums'),
      ],
      capabilities: ['models', 'theory'],
    },
    async suggest(input, ctx) {
      const { song, target, parameters } = input
      const lengthTicks = target.toTick - target.fromTick
      const mood = parameters.mood as (typeof MOODS)[number]
      const style = parameters.style as BackgroundStyle
      const form = planForm({
        mood,
        arc: parameters.arc as (typeof ARCS)[number],
        loop: parameters.loop,
        key: song.key,
        lengthTicks,
      })
      const composer: Composer = {
        ctx,
        form,
        mood,
        style,
        key: song.key,
        temperature: parameters.temperature,
        continueShape,
        drumsShape: drums,
        harmonyShape: harmony,
      }
      const suggestions = await Promise.all(
        Array.from({ length: input.variations }, async (_, v) => ({
          label: `Background ${v + 1}`,
          tracks: await compose(composer, ctx.fork(v)),
        })),
      )
      return { suggestions }
    },
  })
  return { plugin, assetRoot: modelsDir, runtimes }
}

interface Composer {
  ctx: PluginContext
  form: BackgroundForm
  mood: (typeof MOODS)[number]
  style: BackgroundStyle
  key: Parameters<typeof harmonyPitchClasses>[0]
  temperature: number
  continueShape: RollShape
  drumsShape: RollShape
  harmonyShape: ReturnType<typeof harmonizerShape>
}

/** A stretch of bars the models write (the rest repeat one). */
interface Segment {
  fromBar: number
  toBar: number
}

/** The bars written (one or two segments) and, for every bar, the written bar it plays. */
function material(form: BackgroundForm): { segments: Segment[]; source: number[] } {
  const n = form.bars.length
  if (n <= WHOLE_BARS) return { segments: [{ fromBar: 0, toBar: n }], source: form.bars.map((_, i) => i) }
  const last = n - 4
  return {
    segments: [
      { fromBar: 0, toBar: BODY_BARS },
      { fromBar: last, toBar: n },
    ],
    source: form.bars.map((_, i) => (i < BODY_BARS || i >= last ? i : i % BODY_BARS)),
  }
}

async function compose(c: Composer, random: () => number): Promise<NewTrack[]> {
  const { segments, source } = material(c.form)
  const melody: PluginNote[] = []
  const harmony: PluginNote[] = []
  const bass: PluginNote[] = []
  let before: number[][] = primer(c)
  // Segments in order: the last phrase continues what the body played.
  for (const segment of segments) {
    const frames = await melodyFrames(c, segment, before, random)
    before = [...before, ...frames]
    const parts = await harmonize(c, segment, frames, random)
    melody.push(...parts.melody)
    harmony.push(...parts.harmony)
    bass.push(...parts.bass)
  }
  const drums = await drumPatterns(c, random)
  const parts: Record<Part, PluginNote[]> = {
    melody: arrange(c.form, source, melody, 'melody'),
    harmony: arrange(c.form, source, harmony, 'harmony'),
    bass: arrange(c.form, source, bass, 'bass'),
    drums,
  }
  return (Object.keys(TRACKS) as Part[]).map((part) => ({ ...TRACKS[part], notes: parts[part] }))
}

/** One bar of the tonic chord, arpeggied in the melody's register: what the melody continues from. */
function primer(c: Composer): number[][] {
  const style = CONTINUE_STYLES[BACKGROUND_STYLES[c.style].corpus]
  const framesPerBar = (BAR_STEPS * TICKS_PER_16TH) / style.frameTicks
  const chord = c.form.bars[0]?.chord ?? [0, 4, 7]
  const [lo, hi] = MOOD_PROFILES[c.mood].register
  const pitches = chord
    .map((pc) => lo + ((((pc - lo) % 12) + 12) % 12))
    .filter((p) => p <= hi)
    .sort((a, b) => a - b)
  return Array.from({ length: framesPerBar }, (_, t) => {
    const p = pitches[Math.floor((t * pitches.length) / framesPerBar)] ?? lo
    return [p - KEY_MIN]
  })
}

/** The melody over a segment from the continue model: the top note of each frame it draws. */
async function melodyFrames(
  c: Composer,
  segment: Segment,
  before: readonly (readonly number[])[],
  random: () => number,
): Promise<number[][]> {
  const style = CONTINUE_STYLES[BACKGROUND_STYLES[c.style].corpus]
  const from = c.form.bars[segment.fromBar]?.start ?? 0
  const to = c.form.bars[segment.toBar - 1]?.end ?? from
  const frames = Math.floor((to - from) / style.frameTicks)
  const K = c.continueShape.outputs
  const [lo, hi] = MOOD_PROFILES[c.mood].register
  const scale = harmonyPitchClasses(c.key, c.ctx.theory)
  const lastBar = c.form.bars.length - 1
  const bias = new Map<string, number[]>()
  const biasAt = (t: number): readonly number[] => {
    const newFrame = t - before.length
    if (newFrame < 0) return new Array<number>(K).fill(0)
    const tick = from + newFrame * style.frameTicks
    const bar = barAt(c.form, tick)
    const chord = new Set(c.form.bars[bar]?.chord ?? [])
    const onBeat = tick % PPQ === 0
    // The last bar of a song that does not loop lands on its tonic chord's tones only: the cadence.
    const strict = bar === lastBar && onBeat
    const id = `${[...chord].join(',')}|${onBeat}|${strict}`
    let b = bias.get(id)
    if (!b) {
      b = Array.from({ length: K }, (_, k) => {
        const p = k + KEY_MIN
        if (p < lo || p > hi || !scale.has(p % 12)) return NEVER
        // The model rests more than a background melody should once most keys are ruled out: chord tones are
        // drawn up, other scale tones held back on the beat.
        if (chord.has(p % 12)) return MELODY_CHORD_TONE
        return strict ? NEVER : onBeat ? -1.5 : -0.3
      })
      bias.set(id, b)
    }
    return b
  }
  const drawn = await sampleRoll(c.ctx, 'continue', c.continueShape, {
    context: before,
    frames,
    extra: () => style.corpus,
    bias: biasAt,
    temperature: c.temperature,
    random,
    weight: (frame, past) => continuationWeight(frame, past),
  })
  // One voice: the top note of each frame (the chorale corpus draws four-part chords).
  return drawn.map((frame) => (frame.length ? [Math.max(...frame)] : []))
}

/**
 * The harmonizer under the segment's melody, each voice kept to the planned chord of its bar: the melody as
 * notes, alto and tenor as the harmony, the bass line (an octave lower where it sits high) as the bass.
 */
async function harmonize(
  c: Composer,
  segment: Segment,
  frames: readonly (readonly number[])[],
  random: () => number,
): Promise<{ melody: PluginNote[]; harmony: PluginNote[]; bass: PluginNote[] }> {
  const style = CONTINUE_STYLES[BACKGROUND_STYLES[c.style].corpus]
  const from = c.form.bars[segment.fromBar]?.start ?? 0
  const to = c.form.bars[segment.toBar - 1]?.end ?? from
  const steps = Math.floor((to - from) / TICKS_PER_16TH)
  const perFrame = style.frameTicks / TICKS_PER_16TH
  const soprano = Array.from({ length: steps }, (_, t) => {
    const frame = frames[Math.floor(t / perFrame)] ?? []
    return frame.length ? (frame[0] ?? 0) + KEY_MIN : -1
  })
  const grid = await harmonizeSteps(c.ctx, HARMONIZER_ASSETS, c.harmonyShape, {
    soprano,
    phase: Math.round(from / TICKS_PER_16TH),
    barSteps: BAR_STEPS,
    key: c.key,
    strictKey: true,
    avoidParallels: true,
    temperature: c.temperature,
    random,
    chordAt: (t) => c.form.bars[barAt(c.form, from + t * TICKS_PER_16TH)]?.chord,
  })
  const voice = (v: number, shift = 0) =>
    grid.map((row) => ((row[v] ?? -1) >= 0 ? [(row[v] ?? 0) + shift] : []))
  const opts = { startTick: from, ticksPerStep: TICKS_PER_16TH, velocity: 80 }
  const bassLine = voice(3)
  const sounding = bassLine.flat()
  const low = sounding.length && sounding.reduce((a, b) => a + b, 0) / sounding.length > 52 ? -12 : 0
  return {
    melody: gridToNotes(
      soprano.map((p) => (p >= 0 ? [p] : [])),
      opts,
    ),
    harmony: gridToNotes(
      voice(1).map((a, t) => [...a, ...(voice(2)[t] ?? [])]),
      opts,
    ),
    bass: gridToNotes(
      bassLine.map((cell) => cell.map((p) => p + low)),
      opts,
    ),
  }
}

/**
 * Every bar's notes for a part: its written bar's notes moved to it (cut at its lines), in the sections where
 * the part plays, at the section's velocity.
 */
function arrange(form: BackgroundForm, source: readonly number[], notes: readonly PluginNote[], part: Part) {
  const out: PluginNote[] = []
  form.bars.forEach((bar, i) => {
    if (!sectionOf(form, i).parts.has(part)) return
    const from = form.bars[source[i] ?? i]
    if (!from) return
    const shift = bar.start - from.start
    for (const n of notes) {
      // A note held over the written bar's line is struck again at the line: each bar stands on its own.
      if (n.start >= from.end || n.start + n.duration <= from.start) continue
      const start = Math.max(n.start, from.start) + shift
      const end = Math.min(n.start + n.duration + shift, from.end + shift, bar.end)
      if (end <= start) continue
      out.push({ pitch: n.pitch, start, duration: end - start, velocity: velocityAt(form, start) })
    }
  })
  return out
}

/**
 * Drums: the style's groove from the drums model, 4 bars for each density the sections ask for, repeated
 * through every section that has drums, accents kept and scaled to the section's loudness.
 */
async function drumPatterns(c: Composer, random: () => number): Promise<PluginNote[]> {
  const level = (d: number) => Math.round(d * 10) / 10
  const wanted = new Set(c.form.sections.filter((s) => s.parts.has('drums')).map((s) => level(s.drumDensity)))
  const patterns = new Map<number, PluginNote[]>()
  for (const density of wanted) {
    patterns.set(
      density,
      await generateDrumNotes(c.ctx, 'drums', c.drumsShape, {
        song: { bpm: 120, timeSignature: { numerator: 4, denominator: 4 }, key: c.key },
        fromTick: 0,
        existing: [],
        startStep: 0,
        steps: DRUM_PATTERN_BARS * BAR_STEPS,
        style: BACKGROUND_STYLES[c.style].drums,
        density,
        follow: undefined,
        temperature: 1,
        random,
      }),
    )
  }
  const barTicks = BAR_STEPS * TICKS_PER_16TH
  const out: PluginNote[] = []
  c.form.bars.forEach((bar, i) => {
    const section = sectionOf(c.form, i)
    if (!section.parts.has('drums')) return
    const pattern = patterns.get(level(section.drumDensity)) ?? []
    const from = (i % DRUM_PATTERN_BARS) * barTicks
    // A stretched last bar plays on into the next pattern bar.
    for (const n of pattern) {
      const offset = (n.start - from + DRUM_PATTERN_BARS * barTicks) % (DRUM_PATTERN_BARS * barTicks)
      const start = bar.start + offset
      if (start >= bar.end) continue
      const duration = Math.min(n.duration, bar.end - start)
      const velocity = Math.max(1, Math.min(127, Math.round((n.velocity * velocityAt(c.form, start)) / 100)))
      out.push({ pitch: n.pitch, start, duration, velocity })
    }
  })
  return out.sort((a, b) => a.start - b.start || a.pitch - b.pitch)
}
