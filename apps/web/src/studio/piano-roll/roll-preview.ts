import type { BoxPreview } from '../pointer-tool/pointer-tool'

/**
 * What a tool shows while the pointer is down, before anything is written: the renderer draws the notes
 * as they would be, and the tool commits one operation on release.
 */
export type RollPreview =
  | {
      readonly kind: 'move'
      readonly noteIds: readonly string[]
      readonly deltaTicks: number
      readonly deltaPitch: number
      readonly copy: boolean
    }
  | { readonly kind: 'resize'; readonly noteIds: readonly string[]; readonly deltaDuration: number }
  | { readonly kind: 'draw'; readonly pitch: number; readonly start: number; readonly duration: number }
  | BoxPreview
  | { readonly kind: 'velocity'; readonly values: ReadonlyMap<string, number> }
