import type { ClipSnapshot, UserOrigin } from '@ensemble/core'
import type * as Y from 'yjs'
import type { PointerTool } from '../../pointer-tool/pointer-tool'
import type { RollGeometry } from '../roll-geometry'
import type { RollPreview } from '../roll-preview'

/** A pointer event in piano-roll terms. */
export interface RollPointer {
  readonly x: number
  readonly y: number
  /** Ticks from the clip start, unsnapped. */
  readonly tick: number
  readonly pitch: number
  readonly shift: boolean
  readonly alt: boolean
  readonly mod: boolean
}

/**
 * What a tool may touch. Song writes go through core operations with `me`; everything else (selection,
 * preview, sound) goes through these callbacks.
 */
export interface ToolContext {
  readonly doc: Y.Doc
  readonly me: UserOrigin
  readonly trackId: string
  readonly clipId: string
  readonly readOnly: boolean
  clip(): ClipSnapshot | undefined
  geometry(): RollGeometry
  /** Snaps a tick (relative to the clip) to the grid, anchored at song tick 0 like quantize. */
  snap(tick: number): number
  /** Rounds a tick down to the grid line at or before it. */
  floor(tick: number): number
  /** The grid step in ticks (a sixteenth when snapping is off). */
  grid(): number
  selection(): readonly string[]
  select(noteIds: readonly string[]): void
  setPreview(preview: RollPreview | null): void
  /** Sounds a pitch on the track's instrument (keyboard preview). */
  audition(pitch: number, velocity: number): void
  run(write: () => void): void
}

/** A piano-roll tool (see PointerTool). */
export type RollTool = PointerTool<RollPointer, ToolContext>
