'use client'

import { type AutomationPoint, deleteAutomationPoints } from '@ensemble/core'
import {
  type KeyboardEvent,
  type PointerEvent as ReactPointerEvent,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react'
import { useStudio } from '../studio-context'
import { useView } from '../view/view-store'
import { type LaneGeometry, tickToX, valueToY, xToTick, yToValue } from './lane-geometry'
import { drawLane } from './lane-renderer'
import { formatValue, type LaneTarget } from './lane-targets'
import { createLaneDrawTool } from './tools/draw'
import { movedPoint } from './tools/move'
import { createLaneSelectTool } from './tools/select'
import type { LanePointer, LanePreview, LaneTool, LaneToolContext } from './tools/tool'
import './automation.css'

const NO_POINTS: readonly string[] = []

/**
 * One automation lane under a track: its breakpoints drawn on a canvas (no element per point), edited with the
 * studio's current tool (draw or select, as in the piano roll). Snaps to the arrangement grid; Alt is free.
 */
export function AutomationLane(props: {
  target: LaneTarget
  points: readonly AutomationPoint[]
  top: number
  width: number
  height: number
  pxPerQuarter: number
  /** Grid step in ticks; 0 is off. */
  snap: number
  colour: string
}) {
  const { target, points, top, width, height, pxPerQuarter, snap, colour } = props
  const studio = useStudio()
  const { doc, me } = studio.session
  const readOnly = studio.session.role === 'viewer'
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const [preview, setPreview] = useState<LanePreview | null>(null)
  const [hover, setHover] = useState<{ x: number; y: number; text: string } | null>(null)
  const toolId = useView(studio.view, (s) => (s.tool === 'draw' ? 'draw' : 'select'))
  const selection = useView(studio.view, (s) =>
    s.automationSelection?.laneKey === target.key ? s.automationSelection.pointIds : NO_POINTS,
  )
  const tools = useMemo(() => ({ draw: createLaneDrawTool(), select: createLaneSelectTool() }), [])
  const active = useRef<LaneTool | null>(null)
  const geometry: LaneGeometry = { width, height, pxPerQuarter }

  // The tools read the latest props through this ref, not a stale closure.
  const latest = useRef({ target, points, geometry, snap, selection })
  latest.current = { target, points, geometry, snap, selection }
  const ctx = useMemo<LaneToolContext>(
    () => ({
      doc,
      me,
      readOnly,
      target: () => latest.current.target,
      points: () => latest.current.points,
      geometry: () => latest.current.geometry,
      snap: (tick) => {
        const step = latest.current.snap
        return step > 0 ? Math.round(tick / step) * step : Math.round(tick)
      },
      selection: () => latest.current.selection,
      select: (pointIds) =>
        studio.view.set({
          automationSelection: { laneKey: latest.current.target.key, pointIds },
          // One selection at a time: clips or notes selected elsewhere let go, so Delete means these points.
          ...(pointIds.length > 0 ? { selection: { kind: 'none' } } : {}),
        }),
      setPreview,
      run: studio.run,
    }),
    [doc, me, readOnly, studio],
  )

  // The points as drawn: a move in progress shows them where they would land.
  const shown = useMemo(() => {
    if (preview?.kind !== 'move') return points
    const moving = new Set(preview.pointIds)
    return points
      .map((p) =>
        moving.has(p.id) ? { ...p, ...movedPoint(ctx, p, preview.deltaTicks, preview.deltaY) } : p,
      )
      .sort((a, b) => a.tick - b.tick || (a.id < b.id ? -1 : 1))
  }, [points, preview, ctx])

  useEffect(() => {
    const canvas = canvasRef.current
    const c = canvas?.getContext('2d')
    if (!canvas || !c) return
    const dpr = Math.min(2, window.devicePixelRatio || 1)
    // A canvas is at most 32k pixels wide: past that (a long song zoomed far in) it draws at a lower density.
    const density = Math.min(dpr, 32_000 / Math.max(1, width))
    if (canvas.width !== Math.round(width * density)) canvas.width = Math.round(width * density)
    if (canvas.height !== Math.round(height * density)) canvas.height = Math.round(height * density)
    c.setTransform(density, 0, 0, density, 0, 0)
    drawLane(c, {
      geometry: { width, height, pxPerQuarter },
      target,
      points: shown,
      selected: new Set(selection),
      preview,
      colour,
      visible: { left: 0, right: width },
    })
  }, [shown, selection, preview, target, width, height, pxPerQuarter, colour])

  const pointer = (e: ReactPointerEvent<HTMLCanvasElement>): LanePointer => {
    const box = e.currentTarget.getBoundingClientRect()
    const x = e.clientX - box.left
    const y = e.clientY - box.top
    return {
      x,
      y,
      tick: Math.max(0, xToTick(geometry, x)),
      value: yToValue(geometry, target, y),
      shift: e.shiftKey,
      alt: e.altKey,
      mod: e.ctrlKey || e.metaKey,
    }
  }

  const describe = (p: LanePointer) => {
    const under = [...points].reverse().find((q) => Math.abs(tickToX(geometry, q.tick) - p.x) < 6)
    const value = under && Math.abs(valueToY(geometry, target, under.value) - p.y) < 8 ? under.value : p.value
    return { x: p.x, y: p.y, text: formatValue(target, value) }
  }

  const onKeyDown = (e: KeyboardEvent<HTMLCanvasElement>) => {
    if (e.key === 'Escape') {
      active.current?.cancel(ctx)
      active.current = null
      studio.view.set({ automationSelection: null })
      e.stopPropagation()
      return
    }
    if (e.key !== 'Delete' && e.key !== 'Backspace') return
    e.preventDefault()
    e.stopPropagation()
    const ids = selection.filter((id) => points.some((p) => p.id === id))
    if (readOnly || ids.length === 0) return
    studio.run(() => deleteAutomationPoints(doc, me, ids))
    studio.view.set({ automationSelection: null })
  }

  return (
    <div
      className="st-auto-lane"
      data-automation-lane={target.key}
      style={{ top, height, width }}
      data-testid="automation-lane"
    >
      <canvas
        ref={canvasRef}
        tabIndex={0}
        aria-label={`${target.label} automation`}
        data-testid="automation-canvas"
        data-points={points.length}
        data-lane-key={target.key}
        style={{ width, height }}
        onPointerDown={(e) => {
          if (e.button !== 0) return
          e.stopPropagation()
          e.currentTarget.focus()
          e.currentTarget.setPointerCapture(e.pointerId)
          active.current = tools[toolId]
          active.current.down(pointer(e), ctx)
        }}
        onPointerMove={(e) => {
          e.stopPropagation()
          const p = pointer(e)
          active.current?.move(p, ctx)
          e.currentTarget.style.cursor = (active.current ?? tools[toolId]).cursor(p, ctx)
          setHover(describe(p))
        }}
        onPointerUp={(e) => {
          e.stopPropagation()
          const tool = active.current
          active.current = null
          tool?.up(pointer(e), ctx)
        }}
        onPointerCancel={(e) => {
          e.stopPropagation()
          active.current?.cancel(ctx)
          active.current = null
        }}
        onPointerLeave={() => setHover(null)}
        onDoubleClick={(e) => e.stopPropagation()}
        onKeyDown={onKeyDown}
      />
      {hover && (
        <span className="st-auto-value" style={{ left: hover.x + 8, top: Math.max(0, hover.y - 16) }}>
          {hover.text}
        </span>
      )}
    </div>
  )
}
