import { type TimeSignature, ticksPerBar, ticksPerBeat } from '@ensemble/core'
import { countOf } from '../../text/plural'

/**
 * A clip's length in the song's bars and beats: "2 bars", "1 bar 1 beat", "3 beats". A clip drawn
 * in 4/4 keeps its ticks when the song moves to 3/4, so its length is no longer whole bars; saying
 * "1.33 bars" hides what a musician counts.
 */
export function barsAndBeats(ticks: number, timeSignature: TimeSignature): string {
  const beat = ticksPerBeat(timeSignature)
  const bar = ticksPerBar(timeSignature)
  const bars = Math.floor(ticks / bar)
  // Two decimals of a beat are finer than any grid the studio snaps to.
  const beats = Math.round(((ticks - bars * bar) / beat) * 100) / 100
  const parts = [...(bars > 0 ? [countOf(bars, 'bar')] : []), ...(beats > 0 ? [countOf(beats, 'beat')] : [])]
  return parts.length === 0 ? countOf(0, 'beat') : parts.join(' ')
}
