import { acceptProposal, dismissProposal, type Proposal, readProposal, readProposals } from '@ensemble/core'
import { api } from '../../client/api/client'
import type { SongSession } from '../session/song-session'
import type { ViewStore } from '../view/view-store'
import { shownProposal } from './ghost-notes'

/**
 * What the AI actions touch: the song and who is acting, and this tab's view. The command registry's
 * StudioContext is one; the panel passes the studio itself.
 */
export interface AiActionContext {
  readonly session: Pick<SongSession, 'doc' | 'me' | 'projectId'>
  readonly view: ViewStore
}

/** The track the AI commands act on: the open panel's, else the open clip's, else the selected track. */
export const aiTrack = (ctx: AiActionContext): string | null => {
  const view = ctx.view.get()
  return view.aiTrackId ?? view.editor?.trackId ?? view.selectedTrackId
}

/** The proposal this tab shows for the AI track (see shownProposal), with the variation looked at. */
export const currentProposal = (ctx: AiActionContext): { proposal: Proposal; variation: number } | null => {
  const trackId = aiTrack(ctx)
  if (trackId === null) return null
  return shownProposal(readProposals(ctx.session.doc), trackId, ctx.view.get().aiFocus)
}

/**
 * Writes the variation into the song: one step in the accepting editor's undo history (and the asker's).
 * The notes go on top of what is there: a harmony belongs under the melody it was made for, and nothing a
 * bandmate played disappears because someone liked an idea.
 */
export function acceptShown(ctx: AiActionContext, proposalId: string, variation: number): void {
  const proposal = readProposal(ctx.session.doc, proposalId)
  acceptProposal(ctx.session.doc, ctx.session.me, proposalId, variation, { replace: false })
  ctx.view.set({ aiFocus: null })
  if (proposal) reportDecision(ctx, proposal, variation, true)
}

export function dismissShown(ctx: AiActionContext, proposalId: string): void {
  const proposal = readProposal(ctx.session.doc, proposalId)
  // The variation on screen when the band said no: the ranker counts it against that one's kind.
  const focus = ctx.view.get().aiFocus
  const shown = focus?.proposalId === proposalId ? focus.variation : 0
  dismissProposal(ctx.session.doc, ctx.session.me, proposalId)
  ctx.view.set((s) => (s.aiFocus?.proposalId === proposalId ? { aiFocus: null } : {}))
  if (proposal) reportDecision(ctx, proposal, shown, false)
}

/**
 * Tells the server what the band did with the proposal (ai.decide), which teaches this band's ranker. Only
 * after the song took the decision; a report that does not arrive means the ranker learns one fewer choice,
 * nothing more, so it is not retried and never blocks the studio.
 */
function reportDecision(ctx: AiActionContext, proposal: Proposal, variation: number, kept: boolean): void {
  // Variations are named by the ids the server gave them; a proposal without them predates decisions.
  const id = proposal.variationIds?.[variation]
  if (id === undefined) return
  const decision = kept ? { kept: id } : { kept: null, shown: id }
  api.ai.decide
    .mutate({ projectId: ctx.session.projectId, proposalId: proposal.id, ...decision })
    .catch(() => {})
}

/** Looks at another variation of the shown proposal, wrapping around. */
export function stepVariation(ctx: AiActionContext, delta: 1 | -1): void {
  const shown = currentProposal(ctx)
  if (!shown) return
  const count = shown.proposal.variations.length
  ctx.view.set({
    aiFocus: { proposalId: shown.proposal.id, variation: (shown.variation + delta + count) % count },
  })
}
