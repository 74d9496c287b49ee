import { hitNote, pitchAt, tickAt } from '../roll-geometry'
import { beginMove, dragMove, finishMove, type MoveDrag } from './move'
import { beginResize, dragResize, finishResize, type ResizeDrag } from './resize'
import type { RollPointer, RollTool, ToolContext } from './tool'

type SelectState =
  | { readonly name: 'idle' }
  | { readonly name: 'boxing'; readonly x0: number; readonly y0: number; readonly base: readonly string[] }
  | { readonly name: 'moving'; readonly drag: MoveDrag }
  | { readonly name: 'resizing'; readonly drag: ResizeDrag }

/**
 * The arrow: click a note to select it (Shift toggles), drag notes to move them (Alt copies), drag a right
 * edge to resize, drag on empty grid to box-select (Shift adds to the selection).
 */
export function createSelectTool(): RollTool {
  let s: SelectState = { name: 'idle' }

  const boxed = (ctx: ToolContext, x0: number, y0: number, x1: number, y1: number): string[] => {
    const g = ctx.geometry()
    const t0 = tickAt(g, Math.min(x0, x1))
    const t1 = tickAt(g, Math.max(x0, x1))
    const pHi = pitchAt(g, Math.min(y0, y1))
    const pLo = pitchAt(g, Math.max(y0, y1))
    return (ctx.clip()?.notes ?? [])
      .filter((n) => n.pitch >= pLo && n.pitch <= pHi && n.start < t1 && n.start + n.duration > t0)
      .map((n) => n.id)
  }

  return {
    id: 'select',
    get state() {
      return s.name
    },
    down(p, ctx) {
      const clip = ctx.clip()
      if (!clip) return
      const hit = hitNote(ctx.geometry(), clip.notes, p.x, p.y)
      if (!hit) {
        const base = p.shift ? ctx.selection() : []
        if (!p.shift) ctx.select([])
        s = { name: 'boxing', x0: p.x, y0: p.y, base }
        return
      }
      ctx.audition(hit.note.pitch, hit.note.velocity)
      const selected = ctx.selection()
      const already = selected.includes(hit.note.id)
      if (p.shift) {
        ctx.select(already ? selected.filter((id) => id !== hit.note.id) : [...selected, hit.note.id])
        return
      }
      const ids = already ? selected : [hit.note.id]
      ctx.select(ids)
      if (ctx.readOnly) return
      s =
        hit.part === 'end'
          ? { name: 'resizing', drag: beginResize(p, ctx, ids, hit.note.id) }
          : { name: 'moving', drag: beginMove(p, ctx, ids, hit.note.start) }
    },
    move(p, ctx) {
      if (s.name === 'boxing') {
        ctx.setPreview({ kind: 'box', x0: s.x0, y0: s.y0, x1: p.x, y1: p.y })
        const inside = boxed(ctx, s.x0, s.y0, p.x, p.y)
        ctx.select([...new Set([...s.base, ...inside])])
      } else if (s.name === 'moving') dragMove(s.drag, p, ctx)
      else if (s.name === 'resizing') dragResize(s.drag, p, ctx)
    },
    up(p: RollPointer, ctx) {
      const was = s
      s = { name: 'idle' }
      if (was.name === 'boxing') ctx.setPreview(null)
      else if (was.name === 'moving') finishMove(was.drag, p, ctx)
      else if (was.name === 'resizing') finishResize(was.drag, ctx)
    },
    cancel(ctx) {
      s = { name: 'idle' }
      ctx.setPreview(null)
    },
    cursor(p, ctx) {
      if (s.name === 'moving') return 'grabbing'
      if (s.name === 'resizing') return 'ew-resize'
      const hit = hitNote(ctx.geometry(), ctx.clip()?.notes ?? [], p.x, p.y)
      if (!hit) return 'default'
      return hit.part === 'end' ? 'ew-resize' : 'grab'
    },
  }
}
