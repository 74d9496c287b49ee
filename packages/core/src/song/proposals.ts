/*
 * Shared AI proposals: suggestions a plugin made that the whole room can see and audition as ghost notes
 * before an editor accepts one variation into the song or dismisses them.
 *
 *   doc.getMap('proposals')  proposalId -> Proposal (plain JSON, replaced or deleted whole, never patched)
 *
 * Proposals live in the song doc so that every collaborator sees them and they survive a reload, but they are
 * not song content: they sit outside the maps undo tracks, and every write to them is an AiProposalOrigin
 * transaction, so nobody's undo brings a proposal back or takes one away.
 *
 * Only the server adds proposals (`addProposal`, from ai.suggest, with a run it sealed and tied to its ai_runs
 * row); a client's insert into this map is refused by the collab server (client-writes.ts). Clients delete
 * them: dismissing, and accepting.
 *
 * Accepting runs in ONE transaction under AiAcceptedOrigin: the notes (or tracks) are written and the proposal
 * is deleted together, so every peer sees both or neither, and the accepting user's undo removes the notes.
 *
 * Two editors accepting the same proposal: whoever's update arrives second finds the proposal gone and is
 * refused ('proposal_not_found'), so a live room writes one variation once. Two replicas that accept while
 * they cannot see each other (offline, or within the same network round trip) both apply; Yjs cannot tell
 * that two sets of fresh notes were meant to be one. Both sets then converge on every replica and each
 * accepting user can undo their own. The same holds for accept racing dismiss: the accept's notes stay.
 */
import type * as Y from 'yjs'
import { z } from 'zod'
import {
  MAX_VARIATIONS,
  type NotesSuggestion,
  NotesSuggestionSchema,
  type TracksSuggestion,
  TracksSuggestionSchema,
} from '../plugin/index'
import { acceptNotesSuggestion, acceptTracksSuggestion } from './ai'
import { SongError } from './errors'
import { newId } from './ids'
import { AiAcceptedOrigin, AiProposalOrigin, type AiRun, UserOrigin } from './origins'
import { cached, readTracks } from './read'
import { MAX_TICK, ProvenanceSchema } from './schema'
import type { SongStore } from './store'
import { parse } from './ydoc'

export const PROPOSALS = 'proposals'

/** Open proposals kept per song; adding one more drops the oldest, so an eager room cannot grow the doc. */
export const MAX_OPEN_PROPOSALS = 20
export const MAX_PROPOSAL_VARIATIONS = MAX_VARIATIONS
/**
 * Notes across all variations of one proposal. A proposal reaches every peer as one update, which must stay
 * far below the collab server's 2 MiB frame limit (a note is about 40 bytes there).
 */
export const MAX_PROPOSAL_NOTES = 8192

const id = z.string().min(1).max(64)

export const AiRunSchema = ProvenanceSchema.omit({ acceptedBy: true })

const common = {
  id,
  trackId: id,
  fromTick: z.int().min(0).max(MAX_TICK),
  toTick: z.int().min(1).max(MAX_TICK),
  pluginId: z.string().min(1).max(200),
  pluginName: z.string().min(1).max(200),
  pluginVersion: z.string().min(1).max(64),
  run: AiRunSchema,
  requestedByName: z.string().max(200),
  createdAt: z.number().int().min(0),
  /**
   * Why each variation is where it is (band-ranker.ts: "in key", "like ones you kept"), one list per variation
   * in the same order; the server ranks before it writes. Absent on proposals written before ranking.
   */
  reasons: z
    .array(z.array(z.string().min(1).max(60)).max(4))
    .max(MAX_PROPOSAL_VARIATIONS)
    .optional(),
  /**
   * The server's id for each variation, in the same order, also stored with its run: a decision names the
   * variation by it and the server checks it against what it stored (ai.decide). Absent on older proposals.
   */
  variationIds: z.array(id).max(MAX_PROPOSAL_VARIATIONS).optional(),
}

const variations = <S extends z.ZodType>(schema: S) =>
  z
    .array(schema)
    .min(1, 'a proposal needs at least one variation')
    .max(MAX_PROPOSAL_VARIATIONS, `at most ${MAX_PROPOSAL_VARIATIONS} variations`)

/** Notes of every variation start and end inside the window, as plugins return them (relative to fromTick). */
const fitsWindow = (
  proposal: {
    fromTick: number
    toTick: number
    variations: ReadonlyArray<NotesSuggestion | TracksSuggestion>
  },
  ctx: z.RefinementCtx,
) => {
  const span = proposal.toTick - proposal.fromTick
  const total = proposal.variations.reduce(
    (n, v) => n + ('tracks' in v ? v.tracks.reduce((m, t) => m + t.notes.length, 0) : v.notes.length),
    0,
  )
  if (total > MAX_PROPOSAL_NOTES)
    ctx.addIssue({
      code: 'custom',
      path: ['variations'],
      message: `${total} notes in all; a proposal may hold at most ${MAX_PROPOSAL_NOTES}`,
    })
  if (span <= 0) {
    ctx.addIssue({ code: 'custom', path: ['toTick'], message: 'must be after fromTick' })
    return
  }
  proposal.variations.forEach((v, i) => {
    const lists = 'tracks' in v ? v.tracks.map((t) => t.notes) : [v.notes]
    for (const notes of lists)
      notes.forEach((n, j) => {
        if (n.start + n.duration > span)
          ctx.addIssue({
            code: 'custom',
            path: ['variations', i, 'notes', j],
            message: `does not fit in the ${span}-tick window`,
          })
      })
  })
}

export const ProposalSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ ...common, kind: z.literal('notes'), variations: variations(NotesSuggestionSchema) }),
    z.strictObject({ ...common, kind: z.literal('tracks'), variations: variations(TracksSuggestionSchema) }),
  ])
  .superRefine(fitsWindow)
  .refine((p) => p.reasons === undefined || p.reasons.length === p.variations.length, {
    message: 'one list of reasons per variation',
    path: ['reasons'],
  })
  .refine((p) => p.variationIds === undefined || p.variationIds.length === p.variations.length, {
    message: 'one id per variation',
    path: ['variationIds'],
  })
  .refine((p) => p.run.pluginId === p.pluginId && p.run.pluginVersion === p.pluginVersion, {
    message: 'the run must be of the proposal’s plugin and version',
    path: ['run'],
  })

export type Proposal = z.infer<typeof ProposalSchema>

/** What the server supplies; the id, run and creation time are filled in by addProposal. */
export type ProposalInput = Omit<z.input<typeof ProposalSchema>, 'id' | 'run' | 'createdAt'>

const proposalsMap = (doc: Y.Doc): Y.Map<unknown> => doc.getMap<unknown>(PROPOSALS)

const byAge = (a: Proposal, b: Proposal): number =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/**
 * Open proposals, oldest first. A record that does not parse (an old or misbehaving client wrote it) is
 * skipped rather than shown, so one bad peer cannot break everyone's panel.
 */
export const readProposals = (doc: Y.Doc): readonly Proposal[] => {
  const map = proposalsMap(doc)
  return cached(doc, map, () =>
    [...map.entries()]
      .flatMap(([key, value]) => {
        const parsed = ProposalSchema.safeParse(value)
        return parsed.success && parsed.data.id === key ? [parsed.data] : []
      })
      .sort(byAge),
  )
}

export const readProposal = (doc: Y.Doc, proposalId: string): Proposal | undefined =>
  readProposals(doc).find((p) => p.id === proposalId)

const requireUser = (user: UserOrigin): void => {
  if (!(user instanceof UserOrigin)) throw new SongError('invalid_value', 'This needs the acting UserOrigin')
}

const requireProposal = (doc: Y.Doc, proposalId: string): Proposal => {
  const proposal = typeof proposalId === 'string' ? readProposal(doc, proposalId) : undefined
  if (proposal === undefined) {
    throw new SongError(
      'proposal_not_found',
      'This suggestion is no longer open: someone accepted or dismissed it already',
    )
  }
  return proposal
}

/**
 * Shares a plugin's suggestions with the room (the server's write; see the module comment). Returns the new
 * proposal's id: `id` when the server chose it beforehand (to store it with the run), else a new one. The
 * oldest open proposals are dropped in the same transaction when there would be more than MAX_OPEN_PROPOSALS.
 */
export const addProposal = (doc: Y.Doc, run: AiRun, input: ProposalInput, id = newId()): string => {
  const open = readProposals(doc)
  // Strictly after the newest one this replica knows, so "oldest" is well defined even within a millisecond.
  const createdAt = Math.max(Date.now(), (open.at(-1)?.createdAt ?? 0) + 1)
  // Only the run's own fields: callers pass the server's provenance, which also carries timings.
  const { pluginId, pluginVersion, modelHash, seed, requestedBy, runId, seal } = run ?? ({} as AiRun)
  const record = {
    pluginId,
    pluginVersion,
    modelHash,
    seed,
    requestedBy,
    ...(runId === undefined ? {} : { runId }),
    ...(seal === undefined ? {} : { seal }),
  }
  const proposal = parse(ProposalSchema, { ...input, id, run: record, createdAt }, 'proposal')
  const stale = open.slice(0, Math.max(0, open.length + 1 - MAX_OPEN_PROPOSALS))
  doc.transact(() => {
    const map = proposalsMap(doc)
    for (const old of stale) map.delete(old.id)
    map.set(proposal.id, proposal)
  }, new AiProposalOrigin(proposal.run))
  return proposal.id
}

/** Removes a proposal for everyone. Dismissing one that is already gone is refused, so the UI can say so. */
export const dismissProposal = (doc: Y.Doc, user: UserOrigin, proposalId: string): void => {
  requireUser(user)
  const proposal = requireProposal(doc, proposalId)
  doc.transact(() => proposalsMap(doc).delete(proposal.id), new AiProposalOrigin(proposal.run))
}

export interface AcceptProposalOptions {
  /** Notes proposals: replace what the target track has in the window (default) or add on top. */
  readonly replace?: boolean
}

/**
 * Writes one variation into the song and closes the proposal, in one transaction that `user`'s undo takes
 * back (the notes go; the proposal stays closed). Notes carry the run's provenance with `user` as acceptor.
 * Notes proposals need the target track; tracks proposals add their tracks after it (or at the end if it
 * has been deleted since).
 */
export const acceptProposal = (
  doc: Y.Doc,
  user: UserOrigin,
  proposalId: string,
  variationIndex: number,
  options: AcceptProposalOptions = {},
): { noteIds: string[]; trackIds: string[] } => {
  requireUser(user)
  const proposal = requireProposal(doc, proposalId)
  const variation = Number.isInteger(variationIndex) ? proposal.variations[variationIndex] : undefined
  if (variation === undefined) {
    throw new SongError(
      'out_of_range',
      `Variation ${String(variationIndex)} does not exist; this suggestion has ${proposal.variations.length}`,
    )
  }
  if (proposal.kind === 'notes' && !readTracks(doc).some((t) => t.id === proposal.trackId)) {
    throw new SongError('track_not_found', 'The track this suggestion was made for has been deleted')
  }
  const origin = new AiAcceptedOrigin(user, proposal.run)
  const { fromTick, toTick } = proposal
  let result = { noteIds: [] as string[], trackIds: [] as string[] }
  // The inner operations validate before writing and join this transaction (same origin), so either the
  // notes and the proposal's removal land together or nothing does.
  doc.transact(() => {
    if ('notes' in variation) {
      const written = acceptNotesSuggestion(doc, origin, {
        trackId: proposal.trackId,
        fromTick,
        toTick,
        notes: variation.notes,
        replace: options.replace ?? true,
        clipName: variation.label,
      })
      result = { noteIds: written.noteIds, trackIds: [] }
    } else {
      const at = readTracks(doc).findIndex((t) => t.id === proposal.trackId)
      const written = acceptTracksSuggestion(doc, origin, {
        fromTick,
        toTick,
        tracks: variation.tracks,
        clipName: variation.label,
        ...(at === -1 ? {} : { index: at + 1 }),
      })
      result = { noteIds: written.noteIds, trackIds: written.trackIds }
    }
    proposalsMap(doc).delete(proposal.id)
  }, origin)
  return result
}

/** Calls `listener` after any change to the open proposals (local or remote). Returns unsubscribe. */
export const observeProposals = (doc: Y.Doc, listener: (proposals: readonly Proposal[]) => void) => {
  const map = proposalsMap(doc)
  const onChange = () => listener(readProposals(doc))
  map.observe(onChange)
  return () => map.unobserve(onChange)
}

/** A useSyncExternalStore-shaped store of the open proposals; the snapshot is stable between changes. */
export const createProposalStore = (doc: Y.Doc): SongStore<readonly Proposal[]> => ({
  getSnapshot: () => readProposals(doc),
  subscribe: (onStoreChange) => observeProposals(doc, onStoreChange),
})
