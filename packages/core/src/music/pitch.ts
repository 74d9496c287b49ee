/*
 * Pitch, stated once: MIDI note numbers (0-127, middle C = 60 = C4), pitch classes (0-11, C = 0), how they are
 * spelled and what frequency they sound at. Small tables rather than @tonaljs/tonal: tonal 4.10's
 * dependencies point `main` at files they do not ship, so it does not load under plain Node (tsx), where the
 * web server and the inference service load core.
 */

/** A pitch class as a key names its tonic: a letter and up to two sharps or flats (C, F#, Bb, E##). */
export const TONIC_PATTERN = /^([A-G])(#{1,2}|b{1,2})?$/

const LETTERS: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 }

/** `C`, `F#`, `Bb`, `Cb`, `E##` → 0..11. */
export function pitchClassOf(tonic: string): number {
  const match = TONIC_PATTERN.exec(tonic)
  if (!match) throw new RangeError(`not a pitch class: "${tonic}"`)
  const accidentals = match[2] ?? ''
  const shift = accidentals.startsWith('#') ? accidentals.length : -accidentals.length
  return (((LETTERS[match[1]!]! + shift) % 12) + 12) % 12
}

/** 0..11 for any integer pitch (negative ones too). */
export const pitchClass = (pitch: number): number => ((pitch % 12) + 12) % 12

/** Pitch classes spelled with sharps, as a keyboard's keys are labelled. */
export const SHARP_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'] as const

/**
 * Pitch classes spelled as the usual key signatures spell their tonics (fewest accidentals; F# over Gb), the
 * way a key is named when only its pitch class is known.
 */
export const KEY_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'] as const

/**
 * The tonics a song's key can be picked from: each pitch class as a key usually spells it, with the other
 * spelling beside it where both are common keys (C#/Db, F#/Gb).
 */
export const TONIC_CHOICES = [
  'C',
  'C#',
  'Db',
  'D',
  'Eb',
  'E',
  'F',
  'F#',
  'Gb',
  'G',
  'Ab',
  'A',
  'Bb',
  'B',
] as const

/** Scientific pitch notation, sharps: 60 → C4, 61 → C#4, 21 → A0. */
export const pitchName = (pitch: number): string =>
  `${SHARP_NAMES[pitchClass(pitch)]}${Math.floor(pitch / 12) - 1}`

/** MIDI note number to frequency in Hz, A4 (69) = 440 Hz, equal temperament. */
export const midiToFrequency = (pitch: number): number => 440 * 2 ** ((pitch - 69) / 12)
