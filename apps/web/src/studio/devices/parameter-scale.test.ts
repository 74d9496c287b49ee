import { effectParameter } from '@ensemble/core'
import { describe, expect, it } from 'vitest'
import {
  DRAG_RANGE_PX,
  dragValue,
  FINE_FACTOR,
  formatValue,
  isNumeric,
  type NumericSpec,
  parseValue,
  positionOf,
  stepValue,
  valueAt,
} from './parameter-scale'

const numeric = (kind: Parameters<typeof effectParameter>[0], id: string): NumericSpec => {
  const spec = effectParameter(kind, id)
  if (spec === undefined || !isNumeric(spec)) throw new Error(`${kind}.${id} is not numeric`)
  return spec
}

const cutoff = numeric('filter', 'frequency') // 20..20 000 Hz, log
const gain = numeric('eq3', 'low') // -24..12 dB, linear
const release = numeric('compressor', 'release') // 10..1 000 ms, log
const ratio = numeric('compressor', 'ratio') // 1..20 :1, log
const mix = numeric('reverb', 'mix') // 0..100 %, linear
const decay = numeric('reverb', 'decay') // 0.1..20 s, log

describe('knob travel along the curve', () => {
  it('gives every octave of a Hz knob the same travel (log), and dB an even one (linear)', () => {
    // 20 Hz to 20 kHz is ten octaves less a bit; 200 → 400 and 2 000 → 4 000 are the same distance.
    const octaveLow = positionOf(cutoff, 400) - positionOf(cutoff, 200)
    const octaveHigh = positionOf(cutoff, 4_000) - positionOf(cutoff, 2_000)
    expect(octaveLow).toBeCloseTo(octaveHigh, 9)
    expect(positionOf(cutoff, Math.sqrt(20 * 20_000))).toBeCloseTo(0.5, 9)
    expect(valueAt(cutoff, 0.5)).toBeCloseTo(632.456, 2)
    expect(positionOf(gain, -6)).toBeCloseTo(0.5, 9)
    expect(valueAt(gain, 0.25)).toBe(-15)
  })

  it('clamps to the range at both ends, wherever the pointer goes', () => {
    expect(dragValue(cutoff, 1_000, 10_000, false)).toBe(20_000)
    expect(dragValue(cutoff, 1_000, -10_000, false)).toBe(20)
    expect(stepValue(gain, 12, 5, false)).toBe(12)
  })

  it('moves the whole range in one drag, and a tenth as far with Shift (fine)', () => {
    expect(dragValue(gain, -24, DRAG_RANGE_PX, false)).toBe(12)
    expect(dragValue(gain, -6, DRAG_RANGE_PX / 4, false)).toBe(3)
    // 100 px is half the range, 18 dB; fine mode makes the same 100 px worth 1.8 dB.
    expect(dragValue(gain, -6, DRAG_RANGE_PX / 2, true)).toBeCloseTo(-6 + 18 / FINE_FACTOR, 9)
    // A fine drag on a log knob moves by a ratio, not by Hz: the same 20 px is the same interval anywhere.
    const low = dragValue(cutoff, 100, 20, true) / 100
    const high = dragValue(cutoff, 5_000, 20, true) / 5_000
    expect(low).toBeCloseTo(high, 3)
    expect(low).toBeGreaterThan(1)
  })

  it('steps by a hundredth of the travel per arrow key or wheel notch, a thousandth in fine mode', () => {
    expect(stepValue(gain, 0, 1, false)).toBeCloseTo(0.36, 9)
    expect(stepValue(gain, 0, -1, true)).toBeCloseTo(-0.036, 9)
    expect(stepValue(cutoff, 1_000, 10, false)).toBeGreaterThan(1_000)
    expect(positionOf(cutoff, stepValue(cutoff, 1_000, 10, false)) - positionOf(cutoff, 1_000)).toBeCloseTo(
      0.1,
      4,
    )
  })

  it('never writes float noise into the song', () => {
    const v = dragValue(cutoff, 1_000, 37, false)
    expect(String(v).length).toBeLessThanOrEqual(8)
  })
})

describe('values in real units', () => {
  it('shows Hz and kHz, signed dB, ms and s, percent and ratios', () => {
    expect(formatValue(cutoff, 440)).toBe('440 Hz')
    expect(formatValue(cutoff, 2_500)).toBe('2.5 kHz')
    expect(formatValue(cutoff, 12_345)).toBe('12.3 kHz')
    expect(formatValue(cutoff, 20)).toBe('20 Hz')
    expect(formatValue(gain, 3)).toBe('+3 dB')
    expect(formatValue(gain, -4.25)).toBe('-4.3 dB')
    expect(formatValue(gain, 0)).toBe('0 dB')
    expect(formatValue(gain, -0.01)).toBe('0 dB')
    expect(formatValue(release, 250)).toBe('250 ms')
    expect(formatValue(release, 1_000)).toBe('1 s')
    expect(formatValue(numeric('compressor', 'attack'), 0.5)).toBe('0.5 ms')
    expect(formatValue(decay, 2)).toBe('2 s')
    expect(formatValue(decay, 0.25)).toBe('250 ms')
    expect(formatValue(mix, 30)).toBe('30%')
    expect(formatValue(mix, 2.5)).toBe('2.5%')
    expect(formatValue(ratio, 4)).toBe('4:1')
    expect(formatValue(numeric('filter', 'resonance'), 0.7)).toBe('0.7 Q')
  })

  it('reads what a musician types, in the parameter’s unit or a related one', () => {
    expect(parseValue(cutoff, '2.5k')).toBe(2_500)
    expect(parseValue(cutoff, '2.5 kHz')).toBe(2_500)
    expect(parseValue(cutoff, '440 Hz')).toBe(440)
    expect(parseValue(cutoff, ' 800 ')).toBe(800)
    expect(parseValue(gain, '-3 dB')).toBe(-3)
    expect(parseValue(gain, '−6')).toBe(-6)
    expect(parseValue(gain, '+2,5')).toBe(2.5)
    expect(parseValue(release, '0.8 s')).toBe(800)
    expect(parseValue(release, '1.2 s')).toBe(1_000)
    expect(parseValue(release, '80ms')).toBe(80)
    expect(parseValue(decay, '500 ms')).toBe(0.5)
    expect(parseValue(ratio, '4:1')).toBe(4)
    expect(parseValue(mix, '45%')).toBe(45)
  })

  it('clamps typed values to the range and refuses what is not a value in a known unit', () => {
    expect(parseValue(cutoff, '30 kHz')).toBe(20_000)
    expect(parseValue(gain, '-99')).toBe(-24)
    expect(parseValue(cutoff, 'loud')).toBeNull()
    expect(parseValue(cutoff, '3 dB')).toBeNull()
    expect(parseValue(gain, '')).toBeNull()
  })

  it('round-trips what it shows', () => {
    for (const [spec, value] of [
      [cutoff, 2_500],
      [gain, -4.5],
      [release, 1_000],
      [release, 80],
      [ratio, 4],
      [mix, 30],
      [decay, 0.25],
    ] as const)
      expect(parseValue(spec, formatValue(spec, value))).toBe(value)
  })
})
