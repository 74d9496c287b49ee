import { MODE_STEPS } from '@ensemble/core/plugin'

/** A key as the models and the musical checks see it: a tonic pitch class and major or minor. */
export interface PitchKey {
  /** Pitch class of the tonic, C = 0. */
  tonic: number
  mode: 'major' | 'minor'
}

const MAJOR = MODE_STEPS.major
// Natural minor plus the raised 6th and 7th (melodic/harmonic minor): Bach's minor chorales and the folk
// tunes use both, so a leading tone must not count as out of key.
const MINOR = [...MODE_STEPS.minor, 9, 11]

/** The pitch classes (0-11) in the key. */
export function keyPitchClasses(key: PitchKey): Set<number> {
  return new Set((key.mode === 'major' ? MAJOR : MINOR).map((s) => (key.tonic + s) % 12))
}
