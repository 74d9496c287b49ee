import type { Note, Proposal, TrackKind } from '@ensemble/core'
import { type PresetId, resolvePreset } from '@ensemble/core/audio/catalogue'
import { proposalLabel, shownProposal } from './ghost-notes'

type ProposedNote = Pick<Note, 'pitch' | 'start' | 'duration' | 'velocity'>

/** One track an arranger proposes, as a ghost lane: what it would be called, play, and sound like. */
export interface PreviewLane {
  readonly key: string
  readonly proposalId: string
  readonly targetTrackId: string
  readonly name: string
  readonly kind: TrackKind
  /** The preset it would play (the proposal's instrument id, resolved as a track's would be). */
  readonly preset: PresetId | null
  readonly requestedBy: string
  readonly label: string
  readonly fromTick: number
  readonly toTick: number
  /** Starts relative to `fromTick`. */
  readonly notes: readonly ProposedNote[]
}

/**
 * The ghost lanes of the arranger proposals this tab shows, in track order: for every track, its shown
 * proposal (see shownProposal) when that proposes tracks, one lane per proposed track in the chosen variation.
 */
export function previewLanes(
  proposals: readonly Proposal[],
  trackIds: readonly string[],
  focus: { readonly proposalId: string; readonly variation: number } | null,
): PreviewLane[] {
  const lanes: PreviewLane[] = []
  for (const trackId of trackIds) {
    const shown = shownProposal(proposals, trackId, focus)
    if (shown?.proposal.kind !== 'tracks') continue
    const { proposal, variation } = shown
    const chosen = proposal.variations[variation] ?? proposal.variations[0]
    if (!chosen || !('tracks' in chosen)) continue
    chosen.tracks.forEach((t, i) => {
      lanes.push({
        key: `${proposal.id}:${i}`,
        proposalId: proposal.id,
        targetTrackId: trackId,
        name: t.name,
        kind: t.kind,
        preset: resolvePreset(t.kind, t.instrument),
        requestedBy: proposal.run.requestedBy,
        label: proposalLabel(proposal, variation),
        fromTick: proposal.fromTick,
        toTick: proposal.toTick,
        notes: t.notes,
      })
    })
  }
  return lanes
}

export interface MiniNote {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/**
 * A lane's notes as small bars in a box `height` px tall: x from the window start at `pxPerQuarter`, the
 * lane's own pitch range spread over the height (at least an octave, so one repeated note sits mid-lane).
 */
export function miniNotes(
  notes: readonly ProposedNote[],
  ppq: number,
  pxPerQuarter: number,
  height: number,
): MiniNote[] {
  if (notes.length === 0) return []
  const pitches = notes.map((n) => n.pitch)
  let lo = Math.min(...pitches)
  let hi = Math.max(...pitches)
  if (hi - lo < 12) {
    const pad = (12 - (hi - lo)) / 2
    lo -= pad
    hi += pad
  }
  const bar = Math.max(2, Math.min(4, height / (hi - lo + 1)))
  const px = (ticks: number) => (ticks / ppq) * pxPerQuarter
  return notes.map((n) => ({
    x: px(n.start),
    y: ((hi - n.pitch) / (hi - lo)) * (height - bar),
    width: Math.max(1.5, px(n.duration) - 1),
    height: bar,
  }))
}
