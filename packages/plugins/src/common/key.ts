/** A key as the models and the musical checks see it: a tonic pitch class and major or minor. */
export interface PitchKey {
  /** Pitch class of the tonic, C = 0. */
  tonic: number
  mode: 'major' | 'minor'
}

const MAJOR = [0, 2, 4, 5, 7, 9, 11]
// Natural minor plus the raised 6th and 7th (melodic/harmonic minor): Bach's minor chorales and the folk
// tunes use both, so a leading tone must not count as out of key.
const MINOR = [0, 2, 3, 5, 7, 8, 9, 10, 11]

/** The pitch classes (0-11) in the key. */
export function keyPitchClasses(key: PitchKey): Set<number> {
  return new Set((key.mode === 'major' ? MAJOR : MINOR).map((s) => (key.tonic + s) % 12))
}
