import { pitchClass, pitchClassOf } from './pitch'

/*
 * Keys and their scales, stated once: the modes a song's key can be in, the steps of each, and the questions
 * a generator or an editor asks of a key (is this pitch in it, which is the nearest one that is).
 */

export const MODES = [
  'major',
  'minor',
  'ionian',
  'dorian',
  'phrygian',
  'lydian',
  'mixolydian',
  'aeolian',
  'locrian',
] as const
export type KeyMode = (typeof MODES)[number]

/** Semitones above the tonic of each degree. */
export const MODE_STEPS: Record<KeyMode, readonly number[]> = {
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

export interface Key {
  /** A pitch class with no octave: C, F#, Bb (TONIC_PATTERN). */
  tonic: string
  mode: KeyMode
}

/** A mode whose third is minor: it takes the signature of the minor key on its tonic's third. */
export const hasMinorThird = (mode: KeyMode): boolean => MODE_STEPS[mode][2] === 3

/** The key's seven pitch classes, tonic first: D major → [2, 4, 6, 7, 9, 11, 1]. */
export function scalePitchClasses(key: Key): number[] {
  const tonic = pitchClassOf(key.tonic)
  return MODE_STEPS[key.mode].map((step) => (tonic + step) % 12)
}

export function inScale(pitch: number, key: Key): boolean {
  return scalePitchClasses(key).includes(pitchClass(pitch))
}

/** The nearest pitch of the key (a tie goes down, so the result never depends on anything but the input). */
export function snapToScale(pitch: number, key: Key): number {
  const classes = scalePitchClasses(key)
  for (let distance = 0; distance < 12; distance++) {
    for (const candidate of [pitch - distance, pitch + distance]) {
      if (candidate >= 0 && candidate <= 127 && classes.includes(candidate % 12)) return candidate
    }
  }
  return Math.min(127, Math.max(0, pitch))
}

/** Every pitch of the key between low and high, inclusive, ascending. */
export function scalePitches(key: Key, low: number, high: number): number[] {
  const classes = new Set(scalePitchClasses(key))
  const out: number[] = []
  for (let p = Math.max(0, low); p <= Math.min(127, high); p++) if (classes.has(p % 12)) out.push(p)
  return out
}
