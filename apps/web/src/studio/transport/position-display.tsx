'use client'

import { barPosition, readMeta, type TimeSignature, ticksToSeconds } from '@ensemble/core'
import { useEffect, useRef } from 'react'
import { useStudio } from '../studio-context'

/** Bars.beats.sixteenths of a tick position, 1-based as on every DAW's counter. */
function formatPosition(tick: number, timeSignature: TimeSignature): string {
  const { bar, beat, sixteenth } = barPosition(tick, timeSignature)
  return `${bar + 1}.${beat + 1}.${sixteenth + 1}`
}

/** The position counter, written into the DOM from requestAnimationFrame (not React state). */
export function PositionDisplay() {
  const { transport, session } = useStudio()
  const ref = useRef<HTMLOutputElement>(null)
  useEffect(() => {
    let frame = 0
    let last = ''
    const draw = () => {
      const { timeSignature, bpm } = readMeta(session.doc)
      const tick = transport.position()
      const seconds = ticksToSeconds(tick, bpm)
      const m = Math.floor(seconds / 60)
      const s = (seconds % 60).toFixed(1).padStart(4, '0')
      const text = `${formatPosition(tick, timeSignature)}  ${m}:${s}`
      if (text !== last && ref.current) {
        ref.current.textContent = text
        last = text
      }
      frame = requestAnimationFrame(draw)
    }
    frame = requestAnimationFrame(draw)
    return () => cancelAnimationFrame(frame)
  }, [transport, session])
  return <output ref={ref} className="st-position" data-testid="position" aria-label="Position" />
}
