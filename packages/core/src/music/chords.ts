import { pitchClass, pitchClassOf } from './pitch'
import { type Key, scalePitchClasses } from './scales'

/** Chord qualities as semitones above the root. */
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
  const r = typeof root === 'number' ? pitchClass(root) : pitchClassOf(root)
  return CHORD_QUALITIES[quality].map((interval) => (r + interval) % 12)
}

/** The chord built in thirds on a scale degree (1..7) of the key: in C major, degree 5 with 4 notes is G7. */
export function diatonicChord(key: Key, degree: number, size: 3 | 4 = 3): number[] {
  if (!Number.isInteger(degree) || degree < 1 || degree > 7)
    throw new RangeError(`degree must be 1..7, got ${degree}`)
  const classes = scalePitchClasses(key)
  return Array.from({ length: size }, (_, i) => classes[(degree - 1 + 2 * i) % 7]!)
}
