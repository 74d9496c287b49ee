import { describe, expect, it } from 'vitest'
import { shownValue } from './parameter-value'

describe('shownValue', () => {
  it('shows a fraction declared in % as a percentage', () => {
    expect(shownValue({ min: 0.1, max: 1, step: 0.05, units: '%' }, 0.8)).toBe('80 %')
    expect(shownValue({ min: 0, max: 0.5, step: 0.05, units: '%' }, 0.1)).toBe('10 %')
  })

  it('leaves a % range already in percent, and other units, as declared', () => {
    expect(shownValue({ min: 0, max: 100, step: 1, units: '%' }, 40)).toBe('40 %')
    expect(shownValue({ min: 0.1, max: 2, units: 's' }, 0.25)).toBe('0.25 s')
    expect(shownValue({ min: 1, max: 8, step: 1 }, 4)).toBe('4')
  })
})
