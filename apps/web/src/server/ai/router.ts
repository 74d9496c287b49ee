import { randomInt, randomUUID } from 'node:crypto'
import { readWindow, SongError, type SongWindow, TrackKindSchema } from '@ensemble/core'
import { highestSatisfying, MAX_VARIATIONS, MAX_WINDOW_TICKS } from '@ensemble/core/plugin'
import * as Y from 'yjs'
import { z } from 'zod'
import { schema } from '../db'
import { requireRole } from '../projects/access'
import { projectId } from '../projects/inputs'
import {
  installedForPanel,
  type SuggestTarget,
  suggestTarget,
  suggestThirdParty,
  ThirdPartyRefusal,
} from '../registry/third-party'
import { type AuthedContext, authedProcedure, router } from '../trpc/init'
import { aiFailure, inferenceFailure } from './errors'
import { toSuggestInput } from './window'

/**
 * AI suggestions (docs/PLUGINS.md). The browser names a window of a track; the server reads that
 * window from its OWN copy of the song (a client could send a stale or forged one), asks the
 * inference service, and writes an audit row for every run that passed the role check, failed
 * or not. Nothing is written into the song here: the asking studio shares the suggestions as a
 * proposal (core `addProposal`) and an editor accepts one (`acceptProposal`), undoably.
 *
 * Failures are ReasonedErrors: the client reads `data.reason` ('unavailable', 'busy', 'deadline',
 * 'plugin_unavailable', 'plugin_failed', 'bad_request') and shows the message.
 *
 * A user, and a song, may have only so many suggestions running (suggestions-in-flight.ts); one more is
 * refused as 'busy' before anything is read or asked, and is not audited: a flood of refusals writes nothing.
 * The inference service is told who the call is for (user, song, a plugin's publisher), for its own shares.
 */

/** The budget given to the plugin; the inference service caps it (INFERENCE_MAX_DEADLINE_MS, 10 s). */
export const SUGGEST_DEADLINE_MS = 8_000
/** Past the deadline, the HTTP call itself gives up: the service answers on time unless it is wedged. */
const TRANSPORT_GRACE_MS = 2_000

const PLUGIN_LIST_TIMEOUT_MS = 5_000
const MAX_PARAMETERS = 64

const tick = z.int().min(0)
/*
 * Not strict on purpose: keys the server does not know (a client's own copy of the notes, a window it
 * computed) are dropped, never read, so an old or forged client cannot steer what the plugin sees.
 */
const suggestInput = z
  .object({
    projectId,
    trackId: z.string().min(1).max(64),
    fromTick: tick,
    toTick: tick,
    pluginId: z.string().min(1).max(200),
    version: z.string().min(1).max(100).default('*'),
    parameters: z
      .record(z.string().max(64), z.union([z.number(), z.boolean(), z.string().max(200)]))
      .refine((p) => Object.keys(p).length <= MAX_PARAMETERS, `at most ${MAX_PARAMETERS} parameters`)
      .default({}),
    /** Unsigned 32-bit; left out, the server draws one (and returns it, so the run can be repeated). */
    seed: z.int().min(0).max(0xffff_ffff).optional(),
    variations: z.int().min(1).max(MAX_VARIATIONS).default(1),
  })
  .refine((i) => i.toTick > i.fromTick, { path: ['toTick'], message: 'must be after fromTick' })
  .refine((i) => i.toTick - i.fromTick <= MAX_WINDOW_TICKS, {
    path: ['toTick'],
    message: `the window may be at most ${MAX_WINDOW_TICKS} ticks (128 bars of 4/4)`,
  })

export const aiRouter = router({
  /**
   * What the panel may offer: available plugins only (an unavailable one has no trained weights
   * or broken files), for the track kind if given. When the service is down the answer is an
   * empty list with the reason, not an error, so the studio keeps working around it.
   */
  plugins: authedProcedure
    .input(z.object({ projectId, trackKind: TrackKindSchema.optional() }))
    .query(async ({ ctx, input }) => {
      await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
      const signal = () => AbortSignal.timeout(PLUGIN_LIST_TIMEOUT_MS)
      try {
        const listed = await ctx.inference.plugins.list.query(undefined, { signal: signal() })
        const versions = new Map<string, string[]>()
        for (const p of listed) {
          if (!p.available) continue
          if (input.trackKind !== undefined && !p.trackKinds.includes(input.trackKind)) continue
          versions.set(p.id, [...(versions.get(p.id) ?? []), p.version])
        }
        // One entry per plugin, its highest available version, with the typed parameters the panel draws.
        const described = await Promise.all(
          [...versions].map(([id, list]) =>
            ctx.inference.plugins.describe.query(
              { id, version: highestSatisfying(list, '*') ?? '*' },
              { signal: signal() },
            ),
          ),
        )
        const plugins = described
          .filter((d) => d.available)
          .map(({ manifest: m }) => ({
            id: m.id,
            version: m.version,
            name: m.name,
            kind: m.kind,
            trackKinds: m.trackKinds,
            description: m.description,
            author: m.author,
            parameters: m.parameters,
            thirdParty: false as const,
            publisher: null,
            capabilities: m.capabilities,
          }))
          .sort((a, b) => a.name.localeCompare(b.name))
        // Third-party plugins this project installed (registry/third-party.ts), after ours.
        const installed = await installedForPanel(ctx.db, input.projectId, input.trackKind)
        return { reachable: true as const, plugins: [...plugins, ...installed] }
      } catch (err) {
        const failure = inferenceFailure(err, PLUGIN_LIST_TIMEOUT_MS)
        return {
          reachable: false as const,
          plugins: [],
          reason: failure.reason,
          message: failure.error.message,
        }
      }
    }),

  suggest: authedProcedure.input(suggestInput).mutation(async ({ ctx, input }) => {
    const busy = ctx.suggestionsInFlight.userRefusal(ctx.user.id)
    if (busy) throw busy.error
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'editor')
    const admitted = ctx.suggestionsInFlight.enter(ctx.user.id, input.projectId, ctx.sessionKey ?? undefined)
    if ('refused' in admitted) throw admitted.refused.error
    try {
      return await suggest(ctx, input)
    } finally {
      admitted.leave()
    }
  }),
})

/** One admitted suggestion: read the window, pick the plugin, ask the service, audit the outcome. */
async function suggest(ctx: AuthedContext, input: z.output<typeof suggestInput>) {
  const seed = input.seed ?? randomInt(0, 0x1_0000_0000)
  const runId = randomUUID()
  const started = performance.now()

  const audit = async (outcome: string, version: string, modelHash: string | null) => {
    await ctx.db.insert(schema.aiRuns).values({
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
      seed,
      variations: input.variations,
      durationMs: Math.round(performance.now() - started),
      outcome,
    })
  }

  // The server's copy: the loaded room if there is one, else the database (versions does the same).
  const doc = new Y.Doc()
  let window: SongWindow
  try {
    Y.applyUpdate(doc, await ctx.songState(input.projectId))
    window = readWindow(doc, input.trackId, input.fromTick, input.toTick)
  } catch (err) {
    if (!(err instanceof SongError)) throw err
    const missing = err.code === 'track_not_found'
    // BAD_REQUEST, not NOT_FOUND: NOT_FOUND means "no such project" to every other router.
    const failure = aiFailure(
      'bad_request',
      missing ? 'track_not_found' : 'invalid_window',
      'BAD_REQUEST',
      missing ? 'This track is not in the song any more (someone may have deleted it).' : err.message,
    )
    await audit(failure.outcome, input.version, null)
    throw failure.error
  } finally {
    doc.destroy()
  }

  // A registry plugin runs only where installed, in the installed version, never once yanked.
  let target: SuggestTarget
  try {
    target = await suggestTarget(ctx.db, input.projectId, input.pluginId)
  } catch (err) {
    if (!(err instanceof ThirdPartyRefusal)) throw err
    await audit(err.failure.outcome, err.version ?? input.version, null)
    throw err.failure.error
  }
  const version = target.thirdParty ? target.version : input.version

  const caller = { userId: ctx.user.id, projectId: input.projectId }
  const request = toSuggestInput(window, {
    parameters: input.parameters,
    seed,
    variations: input.variations,
    deadlineMs: SUGGEST_DEADLINE_MS,
  })
  let result: Awaited<ReturnType<typeof ctx.inference.suggest.mutate>>
  try {
    const signal = AbortSignal.timeout(SUGGEST_DEADLINE_MS + TRANSPORT_GRACE_MS)
    result = target.thirdParty
      ? await suggestThirdParty(ctx.db, ctx.inference, target, request, caller, signal)
      : await ctx.inference.suggest.mutate(
          { pluginId: input.pluginId, version, input: request, caller },
          { signal },
        )
  } catch (err) {
    const failure =
      err instanceof ThirdPartyRefusal ? err.failure : inferenceFailure(err, SUGGEST_DEADLINE_MS)
    await audit(failure.outcome, version, null)
    throw failure.error
  }
  const { provenance } = result
  await audit('ok', provenance.version, provenance.modelHash)
  return {
    runId,
    window: {
      trackId: input.trackId,
      kind: window.track.kind,
      fromTick: input.fromTick,
      toTick: input.toTick,
    },
    // Note starts are relative to window.fromTick, as core's acceptNotesSuggestion expects them.
    suggestions: result.suggestions,
    // The shape of core's AiRun, so the studio can stamp proposals and accepted notes with it.
    provenance: {
      runId,
      pluginId: provenance.pluginId,
      pluginVersion: provenance.version,
      modelHash: provenance.modelHash,
      models: provenance.models,
      seed: provenance.seed,
      requestedBy: ctx.user.id,
      durationMs: provenance.durationMs,
    },
  }
}
