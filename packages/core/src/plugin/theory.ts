import { chordTones, diatonicChord } from '../music/chords'
import { pitchClassOf } from '../music/pitch'
import { inScale, scalePitchClasses, scalePitches, snapToScale } from '../music/scales'
import { ticksPerBar } from '../music/time'

// Re-exported one by one (not through music/index) so the sandbox's plugin shim bundles them without zod.
export { CHORD_QUALITIES, chordTones, diatonicChord } from '../music/chords'
export { pitchClassOf } from '../music/pitch'
export { inScale, scalePitchClasses, scalePitches, snapToScale } from '../music/scales'
export { PPQ, ticksPerBar } from '../music/time'

/*
 * The music-theory helpers a plugin reaches through its context. They are core's music module
 * (packages/core/src/music), handed over as one object so a sandboxed plugin gets them without importing
 * core; pitch classes are 0..11 with C = 0, pitches are MIDI numbers.
 */
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
