'use client'

import { useEffect, useRef } from 'react'
import { useStudio } from '../studio-context'

const RANGE_DB = 24

/**
 * A compressor's gain reduction right now: a bar that grows leftwards and the dB, updated per frame without
 * React renders (the engine reads it off the native node). Dim while it is not compressing or nothing plays.
 */
export function ReductionReadout({ deviceId }: { deviceId: string }) {
  const { transport } = useStudio()
  const bar = useRef<HTMLSpanElement>(null)
  const text = useRef<HTMLSpanElement>(null)
  useEffect(() => {
    let frame = 0
    let held = 0
    const draw = () => {
      frame = requestAnimationFrame(draw)
      const reduction = transport.levels()?.reductions?.[deviceId] ?? 0
      // Hold the deepest reduction briefly so a short squeeze is readable.
      held = reduction < held ? reduction : Math.min(0, held + 0.25)
      const label = held < -0.1 ? `GR ${held.toFixed(1)} dB` : 'GR'
      if (text.current && text.current.textContent !== label) text.current.textContent = label
      if (bar.current) bar.current.style.width = `${Math.min(1, -held / RANGE_DB) * 100}%`
    }
    frame = requestAnimationFrame(draw)
    return () => cancelAnimationFrame(frame)
  }, [transport, deviceId])
  return (
    <span className="st-reduction" title="Gain reduction: how much the compressor is turning the signal down">
      <span className="st-reduction-track">
        <span ref={bar} className="st-reduction-bar" />
      </span>
      <span ref={text} className="st-small st-muted" data-testid="gain-reduction">
        GR
      </span>
    </span>
  )
}
