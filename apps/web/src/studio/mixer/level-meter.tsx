'use client'

import { useEffect, useRef } from 'react'
import { useStudio } from '../studio-context'
import { FLOOR_DB, MeterBallistics } from './meter-ballistics'

/**
 * A peak meter drawn on a small canvas in requestAnimationFrame; `trackId` null is the master bus, `busId`
 * a return bus.
 */
export function LevelMeter({ trackId, busId }: { trackId: string | null; busId?: string }) {
  const { transport } = useStudio()
  const ref = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    const canvas = ref.current!
    const c = canvas.getContext('2d')!
    let frame = 0
    // Fast attack, slow release, like a hardware meter.
    const meter = new MeterBallistics(1.2)
    const draw = () => {
      frame = requestAnimationFrame(draw)
      const levels = transport.levels()
      const db =
        levels === null
          ? FLOOR_DB
          : busId !== undefined
            ? (levels.buses?.[busId] ?? FLOOR_DB)
            : trackId === null
              ? levels.master
              : (levels.tracks[trackId] ?? FLOOR_DB)
      const target = Number.isFinite(db) ? Math.max(FLOOR_DB, Math.min(6, db)) : FLOOR_DB
      meter.step(target)
      meter.publish(canvas)
      const { shown, peak } = meter
      const { width, height } = canvas
      c.fillStyle = '#111318'
      c.fillRect(0, 0, width, height)
      const h = ((shown - FLOOR_DB) / (6 - FLOOR_DB)) * height
      const grad = c.createLinearGradient(0, height, 0, 0)
      grad.addColorStop(0, '#34d399')
      grad.addColorStop(0.75, '#fbbf24')
      grad.addColorStop(1, '#f87171')
      c.fillStyle = grad
      c.fillRect(0, height - h, width, h)
      c.fillStyle = '#e7e9ee'
      c.fillRect(0, height - ((peak - FLOOR_DB) / (6 - FLOOR_DB)) * height, width, 1)
    }
    frame = requestAnimationFrame(draw)
    return () => cancelAnimationFrame(frame)
  }, [transport, trackId, busId])
  return <canvas ref={ref} width={8} height={140} className="st-meter" data-testid="meter" aria-hidden />
}

/**
 * The master limiter at work: how many dB it is taking off the mix right now, updated per frame without
 * React renders. Dim at 0; lit while it limits, so a band sees that the mix is hitting the ceiling.
 */
export function LimiterReadout() {
  const { transport } = useStudio()
  const ref = useRef<HTMLSpanElement>(null)
  useEffect(() => {
    const span = ref.current!
    let frame = 0
    let held = 0
    const draw = () => {
      frame = requestAnimationFrame(draw)
      const reduction = transport.levels()?.limiterDb ?? 0
      // Hold the deepest reduction for a moment so a short peak is readable.
      held = reduction < held ? reduction : Math.min(0, held + 0.25)
      const text = held < -0.1 ? `Lim ${held.toFixed(1)}` : 'Lim'
      if (span.textContent !== text) span.textContent = text
      span.dataset.active = String(held < -0.1)
    }
    frame = requestAnimationFrame(draw)
    return () => cancelAnimationFrame(frame)
  }, [transport])
  return (
    <span
      ref={ref}
      className="st-small st-limiter"
      data-testid="limiter"
      data-active="false"
      title="Master limiter: gain reduction in dB (the mix never goes over 0 dBFS)"
    >
      Lim
    </span>
  )
}
