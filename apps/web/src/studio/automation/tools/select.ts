import { boxedPoints, hitPoint } from '../lane-geometry'
import { beginPointDrag, dragPoints, finishPointDrag, type PointDrag } from './move'
import type { LaneTool } from './tool'

type SelectState =
  | { readonly name: 'idle' }
  | { readonly name: 'boxing'; readonly x0: number; readonly y0: number; readonly base: readonly string[] }
  | { readonly name: 'moving'; readonly drag: PointDrag }

/**
 * The arrow: click a point to select it (Shift toggles), drag points to move them, drag on the empty lane to
 * box-select (Shift adds to the selection). Viewers can select, never move.
 */
export function createLaneSelectTool(): LaneTool {
  let s: SelectState = { name: 'idle' }
  return {
    id: 'select',
    get state() {
      return s.name
    },
    down(p, ctx) {
      const hit = hitPoint(ctx.geometry(), ctx.target(), ctx.points(), p.x, p.y)
      if (!hit) {
        const base = p.shift ? ctx.selection() : []
        if (!p.shift) ctx.select([])
        s = { name: 'boxing', x0: p.x, y0: p.y, base }
        return
      }
      const selected = ctx.selection()
      const already = selected.includes(hit.id)
      if (p.shift) {
        ctx.select(already ? selected.filter((id) => id !== hit.id) : [...selected, hit.id])
        return
      }
      const ids = already ? selected : [hit.id]
      ctx.select(ids)
      if (ctx.readOnly) return
      s = { name: 'moving', drag: beginPointDrag(p, ctx, ids, hit.tick) }
    },
    move(p, ctx) {
      if (s.name === 'boxing') {
        const box = { x0: s.x0, y0: s.y0, x1: p.x, y1: p.y }
        ctx.setPreview({ kind: 'box', ...box })
        const inside = boxedPoints(ctx.geometry(), ctx.target(), ctx.points(), box)
        ctx.select([...new Set([...s.base, ...inside])])
      } else if (s.name === 'moving') dragPoints(s.drag, p, ctx)
    },
    up(_p, ctx) {
      const was = s
      s = { name: 'idle' }
      if (was.name === 'boxing') ctx.setPreview(null)
      else if (was.name === 'moving') finishPointDrag(was.drag, ctx)
    },
    cancel(ctx) {
      s = { name: 'idle' }
      ctx.setPreview(null)
    },
    cursor(p, ctx) {
      if (s.name === 'moving') return 'grabbing'
      return hitPoint(ctx.geometry(), ctx.target(), ctx.points(), p.x, p.y) ? 'grab' : 'default'
    },
  }
}
