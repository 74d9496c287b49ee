'use client'

import { type PointerEvent as ReactPointerEvent, useRef, useState } from 'react'
import { useStudio } from '../studio-context'
import { useView } from '../view/view-store'
import { RulerCommentMarkers } from './comment-markers'
import { floorTick, pxToTick, type TimelineScale, tickToPx } from './timeline-scale'

/**
 * Bar numbers over the lanes. A click moves the playhead; a drag draws the loop region (and turns the loop
 * on), snapped to beats.
 */
export function Ruler({ scale, bar, totalTicks }: { scale: TimelineScale; bar: number; totalTicks: number }) {
  const studio = useStudio()
  const loop = useView(studio.view, (s) => s.loop)
  const [drag, setDrag] = useState<{ anchor: number; current: number } | null>(null)
  const ref = useRef<HTMLDivElement>(null)
  const tickAt = (clientX: number) => {
    const box = ref.current!.getBoundingClientRect()
    return Math.max(0, floorTick(bar / 4, pxToTick(scale, clientX - box.left)))
  }
  const barPx = tickToPx(scale, bar)
  // Label every bar when there is room, else every 2nd, 4th... so numbers never collide.
  const every = 2 ** Math.max(0, Math.ceil(Math.log2(28 / Math.max(1, barPx))))
  const labels: number[] = []
  for (let b = 0; b * bar < totalTicks; b += every) labels.push(b)

  const onDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    ref.current!.setPointerCapture(e.pointerId)
    const t = tickAt(e.clientX)
    setDrag({ anchor: t, current: t })
  }
  const onMove = (e: ReactPointerEvent<HTMLDivElement>) =>
    drag && setDrag({ ...drag, current: tickAt(e.clientX) })
  const onUp = () => {
    if (!drag) return
    const from = Math.min(drag.anchor, drag.current)
    const to = Math.max(drag.anchor, drag.current)
    setDrag(null)
    if (to - from >= bar / 4) studio.view.set({ loop: { enabled: true, start: from, end: to } })
    else studio.transport.seek(from)
  }
  const shown = drag
    ? { start: Math.min(drag.anchor, drag.current), end: Math.max(drag.anchor, drag.current) }
    : loop
  return (
    <div
      ref={ref}
      className="st-ruler"
      data-testid="ruler"
      style={{ ['--bar-px' as string]: `${barPx}px` }}
      onPointerDown={onDown}
      onPointerMove={onMove}
      onPointerUp={onUp}
    >
      <div
        className={`st-loop-region${loop.enabled || drag ? ' on' : ''}`}
        style={{ left: tickToPx(scale, shown.start), width: tickToPx(scale, shown.end - shown.start) }}
      />
      <RulerCommentMarkers scale={scale} />
      {labels.map((b) => (
        <span key={b} className="st-bar-label" style={{ left: tickToPx(scale, b * bar) }}>
          {b + 1}
        </span>
      ))}
    </div>
  )
}
