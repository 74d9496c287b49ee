/*
 * The value of an automation lane at a tick: pure, shared by the snapshot's users, the graph description and
 * the tests, so the engine, the render and the arrangement's drawing agree on one curve.
 *
 * A point's `curve` shapes the segment from it to the next point: `linear` (a straight line in the target's
 * units), `exponential` (geometric between two values of one sign, the natural shape for frequencies and
 * times; between values of different sign or zero, where no geometric curve exists, the same convex shape
 * e^(4t)), `step` (holds until the next point). Before the first point the lane holds the first value,
 * after the last the last value.
 */
import type { AutomationCurve } from './schema'

export interface CurvePoint {
  readonly tick: number
  readonly value: number
  readonly curve: AutomationCurve
}

const CONVEX = 4

/** The value a fraction `t` (0..1) of the way along a segment from `a` to `b`. */
export const segmentValue = (a: number, b: number, t: number, curve: AutomationCurve): number => {
  if (curve === 'step') return t < 1 ? a : b
  if (curve === 'linear' || a === b) return a + (b - a) * t
  if ((a > 0 && b > 0) || (a < 0 && b < 0)) return a * (b / a) ** t
  return a + ((b - a) * (Math.exp(CONVEX * t) - 1)) / (Math.exp(CONVEX) - 1)
}

/** The lane's value at `tick`; `points` sorted by tick. Undefined for a lane without points. */
export const automationValueAt = (points: readonly CurvePoint[], tick: number): number | undefined => {
  if (points.length === 0) return undefined
  const first = points[0]!
  if (tick <= first.tick) return first.value
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i]!
    const b = points[i + 1]!
    if (tick < b.tick) return segmentValue(a.value, b.value, (tick - a.tick) / (b.tick - a.tick), a.curve)
  }
  return points[points.length - 1]!.value
}
