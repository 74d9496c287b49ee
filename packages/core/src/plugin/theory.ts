import type { KeyMode, SongContext, SongKey } from './input'

/*
 * The music-theory helpers a plugin reaches through its context. Pitch classes are 0..11 with C = 0; pitches
 * are MIDI numbers. Small tables rather than @tonaljs/tonal: tonal 4.10's dependencies point `main` at files
 * they do not ship, so it does not load under plain Node (tsx), where the inference service runs plugins.
 */

const LETTERS: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 }

/** `C`, `F#`, `Bb`, `Cb`, `E##` → 0..11. */
export function pitchClassOf(tonic: string): number {
  const match = /^([A-G])(#{1,2}|b{1,2})?$/.exec(tonic)
  if (!match) throw new RangeError(`not a pitch class: "${tonic}"`)
  const accidentals = match[2] ?? ''
  const shift = accidentals.startsWith('#') ? accidentals.length : -accidentals.length
  return (((LETTERS[match[1]!]! + shift) % 12) + 12) % 12
}

const MODE_STEPS: Record<KeyMode, readonly number[]> = {
  major: [0, 2, 4, 5, 7, 9, 11],
  ionian: [0, 2, 4, 5, 7, 9, 11],
  dorian: [0, 2, 3, 5, 7, 9, 10],
  phrygian: [0, 1, 3, 5, 7, 8, 10],
  lydian: [0, 2, 4, 6, 7, 9, 11],
  mixolydian: [0, 2, 4, 5, 7, 9, 10],
  minor: [0, 2, 3, 5, 7, 8, 10],
  aeolian: [0, 2, 3, 5, 7, 8, 10],
  locrian: [0, 1, 3, 5, 6, 8, 10],
}

/** The key's seven pitch classes, tonic first: D major → [2, 4, 6, 7, 9, 11, 1]. */
export function scalePitchClasses(key: SongKey): number[] {
  const tonic = pitchClassOf(key.tonic)
  return MODE_STEPS[key.mode].map((step) => (tonic + step) % 12)
}

export function inScale(pitch: number, key: SongKey): boolean {
  return scalePitchClasses(key).includes(((pitch % 12) + 12) % 12)
}

/** The nearest pitch of the key (a tie goes down, so the result never depends on anything but the input). */
export function snapToScale(pitch: number, key: SongKey): number {
  const classes = scalePitchClasses(key)
  for (let distance = 0; distance < 12; distance++) {
    for (const candidate of [pitch - distance, pitch + distance]) {
      if (candidate >= 0 && candidate <= 127 && classes.includes(candidate % 12)) return candidate
    }
  }
  return Math.min(127, Math.max(0, pitch))
}

/** Every pitch of the key between low and high, inclusive, ascending. */
export function scalePitches(key: SongKey, low: number, high: number): number[] {
  const classes = new Set(scalePitchClasses(key))
  const out: number[] = []
  for (let p = Math.max(0, low); p <= Math.min(127, high); p++) if (classes.has(p % 12)) out.push(p)
  return out
}

export const CHORD_QUALITIES = {
  maj: [0, 4, 7],
  min: [0, 3, 7],
  dim: [0, 3, 6],
  aug: [0, 4, 8],
  sus2: [0, 2, 7],
  sus4: [0, 5, 7],
  '7': [0, 4, 7, 10],
  maj7: [0, 4, 7, 11],
  m7: [0, 3, 7, 10],
  m7b5: [0, 3, 6, 10],
  dim7: [0, 3, 6, 9],
} as const satisfies Record<string, readonly number[]>
export type ChordQuality = keyof typeof CHORD_QUALITIES

/** Pitch classes of a chord, root first: chordTones('A', 'min') → [9, 0, 4]. */
export function chordTones(root: string | number, quality: ChordQuality): number[] {
  const r = typeof root === 'number' ? ((root % 12) + 12) % 12 : pitchClassOf(root)
  return CHORD_QUALITIES[quality].map((interval) => (r + interval) % 12)
}

/** The chord built in thirds on a scale degree (1..7) of the key: in C major, degree 5 with 4 notes is G7. */
export function diatonicChord(key: SongKey, degree: number, size: 3 | 4 = 3): number[] {
  if (!Number.isInteger(degree) || degree < 1 || degree > 7)
    throw new RangeError(`degree must be 1..7, got ${degree}`)
  const classes = scalePitchClasses(key)
  return Array.from({ length: size }, (_, i) => classes[(degree - 1 + 2 * i) % 7]!)
}

/** 4/4 → 1920 ticks, 6/8 → 1440: the bar length a generator aligns phrases to. */
export function ticksPerBar(timeSignature: SongContext['timeSignature'], ticksPerQuarter = 480): number {
  return (ticksPerQuarter * 4 * timeSignature.numerator) / timeSignature.denominator
}

/** Everything above, as the context hands it to a plugin that declares the `theory` capability. */
export const theory = {
  pitchClassOf,
  scalePitchClasses,
  inScale,
  snapToScale,
  scalePitches,
  chordTones,
  diatonicChord,
  ticksPerBar,
} as const
export type Theory = typeof theory
