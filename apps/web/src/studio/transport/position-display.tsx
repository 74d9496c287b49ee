'use client'

import { PPQ, readMeta } from '@ensemble/core'
import { useEffect, useRef } from 'react'
import { useStudio } from '../studio-context'

/** Bars.beats.sixteenths of a tick position, 1-based as on every DAW's counter. */
export function formatPosition(tick: number, numerator: number, denominator: number): string {
  const beat = (PPQ * 4) / denominator
  const bar = beat * numerator
  const b = Math.floor(tick / bar)
  const within = tick - b * bar
  const bt = Math.floor(within / beat)
  const six = Math.floor((within - bt * beat) / (PPQ / 4))
  return `${b + 1}.${bt + 1}.${six + 1}`
}

/** The position counter, written into the DOM from requestAnimationFrame (not React state). */
export function PositionDisplay() {
  const { transport, session } = useStudio()
  const ref = useRef<HTMLOutputElement>(null)
  useEffect(() => {
    let frame = 0
    let last = ''
    const draw = () => {
      const { numerator, denominator } = readMeta(session.doc).timeSignature
      const bpm = readMeta(session.doc).bpm
      const tick = transport.position()
      const seconds = (tick / PPQ) * (60 / bpm)
      const m = Math.floor(seconds / 60)
      const s = (seconds % 60).toFixed(1).padStart(4, '0')
      const text = `${formatPosition(tick, numerator, denominator)}  ${m}:${s}`
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
