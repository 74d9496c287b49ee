import { type AutomationPoint, PPQ } from '@ensemble/core'
import type { LaneTarget } from './lane-targets'

/** Where an automation lane draws: its size in CSS pixels and the arrangement's zoom (tick 0 at x = 0). */
export interface LaneGeometry {
  readonly width: number
  readonly height: number
  readonly pxPerQuarter: number
}

/** Room above the top value and below the bottom one, so points at the ends can still be grabbed. */
export const LANE_PAD = 6
/** How near (px) a press must be to a point to take it. */
export const HIT_PX = 6

export const tickToX = (g: LaneGeometry, tick: number): number => (tick / PPQ) * g.pxPerQuarter
export const xToTick = (g: LaneGeometry, x: number): number => (x / g.pxPerQuarter) * PPQ

/** 0 at the bottom of the range, 1 at the top; log targets spread evenly per octave. */
export const toUnit = (t: LaneTarget, value: number): number => {
  const v = Math.min(t.max, Math.max(t.min, value))
  return t.scale === 'log' ? Math.log(v / t.min) / Math.log(t.max / t.min) : (v - t.min) / (t.max - t.min)
}

export const fromUnit = (t: LaneTarget, unit: number): number => {
  const u = Math.min(1, Math.max(0, unit))
  return t.scale === 'log' ? t.min * (t.max / t.min) ** u : t.min + u * (t.max - t.min)
}

export const valueToY = (g: LaneGeometry, t: LaneTarget, value: number): number =>
  LANE_PAD + (1 - toUnit(t, value)) * (g.height - 2 * LANE_PAD)

/** The value at a height, clamped to the target's range. */
export const yToValue = (g: LaneGeometry, t: LaneTarget, y: number): number =>
  fromUnit(t, 1 - (y - LANE_PAD) / Math.max(1, g.height - 2 * LANE_PAD))

/** The point under (x, y), nearest first; points drawn later win a tie, as they are drawn on top. */
export const hitPoint = (
  g: LaneGeometry,
  t: LaneTarget,
  points: readonly AutomationPoint[],
  x: number,
  y: number,
): AutomationPoint | undefined => {
  let best: AutomationPoint | undefined
  let bestDistance = HIT_PX
  for (const p of points) {
    const d = Math.hypot(tickToX(g, p.tick) - x, valueToY(g, t, p.value) - y)
    if (d <= bestDistance) {
      best = p
      bestDistance = d
    }
  }
  return best
}

/** The points inside a box drawn on the lane. */
export const boxedPoints = (
  g: LaneGeometry,
  t: LaneTarget,
  points: readonly AutomationPoint[],
  box: { readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number },
): string[] => {
  const [left, right] = [Math.min(box.x0, box.x1), Math.max(box.x0, box.x1)]
  const [top, bottom] = [Math.min(box.y0, box.y1), Math.max(box.y0, box.y1)]
  return points
    .filter((p) => {
      const x = tickToX(g, p.tick)
      const y = valueToY(g, t, p.value)
      return x >= left && x <= right && y >= top && y <= bottom
    })
    .map((p) => p.id)
}
