import { readTracks } from '@ensemble/core'
import { acceptShown, aiTrack, currentProposal, dismissShown, stepVariation } from '../ai/proposal-actions'
import { type Command, defineCommand, type StudioContext } from './command'

const canEdit = (ctx: StudioContext): boolean => ctx.session.role !== 'viewer'

/** The AI panel's entries in the command registry: the same list the keys and the help overlay read. */
export const AI_COMMANDS: readonly Command[] = [
  defineCommand({
    id: 'ai-panel',
    label: 'AI suggestions panel for the track',
    group: 'AI',
    shortcuts: [{ key: 'i' }],
    enabled: (ctx) => readTracks(ctx.session.doc).length > 0,
    perform(ctx) {
      const view = ctx.view.get()
      if (view.aiTrackId !== null) {
        ctx.view.set({ aiTrackId: null })
        return
      }
      const trackId = aiTrack(ctx) ?? readTracks(ctx.session.doc)[0]?.id ?? null
      ctx.view.set({ aiTrackId: trackId })
    },
  }),
  defineCommand({
    id: 'ai-next-variation',
    label: 'Next variation of the suggestion',
    group: 'AI',
    shortcuts: [{ key: ']' }],
    enabled: (ctx) => (currentProposal(ctx)?.proposal.variations.length ?? 0) > 1,
    perform: (ctx) => stepVariation(ctx, 1),
  }),
  defineCommand({
    id: 'ai-previous-variation',
    label: 'Previous variation of the suggestion',
    group: 'AI',
    shortcuts: [{ key: '[' }],
    enabled: (ctx) => (currentProposal(ctx)?.proposal.variations.length ?? 0) > 1,
    perform: (ctx) => stepVariation(ctx, -1),
  }),
  defineCommand({
    id: 'ai-accept',
    label: 'Accept the suggestion shown',
    group: 'AI',
    shortcuts: [{ key: 'Enter', shift: true }],
    enabled: (ctx) => canEdit(ctx) && currentProposal(ctx) !== null,
    perform(ctx) {
      const shown = currentProposal(ctx)
      if (shown) acceptShown(ctx, shown.proposal.id, shown.variation)
    },
  }),
  defineCommand({
    id: 'ai-dismiss',
    label: 'Dismiss the suggestion shown',
    group: 'AI',
    shortcuts: [{ key: 'Backspace', shift: true }],
    enabled: (ctx) => canEdit(ctx) && currentProposal(ctx) !== null,
    perform(ctx) {
      const shown = currentProposal(ctx)
      if (shown) dismissShown(ctx, shown.proposal.id)
    },
  }),
]
