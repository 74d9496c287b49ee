import { resizeNotes } from '@ensemble/core'
import { MIN_NOTE_TICKS } from './move'
import type { RollPointer, ToolContext } from './tool'

/**
 * Dragging a note's right edge: every selected note grows or shrinks by the same amount, so the grabbed
 * note's end lands on the grid. One resizeNotes on release.
 */
export interface ResizeDrag {
  readonly noteIds: readonly string[]
  /** The grabbed note's end, relative to the clip. */
  readonly grabEnd: number
  readonly grabTick: number
  readonly shortest: number
  deltaDuration: number
}

export function beginResize(
  p: RollPointer,
  ctx: ToolContext,
  noteIds: readonly string[],
  grabbedId: string,
): ResizeDrag {
  const notes = (ctx.clip()?.notes ?? []).filter((n) => noteIds.includes(n.id))
  const grabbed = notes.find((n) => n.id === grabbedId)!
  return {
    noteIds,
    grabEnd: grabbed.start + grabbed.duration,
    grabTick: p.tick,
    shortest: Math.min(...notes.map((n) => n.duration)),
    deltaDuration: 0,
  }
}

export function dragResize(drag: ResizeDrag, p: RollPointer, ctx: ToolContext): void {
  const end = p.mod ? drag.grabEnd + p.tick - drag.grabTick : ctx.snap(drag.grabEnd + p.tick - drag.grabTick)
  drag.deltaDuration = Math.max(MIN_NOTE_TICKS - drag.shortest, Math.round(end - drag.grabEnd))
  ctx.setPreview({ kind: 'resize', noteIds: drag.noteIds, deltaDuration: drag.deltaDuration })
}

export function finishResize(drag: ResizeDrag, ctx: ToolContext): void {
  ctx.setPreview(null)
  if (drag.deltaDuration === 0) return
  ctx.run(() =>
    resizeNotes(ctx.doc, ctx.me, ctx.trackId, ctx.clipId, drag.noteIds, {
      deltaDuration: drag.deltaDuration,
    }),
  )
}
