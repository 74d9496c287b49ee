import { PPQ } from '@ensemble/core'
import { describe, expect, it } from 'vitest'
import { barsAndBeats } from './clip-length'

const FOUR_FOUR = { numerator: 4, denominator: 4 } as const
const THREE_FOUR = { numerator: 3, denominator: 4 } as const

describe('barsAndBeats', () => {
  it('says whole bars, singular for one', () => {
    expect(barsAndBeats(PPQ * 4, FOUR_FOUR)).toBe('1 bar')
    expect(barsAndBeats(PPQ * 8, FOUR_FOUR)).toBe('2 bars')
  })

  it('counts a 4/4 bar in 3/4 as a bar and a beat, not 1.33 bars', () => {
    expect(barsAndBeats(PPQ * 4, THREE_FOUR)).toBe('1 bar 1 beat')
    expect(barsAndBeats(PPQ * 2, THREE_FOUR)).toBe('2 beats')
    expect(barsAndBeats(PPQ * 8.5, { numerator: 6, denominator: 8 })).toBe('2 bars 5 beats')
  })
})
