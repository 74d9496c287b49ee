'use client'

import { PPQ, type Proposal } from '@ensemble/core'
import { colourFor } from '../session/song-session'
import { proposalLabel, variationNotes } from './ghost-notes'
import './ai.css'

/**
 * A proposal on the arrangement: a dashed box over the bars it covers, in the requester's colour, with
 * who asked and the plugin, and its notes drawn small. It takes no pointer events: the lane below keeps
 * its clip gestures.
 */
export function ProposalOverlay(props: { proposal: Proposal; variation: number; pxPerQuarter: number }) {
  const { proposal, variation, pxPerQuarter } = props
  const px = (ticks: number) => (ticks / PPQ) * pxPerQuarter
  const width = Math.max(6, px(proposal.toTick - proposal.fromTick))
  // An arranger's variation adds tracks: the overlay sketches all their notes together.
  const chosen = proposal.variations[variation]
  const notes =
    chosen && 'tracks' in chosen
      ? chosen.tracks.flatMap((t) => t.notes)
      : variationNotes(proposal, variation, proposal.fromTick)
  const extra = chosen && 'tracks' in chosen ? ` · +${chosen.tracks.length} tracks` : ''
  const pitches = notes.map((n) => n.pitch)
  const lo = Math.min(...pitches, 60) - 1
  const hi = Math.max(...pitches, 72) + 1
  const h = 36
  let d = ''
  for (const n of notes) {
    const x = px(n.start)
    const y = ((hi - n.pitch) / (hi - lo)) * (h - 3)
    d += `M${x.toFixed(1)} ${y.toFixed(1)}h${Math.max(1.5, px(n.duration) - 1).toFixed(1)}v2.5h${(-Math.max(1.5, px(n.duration) - 1)).toFixed(1)}z`
  }
  const colour = colourFor(proposal.run.requestedBy)
  const label = `${proposalLabel(proposal, variation)}${extra}`
  return (
    <div
      className="st-proposal-overlay"
      data-testid="proposal-overlay"
      role="img"
      aria-label={`Suggestion: ${label}`}
      style={{ left: px(proposal.fromTick), width, ['--who' as string]: colour }}
    >
      <span className="st-proposal-label">✦ {label}</span>
      <svg width={width} height={h} aria-hidden>
        <path d={d} fill={colour} opacity={0.75} />
      </svg>
    </div>
  )
}
