import { PPQ } from '@ensemble/core'

/** Tick <-> pixel conversion for a horizontal zoom level, and snapping to the grid. */
export interface TimelineScale {
  readonly pxPerQuarter: number
  readonly snap: number
}

export const tickToPx = (scale: TimelineScale, tick: number): number => (tick / PPQ) * scale.pxPerQuarter

export const pxToTick = (scale: TimelineScale, px: number): number => (px / scale.pxPerQuarter) * PPQ

/** Rounds to the nearest grid line; with snapping off, to a whole tick. */
export const snapTick = (snap: number, tick: number): number =>
  snap > 0 ? Math.round(tick / snap) * snap : Math.round(tick)

/** Rounds down to the grid line at or before the tick (where a click "lands"). */
export const floorTick = (snap: number, tick: number): number =>
  snap > 0 ? Math.floor(tick / snap) * snap : Math.floor(tick)
