import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from './backend.js'
import { countParallels, estimateKey, inKeyShare, inRangeShare, parallelRate } from './musical-checks.js'

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
