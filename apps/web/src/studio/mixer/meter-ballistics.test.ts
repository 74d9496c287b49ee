import { describe, expect, it } from 'vitest'
import { FLOOR_DB, MeterBallistics } from './meter-ballistics'

describe('meter ballistics', () => {
  it('rises at once, falls by its release per frame, and holds the peak for 61 frames before it drops', () => {
    const meter = new MeterBallistics(1.2)
    meter.step(-6)
    expect(meter).toMatchObject({ shown: -6, peak: -6 })
    meter.step(FLOOR_DB)
    expect(meter.shown).toBeCloseTo(-7.2)
    expect(meter.peak).toBe(-6)
    for (let i = 0; i < 60; i++) meter.step(FLOOR_DB)
    expect(meter.peak).toBe(-6)
    meter.step(FLOOR_DB)
    expect(meter.peak).toBe(meter.shown)
    expect(meter.peak).toBeLessThan(-6)
  })
})
