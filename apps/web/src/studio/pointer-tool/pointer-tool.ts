/**
 * An editing tool of the piano roll or an automation lane: a small state machine that turns pointer
 * down/move/up into a preview and, on release, one song operation (one undo step). `state` is exposed for
 * tests and the cursor. `P` is the pointer in the editor's terms, `C` what the tool may touch.
 */
export interface PointerTool<P, C> {
  readonly id: string
  readonly state: string
  down(p: P, ctx: C): void
  move(p: P, ctx: C): void
  up(p: P, ctx: C): void
  cancel(ctx: C): void
  cursor(p: P, ctx: C): string
}

/** A selection box being dragged, in the editor's pixels (corner where it started, corner under the pointer). */
export interface BoxPreview {
  readonly kind: 'box'
  readonly x0: number
  readonly y0: number
  readonly x1: number
  readonly y1: number
}
