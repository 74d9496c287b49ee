'use client'

import { type ClipSnapshot, PPQ, playedNotes } from '@ensemble/core'
import { memo } from 'react'
import { countOf } from '../../text/plural'

/**
 * One clip on the timeline: a coloured block with its notes drawn small (loops unrolled), a loop marker and
 * a resize edge. Positioned by its parent; the notes are one SVG path, not an element per note.
 */
export const ClipView = memo(function ClipView(props: {
  clip: ClipSnapshot
  colour: string
  pxPerQuarter: number
  selected: boolean
  /** Remote selection colours. */
  markedBy: readonly string[]
}) {
  const { clip, colour, pxPerQuarter, selected } = props
  const width = Math.max(4, (clip.length / PPQ) * pxPerQuarter)
  const notes = playedNotes(clip)
  const pitches = notes.map((n) => n.pitch)
  const lo = Math.min(...pitches, 60) - 1
  const hi = Math.max(...pitches, 72) + 1
  const h = 40
  let d = ''
  for (const n of notes) {
    const x = (n.start / PPQ) * pxPerQuarter
    if (x > width) break
    const y = ((hi - n.pitch) / (hi - lo)) * (h - 3)
    const w = Math.max(1.5, Math.min((n.duration / PPQ) * pxPerQuarter - 1, width - x))
    d += `M${x.toFixed(1)} ${y.toFixed(1)}h${w.toFixed(1)}v2.5h${(-w).toFixed(1)}z`
  }
  const loops: number[] = []
  if (clip.loopLength !== null) {
    for (let t = clip.loopLength; t < clip.length; t += clip.loopLength) loops.push((t / PPQ) * pxPerQuarter)
  }
  const outline = props.markedBy[0]
  return (
    <div
      data-testid="clip"
      data-clip-id={clip.id}
      data-selected={selected}
      role="img"
      aria-label={`Clip ${clip.name || 'untitled'} with ${countOf(clip.notes.length, 'note')}`}
      className={`st-clip${selected ? ' is-selected' : ''}`}
      style={{
        width,
        ['--track' as string]: colour,
        ...(outline ? { boxShadow: `0 0 0 2px ${outline}` } : {}),
      }}
    >
      <div className="st-clip-title">
        {clip.loopLength !== null && <span title="Looping">⟳ </span>}
        {clip.name || ' '}
      </div>
      <svg width={width} height={h} aria-hidden>
        <path d={d} fill={colour} />
        {loops.map((x) => (
          <line key={x} x1={x} x2={x} y1={0} y2={h} stroke={colour} strokeDasharray="2 3" opacity={0.7} />
        ))}
      </svg>
      <span className="st-clip-edge" data-edge="right" />
    </div>
  )
})
