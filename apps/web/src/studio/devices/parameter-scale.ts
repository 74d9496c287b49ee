/*
 * How a numeric parameter travels under a control and reads in words: positions along the parameter's curve
 * (core's toControl / fromControl, so a log Hz knob gives each octave the same travel), drags and key steps
 * with a fine mode, and values shown and typed in real units ("2.5 kHz", "-3 dB", "1.2 s", "4:1"). Pure, so
 * the knob, the tests and any other panel share one definition of what a pixel or an arrow key is worth.
 */
import { fromControl, type ParameterSpec, toControl } from '@ensemble/core/plugin'

export type NumericSpec = Extract<ParameterSpec, { type: 'float' | 'int' }>

/** Pixels of vertical drag for the whole range; fine mode (Shift) needs ten times as many. */
export const DRAG_RANGE_PX = 200
export const FINE_FACTOR = 10
/** One arrow key or wheel notch: a hundredth of the travel, a thousandth in fine mode. */
export const KEY_STEP = 0.01

export const isNumeric = (spec: ParameterSpec): spec is NumericSpec =>
  spec.type === 'float' || spec.type === 'int'

const clamp = (spec: NumericSpec, value: number): number => Math.min(spec.max, Math.max(spec.min, value))

/** A value the song accepts: inside the range, on the declared step when there is one. */
export const snapValue = (spec: NumericSpec, value: number): number => {
  let v = clamp(spec, value)
  if (spec.step !== undefined) v = clamp(spec, spec.min + Math.round((v - spec.min) / spec.step) * spec.step)
  if (spec.type === 'int') return Math.round(v)
  // Enough digits that a knob never writes noise like 1000.0000000002 into the song.
  return Number(v.toPrecision(6))
}

export const positionOf = (spec: NumericSpec, value: number): number => toControl(spec, value)

export const valueAt = (spec: NumericSpec, position: number): number =>
  snapValue(spec, fromControl(spec, position))

/**
 * The value after dragging `dy` pixels upwards (negative is down) from where the drag began, along the
 * curve; `fine` divides the travel by FINE_FACTOR.
 */
export const dragValue = (spec: NumericSpec, startValue: number, dy: number, fine: boolean): number =>
  valueAt(spec, positionOf(spec, startValue) + dy / (DRAG_RANGE_PX * (fine ? FINE_FACTOR : 1)))

/** The value `steps` key presses or wheel notches away (negative is down); int parameters move at least 1. */
export const stepValue = (spec: NumericSpec, value: number, steps: number, fine: boolean): number => {
  const next = valueAt(spec, positionOf(spec, value) + steps * (fine ? KEY_STEP / FINE_FACTOR : KEY_STEP))
  if (spec.type === 'int' && next === value && steps !== 0)
    return clamp(spec, value + Math.sign(steps) * (spec.step ?? 1))
  return next
}

const trim = (n: number, digits: number): string => {
  const text = n.toFixed(digits)
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text
}

/** Three significant figures, which is what a musician reads off a knob. */
const figures = (n: number): string => {
  const abs = Math.abs(n)
  return trim(n, abs >= 100 ? 0 : abs >= 10 ? 1 : 2)
}

/** A value in its units: "440 Hz", "2.5 kHz", "+3 dB", "12 ms", "1.2 s", "30%", "4:1". */
export const formatValue = (spec: NumericSpec, value: number): string => {
  switch (spec.units) {
    case 'Hz':
      return Math.abs(value) >= 1_000 ? `${figures(value / 1_000)} kHz` : `${figures(value)} Hz`
    case 'dB': {
      const text = trim(value, 1)
      return `${value > 0 && text !== '0' ? '+' : ''}${text === '-0' ? '0' : text} dB`
    }
    case 'ms':
      return value >= 1_000 ? `${figures(value / 1_000)} s` : `${figures(value)} ms`
    case 's':
      return value < 1 ? `${figures(value * 1_000)} ms` : `${figures(value)} s`
    case '%':
      return `${trim(value, Math.abs(value) < 10 ? 1 : 0)}%`
    case ':1':
      return `${figures(value)}:1`
    case undefined:
      return figures(value)
    default:
      return `${figures(value)} ${spec.units}`
  }
}

/** Unit words a musician may type, as a factor onto the parameter's own unit. */
const SCALES: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  Hz: { hz: 1, k: 1_000, khz: 1_000 },
  ms: { ms: 1, s: 1_000, sec: 1_000 },
  s: { s: 1, sec: 1, ms: 0.001 },
  dB: { db: 1 },
  '%': { '%': 1 },
  ':1': { ':1': 1 },
}

/**
 * What someone typed, in the parameter's units: "2.5k" or "2500 Hz" for a cutoff, "-3" or "-3 dB", "1.2 s"
 * for a release in ms, "4:1" for a ratio. Out of range is clamped (typing 30 kHz means "all the way up");
 * null when it is not a number in a unit this parameter knows.
 */
export const parseValue = (spec: NumericSpec, text: string): number | null => {
  const match = /^\s*([-+]?\d*[.,]?\d+)\s*([a-zA-Z%:1]*)\s*$/.exec(text.replace('−', '-'))
  if (match === null) return null
  const n = Number(match[1]!.replace(',', '.'))
  if (!Number.isFinite(n)) return null
  const unit = match[2]!.toLowerCase()
  const own = (spec.units ?? '').toLowerCase()
  let factor: number | undefined
  if (unit === '' || unit === own) factor = 1
  else factor = SCALES[spec.units ?? '']?.[unit]
  if (factor === undefined) return null
  return snapValue(spec, n * factor)
}
