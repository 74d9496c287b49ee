import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../src/common/backend.js'
import { fixturePath } from '../src/common/test-utils.js'
import { getSplit as getRollSplit } from '../src/continue/data.js'
import { loadRolls } from '../src/continue/rolls-file.js'
import { loadBeats } from '../src/drums/beats-file.js'
import { getSplit, loadChorales } from '../src/harmonizer/data.js'
import { continueReport, drumsReport, harmonizerReport } from './music-report.js'

/*
 * The plugins' generated output on the committed fixture slices against the musical checks on the real
 * music (committed weights, fixed seeds): what music-report.ts prints, asserted.
 */

beforeAll(async () => {
  await initBackend()
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

  it('continue: the continuation stays in key, in the tune range and in register like the real one', async () => {
    const tunes = getRollSplit(loadRolls(fixturePath('nottingham-slice.json')), 'valid')
    const r = await continueReport(tunes, { seed: 1 })
    expect(r.prompts).toBeGreaterThan(0)
    expect(r.generated.inKey).toBeGreaterThan(0.85)
    expect(r.generated.inKey).toBeGreaterThan(r.real.inKey - 0.1)
    expect(r.generated.inRange).toBeGreaterThan(0.9)
    // Register continuity: penalised sampling (the plugin's default) jumps across registers no more than the
    // real tunes do; the same prompts drawn without penalties jump several times as often (12 of 86 moves).
    expect(r.generated.leaps.moves).toBeGreaterThan(50)
    expect(r.generated.leapsPer100).toBeLessThanOrEqual(r.real.leapsPer100 + 2)
    const plain = await continueReport(tunes, {
      seed: 1,
      weights: { parallel: 1, registerJump: 1, registerJumpAfterLeaps: 1 },
    })
    expect(plain.generated.leapsPer100).toBeGreaterThan(r.generated.leapsPer100 + 5)
  }, 180_000)

  it('continue, chorale style: 4 bars after 4 of each chorale, outer voices counted; the penalties hold parallels and jumps down', async () => {
    const chorales = getRollSplit(loadRolls(fixturePath('jsb-pianoroll-slice.json')), 'valid')
    const r = await continueReport(chorales, { seed: 1, style: 'chorale' })
    // Every valid chorale of the slice has the 32 quarter-note frames that 4 + 4 bars take.
    expect(r.prompts).toBe(chorales.length)
    expect(r.real.parallels.motions).toBeGreaterThan(20)
    expect(r.generated.parallels.motions).toBeGreaterThan(20)
    expect(r.generated.inKey).toBeGreaterThan(0.8)
    const plain = await continueReport(chorales, {
      seed: 1,
      style: 'chorale',
      weights: { parallel: 1, registerJump: 1, registerJumpAfterLeaps: 1 },
    })
    expect(r.generated.parallelsPer100 + r.generated.leapsPer100).toBeLessThanOrEqual(
      plain.generated.parallelsPer100 + plain.generated.leapsPer100,
    )
  }, 180_000)

  it('drums: each offered style against the real beats of that style; hits per bar within a factor 2, all on the drum map', async () => {
    const beats = loadBeats(fixturePath('groove'), 'validation')
    const r = await drumsReport(beats, { seed: 1, runs: 2 })
    expect(r.inMap).toBe(1)
    expect(r.bars).toBe(2 * 8 * 4)
    expect(r.styles.map((s) => s.style)).toEqual(['rock', 'funk', 'hiphop', 'jazz'])
    // The slice has validation beats of rock (and pop) only: the other offered styles have no real figure.
    for (const s of r.styles) {
      expect(s.realBeats).toBe(beats.filter((b) => b.style.split('/')[0] === s.style).length)
      expect(Number.isNaN(s.realHitsPerBar)).toBe(s.realBeats === 0)
      expect(s.generatedHitsPerBar).toBeGreaterThan(0)
    }
    expect(r.generatedHitsPerBar).toBeGreaterThan(r.realHitsPerBar / 2)
    expect(r.generatedHitsPerBar).toBeLessThan(r.realHitsPerBar * 2)
  }, 180_000)
})
