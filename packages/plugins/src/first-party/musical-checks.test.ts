import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../common/backend.js'
import { fixturePath } from '../common/test-utils.js'
import { getSplit as getRollSplit, loadRolls } from '../continue/data.js'
import { loadBeats } from '../drums/data.js'
import { getSplit, loadChorales } from '../harmonizer/data.js'
import { continueReport, drumsReport, harmonizerReport } from './music-report.js'
import { countParallels, estimateKey, inKeyShare, inRangeShare, parallelRate } from './musical-checks.js'

/*
 * The musical checks themselves on hand-made lines, then the plugins' generated output on the committed
 * fixture slices against the same checks on the real music (committed weights, fixed seeds).
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

describe('first-party output against the music it learnt from', () => {
  it('harmonizer: A, T, B mostly in key and in range; parallels as rare as Bach’s (under 2 per 100 moving pairs)', async () => {
    const chorales = getSplit(loadChorales(fixturePath('jsb16th-slice.json')), 'valid')
    const r = await harmonizerReport(chorales, { seed: 1 })
    expect(r.prompts).toBe(chorales.length)
    expect(r.generated.inKey).toBeGreaterThan(0.85)
    expect(r.generated.inRange).toBeGreaterThan(0.95)
    expect(r.generated.parallels.motions).toBeGreaterThan(50)
    // With "avoid parallels" (the default) the card has 0.07 per 100 against Bach's 0.18 on 16 valid
    // chorales; without it the model writes 5.2.
    expect(r.chorales.parallelsPer100).toBeLessThan(2)
    expect(r.generated.parallelsPer100).toBeLessThan(2)
  }, 180_000)

  it('continue: the continuation stays in key and in the tune range like the real one', async () => {
    const tunes = getRollSplit(loadRolls(fixturePath('nottingham-slice.json')), 'valid')
    const r = await continueReport(tunes, { seed: 1 })
    expect(r.prompts).toBeGreaterThan(0)
    expect(r.generated.inKey).toBeGreaterThan(0.85)
    expect(r.generated.inKey).toBeGreaterThan(r.real.inKey - 0.1)
    expect(r.generated.inRange).toBeGreaterThan(0.9)
  }, 180_000)

  it('drums: hits per bar within a factor 2 of the real beats, all on the drum map', async () => {
    const beats = loadBeats(fixturePath('groove'), 'validation').map((b) => b.hits)
    const r = await drumsReport(beats, { seed: 1 })
    expect(r.inMap).toBe(1)
    expect(r.generatedHitsPerBar).toBeGreaterThan(r.realHitsPerBar / 2)
    expect(r.generatedHitsPerBar).toBeLessThan(r.realHitsPerBar * 2)
  }, 180_000)
})
