import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from './backend.js'
import {
  countParallels,
  countRegisterLeaps,
  estimateKey,
  inKeyShare,
  inRangeShare,
  leapRate,
  outerVoices,
  parallelRate,
} from './musical-checks.js'

/*
 * The musical checks themselves on hand-made lines; the plugins' output against them is
 * tools/music-report.test.ts.
 */

beforeAll(async () => {
  await initBackend()
})

describe('musical checks', () => {
  it('count parallel fifths and octaves, not contrary or oblique motion', () => {
    // S/B: C5/F4 -> D5/G4 is a parallel fifth; D5/G4 -> E5/C4 contrary; E5/C4 -> E5/D4 oblique.
    const fifths = countParallels([
      [72, 65],
      [74, 67],
      [76, 60],
      [76, 62],
    ])
    expect(fifths).toEqual({ motions: 2, fifths: 1, octaves: 0 })
    const octaves = countParallels([
      [60, 48],
      [62, 50],
    ])
    expect(octaves.octaves).toBe(1)
    expect(parallelRate(octaves)).toBe(100)
  })

  it('count register jumps: moves wider than an octave, across rests, per voice', () => {
    // Top: C6 -> F4 (19 down: a jump) -> rest -> G4 (a step after the rest) -> G4 (held: no move).
    // Bottom: C4 -> F3 -> rest -> G2 (from F3 across the rest: 10 down, a leap within the octave).
    const leaps = countRegisterLeaps([
      [84, 60],
      [65, 53],
      [-1, -1],
      [67, 43],
      [67, 43],
    ])
    expect(leaps).toEqual({ moves: 4, leaps: 1 })
    expect(leapRate(leaps)).toBe(25)
    expect(countRegisterLeaps([[84], [60], [36]]).leaps).toBe(2)
  })

  it('take the outer voices of a roll, a lone note being one voice and not a unison pair', () => {
    const roll = [[60, 64, 67], [72], [], [62, 65]]
    expect(outerVoices(roll)).toEqual([
      [67, 60],
      [72, -1],
      [-1, -1],
      [65, 62],
    ])
    // An unaccompanied melody has no voice pairs, so no parallel octaves.
    expect(countParallels(outerVoices([[60], [62], [64]])).motions).toBe(0)
  })

  it('estimate the key of a scale and score notes in key and voices in range', () => {
    expect(estimateKey([67, 69, 71, 72, 74, 76, 78, 79, 74, 71, 67])).toEqual({ tonic: 7, mode: 'major' })
    expect(estimateKey([57, 59, 60, 62, 64, 65, 68, 69, 64, 60, 57])).toEqual({ tonic: 9, mode: 'minor' })
    expect(inKeyShare([60, 61, 62, 64], { tonic: 0, mode: 'major' })).toBe(0.75)
    // The raised 7th (G#) is in A minor, as a leading tone.
    expect(inKeyShare([68], { tonic: 9, mode: 'minor' })).toBe(1)
    expect(
      inRangeShare(
        [
          [70, 60],
          [70, 40],
        ],
        [null, [52, 74]],
      ),
    ).toBe(0.5)
  })
})
