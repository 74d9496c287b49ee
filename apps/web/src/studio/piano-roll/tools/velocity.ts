import { updateNotes } from '@ensemble/core'
import { velocityAt, xOf } from '../roll-geometry'
import type { RollPointer, RollTool, ToolContext } from './tool'

type VelocityState =
  | { readonly name: 'idle' }
  | { readonly name: 'painting'; readonly values: Map<string, number> }

/**
 * Velocity: drag across the velocity lane to paint the stems under the pointer to its height (only the
 * selected notes when there is a selection). One updateNotes on release.
 */
export function createVelocityTool(): RollTool {
  let s: VelocityState = { name: 'idle' }

  const paint = (values: Map<string, number>, p: RollPointer, ctx: ToolContext) => {
    const g = ctx.geometry()
    const selected = ctx.selection()
    const velocity = velocityAt(g, p.y)
    for (const n of ctx.clip()?.notes ?? []) {
      if (selected.length > 0 && !selected.includes(n.id)) continue
      const x = xOf(g, n.start)
      if (Math.abs(x - p.x) <= 5) values.set(n.id, velocity)
    }
    ctx.setPreview({ kind: 'velocity', values })
  }

  return {
    id: 'velocity',
    get state() {
      return s.name
    },
    down(p, ctx) {
      if (ctx.readOnly) return
      s = { name: 'painting', values: new Map() }
      paint(s.values, p, ctx)
    },
    move(p, ctx) {
      if (s.name === 'painting') paint(s.values, p, ctx)
    },
    up(_p, ctx) {
      const was = s
      s = { name: 'idle' }
      ctx.setPreview(null)
      if (was.name !== 'painting' || was.values.size === 0) return
      const present = new Set((ctx.clip()?.notes ?? []).map((n) => n.id))
      const patches = [...was.values]
        .filter(([id]) => present.has(id))
        .map(([id, velocity]) => ({ id, velocity }))
      if (patches.length > 0) ctx.run(() => updateNotes(ctx.doc, ctx.me, ctx.trackId, ctx.clipId, patches))
    },
    cancel(ctx) {
      s = { name: 'idle' }
      ctx.setPreview(null)
    },
    cursor: () => 'ns-resize',
  }
}
