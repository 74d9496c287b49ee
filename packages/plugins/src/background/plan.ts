import {
  diatonicChord,
  type KeyMode,
  PPQ,
  type SongKey,
  type SuggestInput,
  scalePitchClasses,
  type TimeSignature,
  ticksPerBar,
  ticksToSeconds,
} from '@ensemble/core/plugin'

/*
 * The background-music planner: small pure functions that turn the maker's settings into a plan (tempo,
 * length in ticks, bars, one chord per bar, sections with an intensity and the parts that play), before any
 * model runs. The background plugin (./plugin.ts) then fills the parts with the first-party models, steered
 * by the plan. Everything here is deterministic, so the server (which sets the song's tempo and key) and the
 * plugin (which reads them back from the song) agree on the same plan.
 */

/** The maker's plugin id (./plugin.ts), named here so the server can ask for it without loading the models. */
export const BACKGROUND_ID = 'studio.ensemble.background'

/**
 * The target track the maker's proposal names (the new song has none; a tracks proposal whose target is absent
 * adds its tracks at the end). It also tells the studio a proposal is the maker's song, which the asker's tab
 * accepts on arrival, from the plugin run on a selection in the AI panel, which waits for the band's choice.
 */
export const BACKGROUND_TARGET = 'background'

export const MOODS = ['calm', 'happy', 'tense', 'sad', 'epic', 'dreamy'] as const
export type Mood = (typeof MOODS)[number]

export const ARCS = ['steady', 'build', 'build-and-release', 'fade-out'] as const
export type Arc = (typeof ARCS)[number]

/** The parts the maker writes, as tracks, in this order. */
export const PARTS = ['melody', 'harmony', 'bass', 'drums'] as const
export type Part = (typeof PARTS)[number]

/**
 * What a mood steers. `tempo` is where the tempo sits in the style's range (0 its slowest, 1 its fastest);
 * `register` the melody's pitch range; `density` the drums' (0..1, 0.5 the drummers' own) and how often the
 * harmony re-strikes; `velocity` the loudness at full intensity; `progression` four bars of scale degrees,
 * starting on the tonic so a loop's last bar (the dominant) leads back into it.
 */
export interface MoodProfile {
  readonly mode: KeyMode
  readonly tonics: readonly string[]
  readonly tempo: number
  readonly register: readonly [number, number]
  readonly density: number
  readonly velocity: number
  readonly progression: readonly [number, number, number, number]
}

export const MOOD_PROFILES: Record<Mood, MoodProfile> = {
  calm: {
    mode: 'major',
    tonics: ['C', 'F', 'G', 'D'],
    tempo: 0.2,
    register: [64, 79],
    density: 0.3,
    velocity: 70,
    progression: [1, 6, 4, 5],
  },
  happy: {
    mode: 'major',
    tonics: ['G', 'D', 'A', 'C'],
    tempo: 0.75,
    register: [67, 84],
    density: 0.6,
    velocity: 95,
    progression: [1, 5, 6, 4],
  },
  tense: {
    mode: 'minor',
    tonics: ['E', 'D', 'C', 'B'],
    tempo: 0.6,
    register: [60, 74],
    density: 0.55,
    velocity: 90,
    progression: [1, 6, 7, 5],
  },
  sad: {
    mode: 'minor',
    tonics: ['A', 'D', 'E', 'G'],
    tempo: 0.1,
    register: [62, 76],
    density: 0.3,
    velocity: 65,
    progression: [1, 4, 6, 5],
  },
  epic: {
    mode: 'minor',
    tonics: ['D', 'C', 'A', 'E'],
    tempo: 0.65,
    register: [65, 81],
    density: 0.8,
    velocity: 110,
    progression: [1, 6, 3, 7],
  },
  dreamy: {
    mode: 'lydian',
    tonics: ['F', 'C', 'G', 'D'],
    tempo: 0.25,
    register: [69, 86],
    density: 0.25,
    velocity: 62,
    progression: [1, 2, 1, 5],
  },
}

/**
 * The styles offered are the styles the models were trained on, and no other (their MODEL_CARD.md): the
 * continue model's JSB chorales and Nottingham folk tunes, and the drums model's grooves (Groove MIDI:
 * rock, funk, hip-hop, jazz, the four styles the drums plugin primes). A style picks the melody's corpus,
 * the drum groove and the tempo range (bpm, quarter notes a minute) the maker keeps to when it fits a length.
 */
export const BACKGROUND_STYLES = {
  chorale: { label: 'Bach chorale', corpus: 'chorale', drums: 'rock', tempo: [60, 100] },
  folk: { label: 'British and Irish folk', corpus: 'folk', drums: 'rock', tempo: [80, 140] },
  rock: { label: 'Rock groove', corpus: 'folk', drums: 'rock', tempo: [90, 150] },
  funk: { label: 'Funk groove', corpus: 'folk', drums: 'funk', tempo: [85, 115] },
  hiphop: { label: 'Hip-hop groove', corpus: 'folk', drums: 'hiphop', tempo: [70, 100] },
  jazz: { label: 'Jazz groove', corpus: 'folk', drums: 'jazz', tempo: [100, 180] },
} as const satisfies Record<
  string,
  {
    label: string
    corpus: 'chorale' | 'folk'
    drums: 'rock' | 'funk' | 'hiphop' | 'jazz'
    tempo: readonly [number, number]
  }
>
export type BackgroundStyle = keyof typeof BACKGROUND_STYLES
export const BACKGROUND_STYLE_IDS = Object.keys(BACKGROUND_STYLES) as BackgroundStyle[]

/** Every background song is in 4/4: the metre all three corpora have most of, and a loop's bars stay whole. */
export const BACKGROUND_METRE: TimeSignature = { numerator: 4, denominator: 4 }

/**
 * Why there is no 3/4 (shown in the maker's form). The folk tunes include waltzes, but the drums model saw
 * 4/4 only (the dataset's 3/4 and 6/8 files were skipped: its bar-position feature assumes 16 steps), the
 * continue model has no metre input, and the waltzes are not labelled in the folk encoding, so a 3/4 song
 * would be 4/4 material cut into 3-beat bars. It needs a drums model trained with 12-step bars first.
 */
export const WHY_NO_THREE_FOUR =
  '4/4 only: the drums model was trained on 4/4 grooves alone (the dataset’s 3/4 files were skipped) and the melody model has no metre input, so a waltz would be 4/4 material cut into 3-beat bars.'

export const MIN_SECONDS = 4
export const MAX_SECONDS = 300
export const MAX_BARS = 128

export type LengthRequest = { readonly seconds: number } | { readonly bars: number }

export interface LengthSettings {
  readonly mood: Mood
  readonly style: BackgroundStyle
  /** A tempo in bpm, or 'fit': the maker picks one in the style's range that makes the length come out whole. */
  readonly tempo: number | 'fit'
  readonly length: LengthRequest
}

/** How the length was met: whole bars at a fitted tempo, or a final bar stretched or shortened by some beats. */
export type LengthFit =
  | { readonly kind: 'whole-bars' }
  | { readonly kind: 'final-bar'; readonly beats: number }

export interface FittedLength {
  readonly bpm: number
  /** The tempo asked for when it was outside the style's range and `bpm` is the nearest end of the range. */
  readonly clampedFrom?: number
  /** The song's length, from tick 0; a loop's point is here. */
  readonly lengthTicks: number
  readonly fit: LengthFit
}

const BEAT_TICKS = PPQ
const BAR_TICKS = ticksPerBar(BACKGROUND_METRE)
const BEATS_PER_BAR = BAR_TICKS / BEAT_TICKS

/** The tempo a mood prefers in a style: its place in the style's range. */
export function preferredTempo(mood: Mood, style: BackgroundStyle): number {
  const [lo, hi] = BACKGROUND_STYLES[style].tempo
  return Math.round(lo + MOOD_PROFILES[mood].tempo * (hi - lo))
}

/**
 * Tempo and length in ticks for the settings. A tempo asked for outside the style's range is held to it
 * (`clampedFrom` says so, and the form shows it). In bars: whole bars at the tempo asked (or the mood's).
 * In seconds with 'fit': the number of bars whose tempo, to last exactly that long, is in the style's range
 * and nearest the mood's, preferring phrases of 4 bars, then 2 (a 60-second calm folk piece: 22 bars at
 * 88 bpm). In seconds at a fixed tempo, or when no whole number of bars fits the range: the nearest whole
 * number of beats at that tempo, the final bar stretched (one beat more) or shortened to take them, so the
 * length is within half a beat of the request.
 */
export function fitLength(asked: LengthSettings): FittedLength {
  const clamped = clampTempo(asked.style, asked.tempo)
  const settings = { ...asked, tempo: clamped }
  const note = clamped !== asked.tempo && asked.tempo !== 'fit' ? { clampedFrom: asked.tempo } : {}
  const fitted = fitClamped(settings)
  return { ...fitted, ...note }
}

/** A tempo asked for, held to the style's range (what its drummers and tunes were played at); 'fit' as is. */
function clampTempo(style: BackgroundStyle, tempo: number | 'fit'): number | 'fit' {
  if (tempo === 'fit') return tempo
  const [lo, hi] = BACKGROUND_STYLES[style].tempo
  return Math.min(hi, Math.max(lo, tempo))
}

function fitClamped(settings: LengthSettings): FittedLength {
  const preferred = preferredTempo(settings.mood, settings.style)
  const { length } = settings
  if ('bars' in length) {
    const bpm = settings.tempo === 'fit' ? preferred : settings.tempo
    return { bpm, lengthTicks: length.bars * BAR_TICKS, fit: { kind: 'whole-bars' } }
  }
  if (settings.tempo === 'fit') {
    const [lo, hi] = BACKGROUND_STYLES[settings.style].tempo
    let best: { bars: number; bpm: number; score: number } | null = null
    for (let bars = 1; bars <= MAX_BARS; bars++) {
      // Two decimals: a tempo field shows that much, and the length moves by under a millisecond a minute.
      const bpm = Math.round(((bars * BEATS_PER_BAR * 60) / length.seconds) * 100) / 100
      if (bpm < lo || bpm > hi) continue
      const phrase = bars % 4 === 0 ? 0 : bars % 2 === 0 ? 4 : 8
      const score = Math.abs(bpm - preferred) + phrase
      if (best === null || score < best.score) best = { bars, bpm, score }
    }
    if (best) return { bpm: best.bpm, lengthTicks: best.bars * BAR_TICKS, fit: { kind: 'whole-bars' } }
  }
  const bpm = settings.tempo === 'fit' ? preferred : settings.tempo
  const beats = Math.max(1, Math.round((length.seconds * bpm) / 60))
  const extra = beats % BEATS_PER_BAR
  const fit: LengthFit =
    extra === 0
      ? { kind: 'whole-bars' }
      : { kind: 'final-bar', beats: extra === 1 && beats > BEATS_PER_BAR ? 1 : extra - BEATS_PER_BAR }
  return { bpm, lengthTicks: beats * BEAT_TICKS, fit }
}

export const lengthSeconds = (fitted: FittedLength): number => ticksToSeconds(fitted.lengthTicks, fitted.bpm)

/** The key for a mood: the one asked, or the mood's mode on one of its tonics, picked by the seed. */
export function chooseKey(mood: Mood, key: SongKey | 'any', seed: number): SongKey {
  if (key !== 'any') return key
  const { tonics, mode } = MOOD_PROFILES[mood]
  return { tonic: tonics[seed % tonics.length] ?? 'C', mode }
}

/** One bar: where it starts and ends (ticks) and its chord (pitch classes, root first). */
export interface PlannedBar {
  readonly start: number
  readonly end: number
  readonly degree: number
  readonly chord: readonly number[]
}

export interface PlannedSection {
  /** Index of its first bar and one past its last. */
  readonly fromBar: number
  readonly toBar: number
  /** 0..1: how full and loud the section is. */
  readonly intensity: number
  readonly parts: ReadonlySet<Part>
  /** Velocity at the section's start and at its end (a fade-out falls across its last section). */
  readonly velocity: readonly [number, number]
  /** 0..1 for the drums model (0.5 the drummers' own density). */
  readonly drumDensity: number
}

export interface FormSettings {
  readonly mood: Mood
  readonly arc: Arc
  readonly loop: boolean
  readonly key: SongKey
  readonly lengthTicks: number
}

export interface BackgroundForm {
  readonly bars: readonly PlannedBar[]
  readonly sections: readonly PlannedSection[]
}

/**
 * The dominant in a minor-third mode takes the raised seventh (harmonic minor), so V leads to i by a
 * semitone; in every mode the cadence and the loop's turn are V → I.
 */
export function chordOf(key: SongKey, degree: number): number[] {
  const chord = diatonicChord(key, degree, 3)
  if (degree === 5) {
    const tonic = scalePitchClasses(key)[0] ?? 0
    chord[1] = (tonic + 11) % 12
  }
  return chord
}

/** Intensity (0..1) at a point `x` (0..1) of the song, for each arc. */
export function arcIntensity(arc: Arc, x: number): number {
  switch (arc) {
    case 'steady':
      return 0.7
    case 'build':
      return 0.25 + 0.75 * x
    case 'build-and-release':
      return x < 0.7 ? 0.3 + (0.7 * x) / 0.7 : 1 - (0.6 * (x - 0.7)) / 0.3
    case 'fade-out':
      return 1 - 0.7 * x
  }
}

/** Which parts play at an intensity: the harmony always, then bass, melody and drums as it rises. */
function partsAt(intensity: number): Set<Part> {
  const parts = new Set<Part>(['harmony'])
  if (intensity >= 0.3) parts.add('bass')
  if (intensity >= 0.45) parts.add('melody')
  if (intensity >= 0.55) parts.add('drums')
  return parts
}

/** Sections are 4-bar phrases; a last phrase shorter than 2 bars joins the one before. */
export const PHRASE_BARS = 4

/**
 * Bars, chords and sections for a fitted length. The mood's 4-bar progression repeats from the tonic; the
 * song ends on a cadence (V in the last bar but one, I in the last) or, when it loops, on V in its last bar,
 * which leads back into bar 1's I. The arc sets each section's intensity, which sets its parts (the loudest
 * section plays all four, so every track has notes), velocity and drum density.
 */
export function planForm(settings: FormSettings): BackgroundForm {
  const profile = MOOD_PROFILES[settings.mood]
  const count = Math.max(1, Math.ceil(settings.lengthTicks / BAR_TICKS))
  const starts = Array.from({ length: count }, (_, i) => i * BAR_TICKS)
  // A final bar of one extra beat is stretched rather than made a bar of its own.
  if (count > 1 && settings.lengthTicks - (count - 1) * BAR_TICKS <= BEAT_TICKS) starts.pop()
  const bars: PlannedBar[] = starts.map((start, i) => {
    const end = i === starts.length - 1 ? settings.lengthTicks : start + BAR_TICKS
    const degree = profile.progression[i % PHRASE_BARS] ?? 1
    return { start, end, degree, chord: chordOf(settings.key, degree) }
  })
  const n = bars.length
  const cadence = (at: number, degree: number) => {
    const bar = bars[at]
    if (bar) bars[at] = { ...bar, degree, chord: chordOf(settings.key, degree) }
  }
  if (settings.loop) {
    if (n > 1) cadence(n - 1, 5)
  } else {
    if (n > 1) cadence(n - 2, 5)
    cadence(n - 1, 1)
  }

  const bounds: number[] = []
  for (let b = 0; b < n; b += PHRASE_BARS) bounds.push(b)
  if (bounds.length > 1 && n - (bounds.at(-1) ?? 0) < 2) bounds.pop()
  const raw = bounds.map((fromBar, i) => {
    const toBar = bounds[i + 1] ?? n
    const middle = (fromBar + toBar) / 2 / n
    return { fromBar, toBar, intensity: arcIntensity(settings.arc, middle) }
  })
  const peak = raw.reduce((best, s, i) => (s.intensity > (raw[best]?.intensity ?? -1) ? i : best), 0)
  const sections = raw.map((s, i): PlannedSection => {
    const parts = i === peak ? new Set<Part>(PARTS) : partsAt(s.intensity)
    const loud = Math.round(profile.velocity * (0.7 + 0.3 * s.intensity))
    const last = i === raw.length - 1
    // A fade-out falls to a third of its loudness across the last section; a loop never fades (its end
    // meets its start at full level).
    const end = settings.arc === 'fade-out' && last && !settings.loop ? Math.round(loud / 3) : loud
    return {
      ...s,
      parts,
      velocity: [loud, end],
      drumDensity: Math.min(0.95, profile.density * (0.6 + 0.6 * s.intensity)),
    }
  })
  return { bars, sections }
}

/** The section a bar is in. */
export function sectionOf(form: BackgroundForm, bar: number): PlannedSection {
  const found = form.sections.find((s) => bar >= s.fromBar && bar < s.toBar)
  const fallback = form.sections.at(-1)
  if (!found && !fallback) throw new Error('a form has at least one section')
  return (found ?? fallback) as PlannedSection
}

/** The bar a tick is in. */
export function barAt(form: BackgroundForm, tick: number): number {
  const i = form.bars.findIndex((b) => tick >= b.start && tick < b.end)
  return i === -1 ? form.bars.length - 1 : i
}

/** A note's velocity at `tick`: its section's loudness, falling linearly across it where it fades. */
export function velocityAt(form: BackgroundForm, tick: number): number {
  const bar = barAt(form, tick)
  const section = sectionOf(form, bar)
  const from = form.bars[section.fromBar]?.start ?? 0
  const to = form.bars[section.toBar - 1]?.end ?? from + 1
  const x = Math.min(1, Math.max(0, (tick - from) / Math.max(1, to - from)))
  const [a, b] = section.velocity
  return Math.max(1, Math.min(127, Math.round(a + (b - a) * x)))
}

/** Everything the maker asks for (the studio's "New background track" form). */
export interface BackgroundSettings extends LengthSettings {
  readonly key: SongKey | 'any'
  readonly loop: boolean
  readonly arc: Arc
}

/** What the song is set to before the models write: tempo, metre, key and length. */
export interface BackgroundSong extends FittedLength {
  readonly key: SongKey
  readonly timeSignature: TimeSignature
}

/** The song the settings make (the seed picks a key when any will do). */
export function planBackground(settings: BackgroundSettings, seed: number): BackgroundSong {
  return {
    ...fitLength(settings),
    key: chooseKey(settings.mood, settings.key, seed),
    timeSignature: BACKGROUND_METRE,
  }
}

/** The plugin parameters that carry the settings the song's tempo, key and length do not. */
export const backgroundParameters = (settings: BackgroundSettings) => ({
  mood: settings.mood,
  style: settings.style,
  arc: settings.arc,
  loop: settings.loop,
})

/**
 * The plugin request for a planned song: the song's tempo, metre and key, an empty window as long as the
 * song on `trackId` (the proposal's target), the settings' parameters. One shape for the server, the tests
 * and the bench.
 */
export function backgroundRequest(
  settings: BackgroundSettings,
  planned: BackgroundSong,
  run: { trackId: string; seed: number; deadlineMs: number },
): SuggestInput {
  return {
    song: { bpm: planned.bpm, timeSignature: planned.timeSignature, key: planned.key },
    target: { trackId: run.trackId, kind: 'instrument', fromTick: 0, toTick: planned.lengthTicks, notes: [] },
    context: [],
    parameters: backgroundParameters(settings),
    seed: run.seed,
    variations: 1,
    deadlineMs: run.deadlineMs,
  }
}
