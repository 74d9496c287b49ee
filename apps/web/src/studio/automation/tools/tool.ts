import type { AutomationPoint, UserOrigin } from '@ensemble/core'
import type * as Y from 'yjs'
import type { PointerTool } from '../../pointer-tool/pointer-tool'
import type { LaneGeometry } from '../lane-geometry'
import type { LaneTarget } from '../lane-targets'

/** A pointer event in lane terms: pixels in the lane, and the tick and value under them (unsnapped). */
export interface LanePointer {
  readonly x: number
  readonly y: number
  readonly tick: number
  readonly value: number
  readonly shift: boolean
  /** Alt places and moves points freely, off the grid. */
  readonly alt: boolean
  readonly mod: boolean
}

/** What a drag in progress shows before anything is written. */
export type LanePreview =
  | { readonly kind: 'draw'; readonly tick: number; readonly value: number }
  | {
      readonly kind: 'move'
      readonly pointIds: readonly string[]
      readonly deltaTicks: number
      /** In pixels: the value moves by the same height on the lane's own scale (octaves on a log lane). */
      readonly deltaY: number
    }
  | {
      readonly kind: 'box'
      readonly x0: number
      readonly y0: number
      readonly x1: number
      readonly y1: number
    }

/**
 * What a lane tool may touch: song writes go through core's automation operations with `me` (so they are
 * co-edited and undo per user); selection and preview through these callbacks.
 */
export interface LaneToolContext {
  readonly doc: Y.Doc
  readonly me: UserOrigin
  readonly readOnly: boolean
  target(): LaneTarget
  /** The lane's points, sorted by tick. */
  points(): readonly AutomationPoint[]
  geometry(): LaneGeometry
  /** Snaps a song tick to the nearest grid line (a whole tick with snapping off). */
  snap(tick: number): number
  selection(): readonly string[]
  select(pointIds: readonly string[]): void
  setPreview(preview: LanePreview | null): void
  run(write: () => void): void
}

/** An automation-lane tool: the piano roll's tool model (PointerTool) on breakpoints. */
export type LaneTool = PointerTool<LanePointer, LaneToolContext>
