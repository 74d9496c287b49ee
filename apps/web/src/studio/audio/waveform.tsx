'use client'

import { clipGainAt, type Peaks, peakLevelFor, peakRange } from '@ensemble/core/audio'
import { memo, useEffect, useRef } from 'react'
import { usePeaks } from './peaks-cache'
import './waveform.css'

/** Browsers refuse canvases much wider than this; a wider clip's waveform is stretched from it. */
const MAX_CANVAS_PX = 8192

function draw(
  canvas: HTMLCanvasElement,
  peaks: Peaks,
  region: { offset: number; length: number; gainDb: number; fadeIn: number; fadeOut: number },
  colour: string,
) {
  const c = canvas.getContext('2d')
  if (!c) return
  const { width, height } = canvas
  c.clearRect(0, 0, width, height)
  const framesPerPx = (region.length * peaks.sampleRate) / width
  const level = peakLevelFor(peaks, framesPerPx)
  if (!level) return
  // What the engine plays: the clip gain shaped by the fades (see clipGainAt), so the drawing shows them.
  const clip = { ...region, asset: '', tick: 0, gain: 10 ** (region.gainDb / 20) }
  const mid = height / 2
  const first = region.offset * peaks.sampleRate
  c.fillStyle = colour
  for (let x = 0; x < width; x++) {
    const from = first + x * framesPerPx
    if (from >= peaks.frames) break
    const { min, max } = peakRange(level, from, from + framesPerPx)
    const gain = clipGainAt(clip, ((x + 0.5) / width) * region.length)
    const top = mid - Math.min(1, max * gain) * mid
    const bottom = mid - Math.max(-1, min * gain) * mid
    // At least one pixel, so silence still reads as a line.
    c.fillRect(x, top, 1, Math.max(1, bottom - top))
  }
}

/**
 * An audio clip's waveform, drawn from its asset's peaks on a canvas: the coarsest level that still has a
 * pair per pixel, so a zoomed-out song draws from a few thousand numbers. Until the peaks are here (a
 * bandmate's take still on its way) the clip says so.
 */
export const Waveform = memo(function Waveform(props: {
  projectId: string
  asset: string
  /** Seconds into the asset. */
  offset: number
  /** Seconds of audio shown. */
  length: number
  gainDb: number
  /** Seconds. */
  fadeIn: number
  fadeOut: number
  width: number
  height: number
  colour: string
}) {
  const { projectId, asset, offset, length, gainDb, fadeIn, fadeOut, width, height, colour } = props
  const peaks = usePeaks(projectId, asset)
  const ref = useRef<HTMLCanvasElement>(null)
  const pixels = Math.max(1, Math.min(MAX_CANVAS_PX, Math.round(width)))
  // biome-ignore lint/correctness/useExhaustiveDependencies: a resized canvas is cleared, so a new size redraws
  useEffect(() => {
    if (ref.current && peaks) draw(ref.current, peaks, { offset, length, gainDb, fadeIn, fadeOut }, colour)
  }, [peaks, offset, length, gainDb, fadeIn, fadeOut, colour, pixels, height])
  if (!peaks)
    return (
      <span className="st-waveform-wait" data-testid="waveform-pending">
        waveform on its way…
      </span>
    )
  return (
    <canvas
      ref={ref}
      className="st-waveform"
      data-testid="waveform"
      width={pixels}
      height={height}
      style={{ width, height }}
      aria-hidden
    />
  )
})
