import { type Note, PPQ } from '@ensemble/core'

/**
 * Where things are on the piano-roll canvas. Ticks are relative to the clip start (as notes store them);
 * the canvas has a ruler on top, a keyboard on the left and the velocity lane at the bottom.
 */
export interface RollGeometry {
  readonly width: number
  readonly height: number
  readonly pxPerQuarter: number
  readonly scrollTick: number
  readonly topPitch: number
  readonly rowHeight: number
}

export const KEYS_WIDTH = 56
export const RULER_HEIGHT = 22
export const VELOCITY_HEIGHT = 76
export const EDGE_GRAB_PX = 6

export const gridBottom = (g: RollGeometry): number => g.height - VELOCITY_HEIGHT

export const xOf = (g: RollGeometry, tick: number): number =>
  KEYS_WIDTH + ((tick - g.scrollTick) / PPQ) * g.pxPerQuarter

export const tickAt = (g: RollGeometry, x: number): number =>
  g.scrollTick + ((x - KEYS_WIDTH) / g.pxPerQuarter) * PPQ

/** Top edge of a pitch's row. */
export const yOf = (g: RollGeometry, pitch: number): number =>
  RULER_HEIGHT + (g.topPitch - pitch) * g.rowHeight

export const pitchAt = (g: RollGeometry, y: number): number =>
  Math.max(0, Math.min(127, g.topPitch - Math.floor((y - RULER_HEIGHT) / g.rowHeight)))

export type Zone = 'ruler' | 'keys' | 'grid' | 'velocity'

export function zoneAt(g: RollGeometry, x: number, y: number): Zone {
  if (y < RULER_HEIGHT) return 'ruler'
  if (y >= gridBottom(g)) return 'velocity'
  if (x < KEYS_WIDTH) return 'keys'
  return 'grid'
}

export interface NoteHit {
  readonly note: Note
  /** 'end': the right edge, where a drag resizes. */
  readonly part: 'body' | 'end'
}

/** The topmost note under a point (later notes draw on top, so search from the end). */
export function hitNote(g: RollGeometry, notes: readonly Note[], x: number, y: number): NoteHit | null {
  const pitch = pitchAt(g, y)
  for (let i = notes.length - 1; i >= 0; i--) {
    const n = notes[i]!
    if (n.pitch !== pitch) continue
    const x0 = xOf(g, n.start)
    const x1 = xOf(g, n.start + n.duration)
    if (x < x0 || x > x1 + 1) continue
    const grab = Math.min(EDGE_GRAB_PX, (x1 - x0) / 3)
    return { note: n, part: x >= x1 - grab ? 'end' : 'body' }
  }
  return null
}

/** The velocity stem of a note in the lane, for hits and drawing. */
export const velocityTop = (g: RollGeometry, velocity: number): number =>
  g.height - 6 - (velocity / 127) * (VELOCITY_HEIGHT - 14)

export const velocityAt = (g: RollGeometry, y: number): number =>
  Math.max(1, Math.min(127, Math.round(((g.height - 6 - y) / (VELOCITY_HEIGHT - 14)) * 127)))
