import { randomInt, randomUUID } from 'node:crypto'
import { AiProposalOrigin, type AiRun, addProposal, SongError } from '@ensemble/core'
import type { NotesSuggestion, SuggestInput, Suggestion, TracksSuggestion } from '@ensemble/core/plugin'
import { eq } from 'drizzle-orm'
import type { Room } from '../collab/room'
import { schema } from '../db'
import type { SuggestTarget } from '../registry/third-party'
import type { AuthedContext } from '../trpc/init'
import type { RankedSuggestions } from './band-decisions'
import { aiFailure, inferenceFailure } from './errors'

/*
 * One AI run on a song's room, whatever asked for it (a suggestion for a window, the background maker): its
 * audit row, the one call to the inference service, the run sealed by this server and the proposal written
 * into the room's doc and stored before the call answers (docs/ARCHITECTURE.md "AI suggestions").
 */

/** The budget given to the plugin; the inference service caps it (INFERENCE_MAX_DEADLINE_MS, 10 s). */
export const SUGGEST_DEADLINE_MS = 8_000
/** Past the deadline, the HTTP call itself gives up: the service answers on time unless it is wedged. */
const TRANSPORT_GRACE_MS = 2_000
export const PLUGIN_LIST_TIMEOUT_MS = 5_000

/** What a run is for, as its audit row records it. */
export interface RunRequest {
  readonly projectId: string
  /** The target track; for a run that adds tracks to a song with none, the id its proposal names. */
  readonly trackId: string
  readonly fromTick: number
  readonly toTick: number
  readonly pluginId: string
  readonly version: string
  readonly parameters: Record<string, number | boolean | string>
  readonly variations: number
}

/** A run's identity and its audit: every run that passed the role check gets one row, whatever its outcome. */
export interface RunRecord {
  readonly runId: string
  readonly seed: number
  audit(
    outcome: string,
    version: string,
    modelHash: string | null,
    variationFeatures?: RankedSuggestions<Suggestion>['features'] | null,
    offer?: Offer | null,
  ): Promise<unknown>
}

/**
 * The ids this server gives a proposal and its variations before writing it, stored with the run so that a
 * decision on it is checked against what was offered (band-decisions.ts recordDecision).
 */
export interface Offer {
  readonly proposalId: string
  readonly variationIds: readonly string[]
}

/** Starts a run: its id, its seed (the caller's, or one drawn and returned so the run can be repeated). */
export function startRun(ctx: AuthedContext, input: RunRequest, seed: number | undefined): RunRecord {
  const runId = randomUUID()
  const chosen = seed ?? randomInt(0, 0x1_0000_0000)
  const started = performance.now()
  return {
    runId,
    seed: chosen,
    audit: (outcome, version, modelHash, variationFeatures = null, offer = null) =>
      ctx.timing.time('audit', () =>
        ctx.db.insert(schema.aiRuns).values({
          id: runId,
          projectId: input.projectId,
          userId: ctx.user.id,
          trackId: input.trackId,
          fromTick: input.fromTick,
          toTick: input.toTick,
          pluginId: input.pluginId,
          version,
          modelHash,
          parameters: input.parameters,
          seed: chosen,
          variations: input.variations,
          durationMs: Math.round(performance.now() - started),
          outcome,
          variationFeatures,
          proposalId: offer?.proposalId ?? null,
          variationIds: offer === null ? null : [...offer.variationIds],
        }),
      ),
  }
}

/** Orders a run's variations for the band (./band-decisions.ts); a run without one keeps the plugin's order. */
export type RankVariations = (offered: readonly Suggestion[]) => Promise<RankedSuggestions<Suggestion>>

/**
 * Ask the service, rank what it offers, audit the outcome (with the ranked variations' features, so a later
 * decision by index teaches the ranker), seal the run, write the proposal; answers once it is stored.
 */
export async function inferAndPropose(
  ctx: AuthedContext,
  room: Room,
  input: RunRequest,
  record: RunRecord,
  target: SuggestTarget,
  request: SuggestInput,
  rank?: RankVariations,
) {
  const version = target.thirdParty ? target.version : input.version
  let result: InferenceAnswer
  try {
    result = await ctx.timing.time('inference', () =>
      askInference(ctx, input.projectId, target, { id: input.pluginId, version }, request),
    )
  } catch (err) {
    const failure = inferenceFailure(err, SUGGEST_DEADLINE_MS)
    await record.audit(failure.outcome, version, null)
    throw failure.error
  }
  const { provenance } = result
  // The service's own time for the call: the rest of `inference` is the hop and its wait to be read.
  ctx.timing.add('service', provenance.durationMs)
  const offered = offeredVariations(result.suggestions)
  const ranked =
    offered.length === 0
      ? null
      : rank === undefined
        ? { suggestions: offered, features: null, reasons: undefined }
        : await rank(offered)
  const offer: Offer | null =
    ranked === null
      ? null
      : { proposalId: randomUUID(), variationIds: ranked.suggestions.map(() => randomUUID()) }
  await record.audit('ok', provenance.version, provenance.modelHash, ranked?.features ?? null, offer)
  // The run as the proposal and its accepted notes carry it: tied to the audit row, sealed by this server.
  const run = ctx.writeRules.seal({
    runId: record.runId,
    pluginId: provenance.pluginId,
    pluginVersion: provenance.version,
    modelHash: provenance.modelHash,
    seed: provenance.seed,
    requestedBy: ctx.user.id,
  })
  let proposalId: string | null
  try {
    proposalId =
      ranked === null || offer === null
        ? null
        : await propose(ctx, room, target, input, run, ranked.suggestions, ranked.reasons, offer)
  } catch (err) {
    // The service checked the output against the contract; a proposal the song cannot hold is still the plugin's.
    if (!(err instanceof SongError)) throw err
    const failure = aiFailure(
      'plugin_failed',
      'invalid_output',
      'BAD_GATEWAY',
      `The plugin returned notes the studio cannot use (${err.message}); nothing was changed.`,
    )
    await ctx.db
      .update(schema.aiRuns)
      .set({ outcome: failure.outcome })
      .where(eq(schema.aiRuns.id, record.runId))
    throw failure.error
  }
  return {
    runId: record.runId,
    /** The proposal now in the song (null: the plugin had nothing to offer for these bars). */
    proposalId,
    /** The server's id of each suggestion, in the same order: what ai.decide names. */
    variationIds: offer?.variationIds ?? [],
    // What the proposal holds, in its order, for callers without a song open (scripts, tests). Starts count
    // from fromTick.
    suggestions: ranked?.suggestions ?? [],
    /** Why each suggestion is where it is, in the same order (empty lists for a run that is not ranked). */
    reasons: ranked?.reasons ?? ranked?.suggestions.map(() => []) ?? [],
    provenance: { ...run, models: provenance.models, durationMs: provenance.durationMs },
  }
}

type InferenceAnswer = Awaited<ReturnType<AuthedContext['inference']['suggest']['mutate']>>

/** The one call from this server to the inference service for a suggestion, first- or third-party. */
function askInference(
  ctx: AuthedContext,
  projectId: string,
  target: SuggestTarget,
  plugin: { id: string; version: string },
  request: SuggestInput,
): Promise<InferenceAnswer> {
  // The service keeps its own fair shares per user and song (and publisher, for a third-party plugin).
  const caller = { userId: ctx.user.id, projectId }
  const signal = AbortSignal.timeout(SUGGEST_DEADLINE_MS + TRANSPORT_GRACE_MS)
  // One call for every plugin: the service fetches a third-party archive it lacks from this server.
  return ctx.inference.suggest.mutate(
    {
      pluginId: plugin.id,
      version: plugin.version,
      input: request,
      caller: target.thirdParty ? { ...caller, publisher: target.publisherId } : caller,
    },
    { signal },
  )
}

/** What a variation offers: one without notes would be an Accept that writes nothing, so it is left out. */
const worthShowing = (s: Suggestion): boolean => 'tracks' in s || s.notes.length > 0

/** The variations a proposal can hold: an arranger's new tracks if it returned any, else the notes ones. */
function offeredVariations(suggestions: readonly Suggestion[]): Suggestion[] {
  const offered = suggestions.filter(worthShowing)
  const tracks = offered.filter((s): s is TracksSuggestion => 'tracks' in s)
  return tracks.length > 0 ? tracks : offered.filter((s): s is NotesSuggestion => 'notes' in s)
}

/**
 * Writes the run's offered variations into the song as one proposal (core `addProposal`, the AI proposal
 * origin), in their ranked order with the reasons for it, and resolves with its id once the room's log has
 * stored it: from then on a restart keeps it, and every client (on every instance) has been sent it.
 */
async function propose(
  ctx: AuthedContext,
  room: Room,
  target: SuggestTarget,
  input: RunRequest,
  run: AiRun,
  offered: readonly Suggestion[],
  reasons: string[][] | undefined,
  offer: Offer,
): Promise<string> {
  const common = {
    trackId: input.trackId,
    fromTick: input.fromTick,
    toTick: input.toTick,
    pluginId: run.pluginId,
    pluginName: target.thirdParty
      ? target.name
      : await ctx.timing.time('name', () => firstPartyName(ctx, run)),
    pluginVersion: run.pluginVersion,
    requestedByName: ctx.user.name.slice(0, 200),
    ...(reasons === undefined ? {} : { reasons }),
    variationIds: [...offer.variationIds],
  }
  const tracks = offered.filter((s): s is TracksSuggestion => 'tracks' in s)
  const notes = offered.filter((s): s is NotesSuggestion => 'notes' in s)
  room.commitServerEdit(new AiProposalOrigin(run), (doc) => {
    if (tracks.length > 0)
      addProposal(doc, run, { ...common, kind: 'tracks', variations: tracks }, offer.proposalId)
    else addProposal(doc, run, { ...common, kind: 'notes', variations: notes }, offer.proposalId)
  })
  await ctx.timing.time('stored', () => room.allStored())
  return offer.proposalId
}

/** Names of first-party plugin versions kept at most: the service has a handful; this bounds a misbehaving one. */
const MAX_FIRST_PARTY_NAMES = 256

/**
 * A first-party plugin's name for the panel; its id if the service cannot say (the name is only shown). Asked
 * once per version and kept (ApiServices.firstPartyNames): beside a greedy user the service is busy, and a
 * second call to it per suggestion was the polite user's `name` stage (docs/BENCHMARKS.md, "Fairness").
 */
async function firstPartyName(ctx: AuthedContext, run: AiRun): Promise<string> {
  const key = `${run.pluginId}@${run.pluginVersion}`
  const known = ctx.firstPartyNames.get(key)
  if (known !== undefined) return known
  try {
    const described = await ctx.inference.plugins.describe.query(
      { id: run.pluginId, version: run.pluginVersion },
      { signal: AbortSignal.timeout(PLUGIN_LIST_TIMEOUT_MS) },
    )
    const name = described.manifest.name
    if (ctx.firstPartyNames.size < MAX_FIRST_PARTY_NAMES) ctx.firstPartyNames.set(key, name)
    return name
  } catch {
    return run.pluginId
  }
}
