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
  | {
      readonly kind: 'box'
      readonly x0: number
      readonly y0: number
      readonly x1: number
      readonly y1: number
    }
  | { readonly kind: 'velocity'; readonly values: ReadonlyMap<string, number> }
