import { addNote, DEFAULT_VELOCITY, deleteNotes } from '@ensemble/core'
import { hitNote } from '../roll-geometry'
import { beginMove, dragMove, finishMove, MIN_NOTE_TICKS, type MoveDrag } from './move'
import { beginResize, dragResize, finishResize, type ResizeDrag } from './resize'
import type { RollTool } from './tool'

type DrawState =
  | { readonly name: 'idle' }
  | { readonly name: 'drawing'; readonly pitch: number; readonly start: number; duration: number }
  | { readonly name: 'moving'; readonly drag: MoveDrag; readonly hitId: string }
  | { readonly name: 'resizing'; readonly drag: ResizeDrag }

/**
 * The pencil: press on empty grid to place a note a grid step long, drag right to lengthen it. On a note:
 * drag moves it, its right edge resizes it, a click without dragging deletes it (as Ableton's draw mode).
 */
export function createDrawTool(): RollTool {
  let s: DrawState = { name: 'idle' }
  let lastVelocity = DEFAULT_VELOCITY
  return {
    id: 'draw',
    get state() {
      return s.name
    },
    down(p, ctx) {
      if (ctx.readOnly) return
      const clip = ctx.clip()
      if (!clip) return
      const hit = hitNote(ctx.geometry(), clip.notes, p.x, p.y)
      if (hit) {
        lastVelocity = hit.note.velocity
        const ids = ctx.selection().includes(hit.note.id) ? ctx.selection() : [hit.note.id]
        ctx.select(ids)
        s =
          hit.part === 'end'
            ? { name: 'resizing', drag: beginResize(p, ctx, ids, hit.note.id) }
            : { name: 'moving', drag: beginMove(p, ctx, ids, hit.note.start), hitId: hit.note.id }
        return
      }
      const start = Math.max(0, ctx.floor(p.tick))
      s = { name: 'drawing', pitch: p.pitch, start, duration: ctx.grid() }
      ctx.audition(p.pitch, lastVelocity)
      ctx.setPreview({ kind: 'draw', pitch: p.pitch, start, duration: ctx.grid() })
    },
    move(p, ctx) {
      if (s.name === 'drawing') {
        const end = p.mod ? p.tick : ctx.snap(p.tick)
        s.duration = Math.max(p.mod ? MIN_NOTE_TICKS : ctx.grid(), Math.round(end - s.start))
        ctx.setPreview({ kind: 'draw', pitch: s.pitch, start: s.start, duration: s.duration })
      } else if (s.name === 'moving') dragMove(s.drag, p, ctx)
      else if (s.name === 'resizing') dragResize(s.drag, p, ctx)
    },
    up(p, ctx) {
      const was = s
      s = { name: 'idle' }
      if (was.name === 'drawing') {
        ctx.setPreview(null)
        ctx.run(() => {
          const id = addNote(ctx.doc, ctx.me, ctx.trackId, ctx.clipId, {
            pitch: was.pitch,
            start: was.start,
            duration: was.duration,
            velocity: lastVelocity,
          })
          ctx.select([id])
        })
      } else if (was.name === 'moving') {
        if (was.drag.state === 'pressed' && !p.shift) {
          ctx.setPreview(null)
          ctx.run(() => deleteNotes(ctx.doc, ctx.me, ctx.trackId, ctx.clipId, [was.hitId]))
          ctx.select([])
        } else finishMove(was.drag, p, ctx)
      } else if (was.name === 'resizing') finishResize(was.drag, ctx)
    },
    cancel(ctx) {
      s = { name: 'idle' }
      ctx.setPreview(null)
    },
    cursor(p, ctx) {
      if (s.name === 'resizing') return 'ew-resize'
      if (s.name === 'moving') return 'grabbing'
      const hit = hitNote(ctx.geometry(), ctx.clip()?.notes ?? [], p.x, p.y)
      if (!hit) return 'crosshair'
      return hit.part === 'end' ? 'ew-resize' : 'pointer'
    },
  }
}
