import { describe, expect, it } from 'vitest'
import {
  barPosition,
  chordTones,
  diatonicChord,
  hasMinorThird,
  inScale,
  KEY_NAMES,
  MODES,
  pitchClassOf,
  pitchName,
  scalePitchClasses,
  scalePitches,
  secondsToTicks,
  snapToScale,
  ticksPerBar,
  ticksPerBeat,
  ticksToSeconds,
} from './index'

describe('music theory helpers', () => {
  it('reads pitch classes with accidentals', () => {
    expect(['C', 'C#', 'Db', 'B#', 'Cb', 'E##', 'Bbb'].map(pitchClassOf)).toEqual([0, 1, 1, 0, 11, 6, 9])
    expect(() => pitchClassOf('H')).toThrow(/not a pitch class/)
  })

  it('lists the pitch classes of a key, tonic first', () => {
    expect(scalePitchClasses({ tonic: 'D', mode: 'major' })).toEqual([2, 4, 6, 7, 9, 11, 1])
    expect(scalePitchClasses({ tonic: 'A', mode: 'minor' })).toEqual([9, 11, 0, 2, 4, 5, 7])
    expect(scalePitchClasses({ tonic: 'E', mode: 'dorian' })).toEqual([4, 6, 7, 9, 11, 1, 2])
  })

  it('snaps to the nearest scale pitch, ties going down', () => {
    const c = { tonic: 'C', mode: 'major' } as const
    expect(snapToScale(61, c)).toBe(60)
    expect(snapToScale(66, c)).toBe(65)
    expect(snapToScale(64, c)).toBe(64)
    expect(inScale(71, c)).toBe(true)
    expect(inScale(70, c)).toBe(false)
    expect(scalePitches(c, 60, 72)).toEqual([60, 62, 64, 65, 67, 69, 71, 72])
  })

  it('builds chords', () => {
    expect(chordTones('A', 'min')).toEqual([9, 0, 4])
    expect(chordTones(7, '7')).toEqual([7, 11, 2, 5])
    expect(diatonicChord({ tonic: 'C', mode: 'major' }, 5, 4)).toEqual([7, 11, 2, 5])
    expect(diatonicChord({ tonic: 'A', mode: 'minor' }, 1)).toEqual([9, 0, 4])
  })

  it('knows bar lengths in ticks', () => {
    expect(ticksPerBar({ numerator: 4, denominator: 4 })).toBe(1920)
    expect(ticksPerBar({ numerator: 6, denominator: 8 })).toBe(1440)
  })

  it('counts beats by the denominator and places a tick in bars, beats and sixteenths', () => {
    expect(ticksPerBeat({ denominator: 8 })).toBe(240)
    expect(ticksPerBar({ numerator: 3, denominator: 4 })).toBe(1440)
    // 7/8: bar 2 (0-based 1) starts at 1680; 1680 + 2 beats of 240 + one sixteenth of 120.
    expect(barPosition(1680 + 480 + 120, { numerator: 7, denominator: 8 })).toEqual({
      bar: 1,
      beat: 2,
      sixteenth: 1,
    })
  })

  it('turns ticks into seconds at a tempo and back', () => {
    expect(ticksToSeconds(480, 120)).toBe(0.5)
    expect(secondsToTicks(0.5, 120)).toBe(480)
  })

  it('names pitches in scientific notation and keys by their usual spelling', () => {
    expect([21, 60, 61, 127].map(pitchName)).toEqual(['A0', 'C4', 'C#4', 'G9'])
    expect(KEY_NAMES.map(pitchClassOf)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
  })

  it('tells the modes with a minor third, which take a minor key signature', () => {
    expect(MODES.filter(hasMinorThird)).toEqual(['minor', 'dorian', 'phrygian', 'aeolian', 'locrian'])
  })
})
