import { updateAutomationPoints } from '@ensemble/core'
import { valueToY, yToValue } from '../lane-geometry'
import type { LanePointer, LaneToolContext } from './tool'

/**
 * Dragging selected points: pressed (not yet past the threshold) -> dragging. Time snaps by the grid where
 * the grabbed point lands (Alt: free); the value follows the pointer's height on the lane's scale.
 */
export interface PointDrag {
  state: 'pressed' | 'dragging'
  readonly pointIds: readonly string[]
  readonly grabTick: number
  readonly anchorTick: number
  readonly minTick: number
  readonly x: number
  readonly y: number
  deltaTicks: number
  deltaY: number
}

const THRESHOLD_PX = 3

export function beginPointDrag(
  p: LanePointer,
  ctx: LaneToolContext,
  pointIds: readonly string[],
  anchorTick: number,
): PointDrag {
  const ticks = ctx
    .points()
    .filter((q) => pointIds.includes(q.id))
    .map((q) => q.tick)
  return {
    state: 'pressed',
    pointIds,
    grabTick: p.tick,
    anchorTick,
    minTick: Math.min(...ticks),
    x: p.x,
    y: p.y,
    deltaTicks: 0,
    deltaY: 0,
  }
}

export function dragPoints(drag: PointDrag, p: LanePointer, ctx: LaneToolContext): void {
  if (drag.state === 'pressed' && Math.hypot(p.x - drag.x, p.y - drag.y) < THRESHOLD_PX) return
  drag.state = 'dragging'
  const free = p.alt || p.mod
  const landing = drag.anchorTick + p.tick - drag.grabTick
  const target = free ? Math.round(landing) : ctx.snap(landing)
  drag.deltaTicks = Math.max(-drag.minTick, target - drag.anchorTick)
  // Shift holds the time and moves only the value, as a fine vertical adjustment.
  if (p.shift) drag.deltaTicks = 0
  drag.deltaY = p.y - drag.y
  ctx.setPreview({ kind: 'move', pointIds: drag.pointIds, deltaTicks: drag.deltaTicks, deltaY: drag.deltaY })
}

/** Where a point lands after a move of `deltaTicks` and `deltaY` pixels (the value clamped to the range). */
export function movedPoint(
  ctx: LaneToolContext,
  point: { readonly tick: number; readonly value: number },
  deltaTicks: number,
  deltaY: number,
): { tick: number; value: number } {
  const g = ctx.geometry()
  const t = ctx.target()
  return { tick: point.tick + deltaTicks, value: yToValue(g, t, valueToY(g, t, point.value) + deltaY) }
}

export function finishPointDrag(drag: PointDrag, ctx: LaneToolContext): void {
  ctx.setPreview(null)
  if (drag.state !== 'dragging' || (drag.deltaTicks === 0 && drag.deltaY === 0)) return
  const patches = ctx
    .points()
    .filter((q) => drag.pointIds.includes(q.id))
    .map((q) => ({ id: q.id, ...movedPoint(ctx, q, drag.deltaTicks, drag.deltaY) }))
  ctx.run(() => updateAutomationPoints(ctx.doc, ctx.me, patches))
}
