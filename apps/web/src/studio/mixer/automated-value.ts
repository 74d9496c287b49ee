'use client'

import { automationValueAt, type CurvePoint } from '@ensemble/core'
import { useEffect, useState } from 'react'
import { useStudio } from '../studio-context'

/** Smaller moves than this are not redrawn (the fader's own step is 0.5 dB, the pan's 0.05). */
const REDRAW_STEP = 0.01

/**
 * What a control shows when its parameter may be automated: `value` (the song's setting) while `points` is
 * empty, else the lane's value at the playhead, followed every animation frame, playing or not, as the engine
 * plays the lane and ignores the setting. Renders only when the shown value moves.
 */
export function useAutomatedValue(points: readonly CurvePoint[] | undefined, value: number): number {
  const { transport } = useStudio()
  const [followed, setFollowed] = useState<number | undefined>(undefined)
  const automated = points !== undefined && points.length > 0
  useEffect(() => {
    if (!automated) return
    let frame = 0
    const follow = () => {
      frame = requestAnimationFrame(follow)
      const now = automationValueAt(points, transport.position())
      setFollowed((shown) =>
        now === undefined || (shown !== undefined && Math.abs(shown - now) < REDRAW_STEP) ? shown : now,
      )
    }
    frame = requestAnimationFrame(follow)
    return () => cancelAnimationFrame(frame)
  }, [automated, points, transport])
  return automated ? (followed ?? value) : value
}
