import type { Proposal } from '@ensemble/core'

/** A proposed note as the piano roll draws it: start relative to the clip, in the requester's colour. */
export interface GhostNote {
  readonly pitch: number
  readonly start: number
  readonly duration: number
  readonly velocity: number
}

export interface GhostLayer {
  readonly proposalId: string
  readonly variation: number
  /** The user who asked: their own tab follows the ghosts, a bandmate's only hints where they are. */
  readonly requestedBy: string
  readonly notes: readonly GhostNote[]
  readonly colour: string
  /** Who asked and with which plugin, drawn beside the first note. */
  readonly label: string
}

/** The notes of one variation of a notes proposal, placed relative to `clipStart` (tracks proposals: none). */
export function variationNotes(proposal: Proposal, variation: number, clipStart: number): GhostNote[] {
  if (proposal.kind !== 'notes') return []
  const chosen = proposal.variations[variation] ?? proposal.variations[0]
  if (!chosen) return []
  return chosen.notes.map((n) => ({
    pitch: n.pitch,
    start: proposal.fromTick + n.start - clipStart,
    duration: n.duration,
    velocity: n.velocity,
  }))
}

export const proposalLabel = (proposal: Proposal, variation: number): string =>
  `${proposal.requestedByName} asked ${proposal.pluginName}` +
  (proposal.variations.length > 1
    ? ` · ${Math.min(variation, proposal.variations.length - 1) + 1}/${proposal.variations.length}`
    : '')

/**
 * Which proposal a track shows as ghost notes in this tab: the one this person focused, else the newest
 * one for the track (so a bandmate sees a new suggestion without doing anything).
 */
export function shownProposal(
  proposals: readonly Proposal[],
  trackId: string,
  focus: { readonly proposalId: string; readonly variation: number } | null,
): { proposal: Proposal; variation: number } | null {
  const forTrack = proposals.filter((p) => p.trackId === trackId)
  const focused = focus ? forTrack.find((p) => p.id === focus.proposalId) : undefined
  if (focused && focus) return { proposal: focused, variation: focus.variation }
  const newest = forTrack[forTrack.length - 1]
  return newest ? { proposal: newest, variation: 0 } : null
}
