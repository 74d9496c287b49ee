import { randomInt, randomUUID } from 'node:crypto'
import { AiProposalOrigin, type AiRun, addProposal, SongError } from '@ensemble/core'
import type { NotesSuggestion, SuggestInput, Suggestion, TracksSuggestion } from '@ensemble/core/plugin'
import { eq } from 'drizzle-orm'
import type { Room } from '../collab/room'
import { schema } from '../db'
import type { SuggestTarget } from '../registry/third-party'
import type { AuthedContext } from '../trpc/init'
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
  audit(outcome: string, version: string, modelHash: string | null): Promise<unknown>
}

/** Starts a run: its id, its seed (the caller's, or one drawn and returned so the run can be repeated). */
export function startRun(ctx: AuthedContext, input: RunRequest, seed: number | undefined): RunRecord {
  const runId = randomUUID()
  const chosen = seed ?? randomInt(0, 0x1_0000_0000)
  const started = performance.now()
  return {
    runId,
    seed: chosen,
    audit: (outcome, version, modelHash) =>
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
        }),
      ),
  }
}

/** Ask the service, audit the outcome, seal the run, write the proposal; answers once it is stored. */
export async function inferAndPropose(
  ctx: AuthedContext,
  room: Room,
  input: RunRequest,
  record: RunRecord,
  target: SuggestTarget,
  request: SuggestInput,
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
  await record.audit('ok', provenance.version, provenance.modelHash)
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
    proposalId = await propose(ctx, room, target, input, run, result.suggestions)
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
    // What the proposal holds, for callers without a song open (scripts, tests). Starts count from fromTick.
    suggestions: result.suggestions,
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

/**
 * Writes the run's suggestions into the song as one proposal (core `addProposal`, the AI proposal origin),
 * and resolves with its id once the room's log has stored it: from then on a restart keeps it, and every
 * client (on every instance) has been sent it. Null when no variation has a note.
 */
async function propose(
  ctx: AuthedContext,
  room: Room,
  target: SuggestTarget,
  input: RunRequest,
  run: AiRun,
  suggestions: readonly Suggestion[],
): Promise<string | null> {
  const offered = suggestions.filter(worthShowing)
  if (offered.length === 0) return null
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
  }
  const tracks = offered.filter((s): s is TracksSuggestion => 'tracks' in s)
  const notes = offered.filter((s): s is NotesSuggestion => 'notes' in s)
  let proposalId = ''
  room.commitServerEdit(new AiProposalOrigin(run), (doc) => {
    proposalId =
      tracks.length > 0
        ? addProposal(doc, run, { ...common, kind: 'tracks', variations: tracks })
        : addProposal(doc, run, { ...common, kind: 'notes', variations: notes })
  })
  await ctx.timing.time('stored', () => room.allStored())
  return proposalId
}

/** A first-party plugin's name for the panel; its id if the service cannot say (the name is only shown). */
async function firstPartyName(ctx: AuthedContext, run: AiRun): Promise<string> {
  try {
    const described = await ctx.inference.plugins.describe.query(
      { id: run.pluginId, version: run.pluginVersion },
      { signal: AbortSignal.timeout(PLUGIN_LIST_TIMEOUT_MS) },
    )
    return described.manifest.name
  } catch {
    return run.pluginId
  }
}
