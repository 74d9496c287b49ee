import { addAutomationPoints, deleteAutomationPoints } from '@ensemble/core'
import { hitPoint, yToValue } from '../lane-geometry'
import { beginPointDrag, dragPoints, finishPointDrag, type PointDrag } from './move'
import type { LanePointer, LaneTool, LaneToolContext } from './tool'

type DrawState =
  | { readonly name: 'idle' }
  | { readonly name: 'drawing'; tick: number; value: number }
  | { readonly name: 'moving'; readonly drag: PointDrag; readonly hitId: string }

/** Where a new point goes: on the grid (Alt: anywhere), at the pointer's value. */
const placed = (p: LanePointer, ctx: LaneToolContext) => ({
  tick: Math.max(0, p.alt || p.mod ? Math.round(p.tick) : ctx.snap(p.tick)),
  value: yToValue(ctx.geometry(), ctx.target(), p.y),
})

/**
 * The pencil: press on the lane to place a breakpoint (drag to adjust it before it lands); on a point, drag
 * moves it (with the selection), a click without dragging deletes it, as the piano roll's draw tool.
 */
export function createLaneDrawTool(): LaneTool {
  let s: DrawState = { name: 'idle' }
  return {
    id: 'draw',
    get state() {
      return s.name
    },
    down(p, ctx) {
      if (ctx.readOnly) return
      const hit = hitPoint(ctx.geometry(), ctx.target(), ctx.points(), p.x, p.y)
      if (hit) {
        const ids = ctx.selection().includes(hit.id) ? ctx.selection() : [hit.id]
        ctx.select(ids)
        s = { name: 'moving', drag: beginPointDrag(p, ctx, ids, hit.tick), hitId: hit.id }
        return
      }
      s = { name: 'drawing', ...placed(p, ctx) }
      ctx.setPreview({ kind: 'draw', tick: s.tick, value: s.value })
    },
    move(p, ctx) {
      if (s.name === 'drawing') {
        Object.assign(s, placed(p, ctx))
        ctx.setPreview({ kind: 'draw', tick: s.tick, value: s.value })
      } else if (s.name === 'moving') dragPoints(s.drag, p, ctx)
    },
    up(p, ctx) {
      const was = s
      s = { name: 'idle' }
      if (was.name === 'drawing') {
        ctx.setPreview(null)
        // A new point takes the curve of the segment it lands in, so adding a point keeps the lane's shape.
        const before = [...ctx.points()].reverse().find((q) => q.tick <= was.tick)
        ctx.run(() => {
          const [id] = addAutomationPoints(ctx.doc, ctx.me, ctx.target().target, [
            { tick: was.tick, value: was.value, curve: before?.curve ?? 'linear' },
          ])
          ctx.select(id === undefined ? [] : [id])
        })
      } else if (was.name === 'moving') {
        if (was.drag.state === 'pressed' && !p.shift) {
          ctx.setPreview(null)
          ctx.run(() => deleteAutomationPoints(ctx.doc, ctx.me, [was.hitId]))
          ctx.select(ctx.selection().filter((id) => id !== was.hitId))
        } else finishPointDrag(was.drag, ctx)
      }
    },
    cancel(ctx) {
      s = { name: 'idle' }
      ctx.setPreview(null)
    },
    cursor(p, ctx) {
      if (s.name === 'moving') return 'grabbing'
      if (ctx.readOnly) return 'default'
      return hitPoint(ctx.geometry(), ctx.target(), ctx.points(), p.x, p.y) ? 'pointer' : 'crosshair'
    },
  }
}
