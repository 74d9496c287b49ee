import { duplicateNotes, moveNotes, PPQ } from '@ensemble/core'
import type { RollPointer, ToolContext } from './tool'

/**
 * Dragging selected notes: idle -> pressed (not yet moved past the threshold) -> dragging. Time snaps by
 * the grid relative to the grabbed note's start, pitch by semitones; Alt on release copies instead.
 */
export interface MoveDrag {
  state: 'pressed' | 'dragging'
  readonly noteIds: readonly string[]
  readonly grabTick: number
  readonly grabPitch: number
  readonly anchorStart: number
  readonly minStart: number
  readonly minPitch: number
  readonly maxPitch: number
  readonly x: number
  readonly y: number
  deltaTicks: number
  deltaPitch: number
}

const THRESHOLD_PX = 3

export function beginMove(
  p: RollPointer,
  ctx: ToolContext,
  noteIds: readonly string[],
  anchorStart: number,
): MoveDrag {
  const notes = (ctx.clip()?.notes ?? []).filter((n) => noteIds.includes(n.id))
  return {
    state: 'pressed',
    noteIds,
    grabTick: p.tick,
    grabPitch: p.pitch,
    anchorStart,
    minStart: Math.min(...notes.map((n) => n.start)),
    minPitch: Math.min(...notes.map((n) => n.pitch)),
    maxPitch: Math.max(...notes.map((n) => n.pitch)),
    x: p.x,
    y: p.y,
    deltaTicks: 0,
    deltaPitch: 0,
  }
}

export function dragMove(drag: MoveDrag, p: RollPointer, ctx: ToolContext): void {
  if (drag.state === 'pressed' && Math.hypot(p.x - drag.x, p.y - drag.y) < THRESHOLD_PX) return
  drag.state = 'dragging'
  // Snap where the grabbed note lands, not the raw offset, so notes off the grid move onto it.
  const target = p.mod
    ? drag.anchorStart + (p.tick - drag.grabTick)
    : ctx.snap(drag.anchorStart + p.tick - drag.grabTick)
  drag.deltaTicks = Math.max(-drag.minStart, Math.round(target - drag.anchorStart))
  const dp = p.pitch - drag.grabPitch
  drag.deltaPitch = Math.max(-drag.minPitch, Math.min(127 - drag.maxPitch, dp))
  ctx.setPreview({
    kind: 'move',
    noteIds: drag.noteIds,
    deltaTicks: drag.deltaTicks,
    deltaPitch: drag.deltaPitch,
    copy: p.alt,
  })
}

export function finishMove(drag: MoveDrag, p: RollPointer, ctx: ToolContext): void {
  ctx.setPreview(null)
  if (drag.state !== 'dragging' || (drag.deltaTicks === 0 && drag.deltaPitch === 0)) return
  const delta = { deltaTicks: drag.deltaTicks, deltaPitch: drag.deltaPitch }
  ctx.run(() => {
    if (p.alt) ctx.select(duplicateNotes(ctx.doc, ctx.me, ctx.trackId, ctx.clipId, drag.noteIds, delta))
    else moveNotes(ctx.doc, ctx.me, ctx.trackId, ctx.clipId, drag.noteIds, delta)
  })
}

/** Notes shorter than this cannot be drawn or resized to: a 64th. */
export const MIN_NOTE_TICKS = PPQ / 16
