import { type AutomationPoint, segmentValue } from '@ensemble/core'
import { type LaneGeometry, tickToX, valueToY, xToTick } from './lane-geometry'
import type { LaneTarget } from './lane-targets'
import type { LanePreview } from './tools/tool'

export interface LaneScene {
  readonly geometry: LaneGeometry
  readonly target: LaneTarget
  /** The points as they will be once the drag in progress lands (the preview applied). */
  readonly points: readonly AutomationPoint[]
  readonly selected: ReadonlySet<string>
  readonly preview: LanePreview | null
  readonly colour: string
  /** Only the columns in view are drawn: a long song's lane is wider than any screen. */
  readonly visible: { readonly left: number; readonly right: number }
}

/** The lane's value at `tick`, knowing `points[i]` is the last point at or before it (or the first point). */
const curveValue = (points: readonly AutomationPoint[], i: number, tick: number): number => {
  const a = points[i]!
  const b = points[i + 1]
  if (tick <= a.tick || b === undefined) return a.value
  return segmentValue(a.value, b.value, (tick - a.tick) / (b.tick - a.tick), a.curve)
}

/**
 * Draws a lane on a canvas: the resting value as a dashed line while there are no points, else the curve
 * (sampled per pixel with core's `segmentValue`, the very curve the engine and the render play), then
 * the points, the selected ones ringed, and a box or a pencil point in progress.
 */
export function drawLane(c: CanvasRenderingContext2D, scene: LaneScene): void {
  const { geometry: g, target: t, points, visible } = scene
  c.clearRect(visible.left, 0, visible.right - visible.left, g.height)
  c.strokeStyle = '#2a2f3a'
  c.lineWidth = 1
  c.beginPath()
  c.moveTo(visible.left, valueToY(g, t, t.resting) + 0.5)
  c.lineTo(visible.right, valueToY(g, t, t.resting) + 0.5)
  c.setLineDash([3, 3])
  c.stroke()
  c.setLineDash([])
  if (points.length > 0) {
    c.strokeStyle = scene.colour
    c.lineWidth = 1.5
    c.beginPath()
    // One walk along the points for the whole width (not a search per pixel): lanes may hold thousands.
    let i = 0
    for (let x = Math.floor(visible.left); x <= visible.right; x++) {
      const tick = xToTick(g, x)
      while (i < points.length - 1 && points[i + 1]!.tick <= tick) i++
      const value = curveValue(points, i, tick)
      const y = valueToY(g, t, value)
      if (x === Math.floor(visible.left)) c.moveTo(x, y)
      else c.lineTo(x, y)
    }
    c.stroke()
    c.globalAlpha = 0.12
    c.lineTo(visible.right, g.height)
    c.lineTo(Math.floor(visible.left), g.height)
    c.fillStyle = scene.colour
    c.fill()
    c.globalAlpha = 1
  }
  for (const p of points) {
    const x = tickToX(g, p.tick)
    if (x < visible.left - 8 || x > visible.right + 8) continue
    const y = valueToY(g, t, p.value)
    c.beginPath()
    c.arc(x, y, 3.5, 0, Math.PI * 2)
    c.fillStyle = scene.selected.has(p.id) ? '#ffffff' : scene.colour
    c.fill()
    if (scene.selected.has(p.id)) {
      c.strokeStyle = scene.colour
      c.lineWidth = 2
      c.stroke()
    }
  }
  const preview = scene.preview
  if (preview?.kind === 'box') {
    c.strokeStyle = '#e7e9ee'
    c.lineWidth = 1
    c.setLineDash([4, 3])
    c.strokeRect(
      Math.min(preview.x0, preview.x1) + 0.5,
      Math.min(preview.y0, preview.y1) + 0.5,
      Math.abs(preview.x1 - preview.x0),
      Math.abs(preview.y1 - preview.y0),
    )
    c.setLineDash([])
  } else if (preview?.kind === 'draw') {
    c.beginPath()
    c.arc(tickToX(g, preview.tick), valueToY(g, t, preview.value), 4, 0, Math.PI * 2)
    c.strokeStyle = '#ffffff'
    c.lineWidth = 1.5
    c.stroke()
  }
}
