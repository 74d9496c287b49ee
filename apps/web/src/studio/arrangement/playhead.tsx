'use client'

import { useEffect, useRef } from 'react'
import { useStudio } from '../studio-context'
import { type TimelineScale, tickToPx } from './timeline-scale'

/** The playhead line, moved in requestAnimationFrame from the transport: never React state. */
export function Playhead({ scale }: { scale: TimelineScale }) {
  const { transport } = useStudio()
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    let frame = 0
    let last = -1
    const draw = () => {
      const x = tickToPx(scale, transport.position())
      if (ref.current && x !== last) {
        ref.current.style.transform = `translateX(${x}px)`
        last = x
      }
      frame = requestAnimationFrame(draw)
    }
    frame = requestAnimationFrame(draw)
    return () => cancelAnimationFrame(frame)
  }, [transport, scale.pxPerQuarter, scale])
  return <div ref={ref} className="st-playhead" data-testid="playhead" aria-hidden />
}
