import {
  AiProposalOrigin,
  addProposal,
  readWindow,
  SongError,
  type SongWindow,
  TrackKindSchema,
  toSuggestInput,
} from '@ensemble/core'
import {
  highestSatisfying,
  MAX_NOTES_PER_TRACK,
  MAX_VARIATIONS,
  MAX_WINDOW_TICKS,
  PluginNoteSchema,
} from '@ensemble/core/plugin'
import { eq } from 'drizzle-orm'
import { z } from 'zod'
import type { Room } from '../collab/room'
import { schema } from '../db'
import { requireRole } from '../projects/access'
import { projectId } from '../projects/inputs'
import {
  installedForPanel,
  type SuggestTarget,
  suggestTarget,
  ThirdPartyRefusal,
} from '../registry/third-party'
import { type AuthedContext, authedProcedure, router } from '../trpc/init'
import { backgroundInput, makeBackground } from './background'
import { bandModel, rankSuggestions, recordDecision } from './band-decisions'
import { aiFailure, busyFailure, inferenceFailure, refusalFailure } from './errors'
import { inferAndPropose, PLUGIN_LIST_TIMEOUT_MS, SUGGEST_DEADLINE_MS, startRun } from './run'

/**
 * AI suggestions (docs/PLUGINS.md, docs/ARCHITECTURE.md "AI suggestions"). The browser names a window of a
 * track; the server reads that window from the song's room (held on this instance for the whole call; a
 * client could send a stale or forged window), asks the inference service, writes an audit row for every
 * run that passed the role check, failed or not, and writes the answer into the song as a proposal whose
 * run is sealed and carries the audit row's id (collab/write-rules.ts). The call answers once the proposal
 * is stored; an editor accepts one in the studio (core `acceptProposal`), undoably.
 *
 * Failures are ReasonedErrors: the client reads `data.reason` ('unavailable', 'busy', 'deadline',
 * 'plugin_unavailable', 'plugin_failed', 'bad_request') and shows the message.
 *
 * A user, and a song, may have only so many suggestions running (suggestions-in-flight.ts); one more is
 * refused as 'busy' before anything is read or asked, and is not audited: a flood of refusals writes nothing.
 * The inference service is told who the call is for (user, song, a plugin's publisher), for its own shares.
 */

export { SUGGEST_DEADLINE_MS } from './run'

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

/** The first-party live partners (packages/plugins/src/live), by the kind the partner panel names. */
export const PARTNER_PLUGINS = {
  'call-response': { id: 'studio.ensemble.live.call-response', name: 'call and response' },
  drummer: { id: 'studio.ensemble.live.drummer', name: 'drummer' },
  bass: { id: 'studio.ensemble.live.bass', name: 'bass' },
} as const
export type PartnerKind = keyof typeof PARTNER_PLUGINS

/*
 * What the partner panel keeps: the notes a live partner played in the browser, relative to fromTick. Strict:
 * everything the proposal will hold is named here and checked again by core's ProposalSchema.
 */
const keepInput = z
  .strictObject({
    projectId,
    trackId: z.string().min(1).max(64),
    partner: z.enum(Object.keys(PARTNER_PLUGINS) as [PartnerKind, ...PartnerKind[]]),
    pluginVersion: z.string().min(1).max(64),
    /** The digest of the model the browser ran, as it declares it ('none' for a partner without one). */
    modelHash: z.string().regex(/^([0-9a-f]{64}|none)$/),
    seed: z.int().min(0).max(0xffff_ffff),
    fromTick: tick,
    toTick: tick,
    notes: z.array(PluginNoteSchema).min(1).max(MAX_NOTES_PER_TRACK),
  })
  .refine((i) => i.toTick > i.fromTick && i.toTick - i.fromTick <= MAX_WINDOW_TICKS, {
    path: ['toTick'],
    message: `must be after fromTick, by at most ${MAX_WINDOW_TICKS} ticks`,
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
            training: m.training ?? null,
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

  /**
   * What the band did with a proposal the server wrote: kept the variation `kept` or dismissed it (null),
   * then optionally naming the variation `shown` when it did. Variations are named by the ids the server gave
   * them and checked against the ones it stored with the run (band-decisions.ts); a variation that was not
   * offered is refused. It teaches this band's ranker only.
   */
  decide: authedProcedure
    .input(
      z.strictObject({
        projectId,
        proposalId: z.uuid(),
        kept: z.uuid().nullable(),
        shown: z.uuid().nullable().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await requireRole(ctx.db, input.projectId, ctx.user.id, 'editor')
      const recorded = await recordDecision(ctx.db, input.projectId, ctx.user.id, input)
      return { recorded }
    }),

  suggest: authedProcedure
    .input(suggestInput)
    .mutation(({ ctx, input }) => admitted(ctx, input.projectId, () => suggest(ctx, input))),

  /**
   * The background music maker (./background.ts): a whole song from the "New background track" settings,
   * as one proposal of four tracks. An editor's, counted as a suggestion running (one user's and one song's
   * limits), on the song's room like a suggestion.
   */
  background: authedProcedure.input(backgroundInput).mutation(({ ctx, input }) =>
    admitted(ctx, input.projectId, () => {
      const holding = performance.now()
      return ctx.holdRoom(input.projectId, (room) => {
        ctx.timing.add('room', performance.now() - holding)
        return makeBackground(ctx, room, input)
      })
    }),
  ),

  /**
   * "Keep" in the partner panel: what an AI partner played becomes a proposal like any suggestion, on the
   * same server-written path (audited in ai_runs, sealed run, core addProposal), named "AI partner <kind>".
   * The partner ran in the browser, so the run records the model digest the browser declares; the seal
   * says this server wrote the proposal for this user, not that it ran the model.
   */
  keepPartnerTake: authedProcedure.input(keepInput).mutation(async ({ ctx, input }) => {
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'editor')
    const plugin = PARTNER_PLUGINS[input.partner]
    return ctx.holdRoom(input.projectId, async (room) => {
      try {
        readWindow(room.doc, input.trackId, input.fromTick, input.toTick)
      } catch (err) {
        if (!(err instanceof SongError)) throw err
        throw aiFailure('bad_request', err.code, 'BAD_REQUEST', err.message).error
      }
      // The same audit row as every run (./run.ts): one place knows the ai_runs columns.
      const record = startRun(
        ctx,
        { ...input, pluginId: plugin.id, version: input.pluginVersion, parameters: {}, variations: 1 },
        input.seed,
      )
      await record.audit('ok', input.pluginVersion, input.modelHash)
      const runId = record.runId
      const run = ctx.writeRules.seal({
        runId,
        pluginId: plugin.id,
        pluginVersion: input.pluginVersion,
        modelHash: input.modelHash,
        seed: input.seed,
        requestedBy: ctx.user.id,
      })
      const pluginName = `AI partner ${plugin.name}`
      let proposalId = ''
      try {
        room.commitServerEdit(new AiProposalOrigin(run), (doc) => {
          proposalId = addProposal(doc, run, {
            kind: 'notes',
            trackId: input.trackId,
            fromTick: input.fromTick,
            toTick: input.toTick,
            pluginId: plugin.id,
            pluginName,
            pluginVersion: input.pluginVersion,
            requestedByName: ctx.user.name.slice(0, 200),
            variations: [{ label: pluginName, notes: input.notes }],
          })
        })
      } catch (err) {
        if (!(err instanceof SongError)) throw err
        await ctx.db
          .update(schema.aiRuns)
          .set({ outcome: 'invalid_output' })
          .where(eq(schema.aiRuns.id, runId))
        throw aiFailure('bad_request', 'invalid_output', 'BAD_REQUEST', err.message).error
      }
      await room.allStored()
      return { runId, proposalId, pluginName }
    })
  }),
})

/**
 * A run for an editor only, within the user's and the song's limits of runs in progress: one more is
 * refused as busy before anything is read or asked (and is not audited).
 */
async function admitted<T>(ctx: AuthedContext, projectId: string, run: () => Promise<T>): Promise<T> {
  const busy = ctx.suggestionsInFlight.userRefusal(ctx.user.id)
  if (busy) throw busyFailure(busy).error
  await ctx.timing.time('role', () => requireRole(ctx.db, projectId, ctx.user.id, 'editor'))
  const entered = ctx.suggestionsInFlight.enter(ctx.user.id, projectId)
  if ('refused' in entered) throw busyFailure(entered.refused).error
  try {
    return await run()
  } finally {
    entered.leave()
  }
}

/** One admitted suggestion, on the song's room held here from reading the window to writing the proposal. */
function suggest(ctx: AuthedContext, input: SuggestRequest) {
  const holding = performance.now()
  return ctx.holdRoom(input.projectId, (room) => {
    ctx.timing.add('room', performance.now() - holding)
    return suggestInRoom(ctx, room, input)
  })
}

type SuggestRequest = z.output<typeof suggestInput>

/** Read the window, pick the plugin, ask the service, audit the outcome, write the proposal. */
async function suggestInRoom(ctx: AuthedContext, room: Room, input: SuggestRequest) {
  const record = startRun(ctx, input, input.seed)

  // The live song in the room: what every client has been told is saved, and more.
  let window: SongWindow
  try {
    window = readWindow(room.doc, input.trackId, input.fromTick, input.toTick)
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
    await record.audit(failure.outcome, input.version, null)
    throw failure.error
  }

  // A registry plugin runs only where installed, in the installed version, never once yanked.
  let target: SuggestTarget
  try {
    target = await ctx.timing.time('target', () => suggestTarget(ctx.db, input.projectId, input.pluginId))
  } catch (err) {
    if (!(err instanceof ThirdPartyRefusal)) throw err
    const failure = refusalFailure(err)
    await record.audit(failure.outcome, err.version ?? input.version, null)
    throw failure.error
  }

  const request = toSuggestInput(window, {
    parameters: input.parameters,
    seed: record.seed,
    variations: input.variations,
    deadlineMs: SUGGEST_DEADLINE_MS,
  })
  const ran = await inferAndPropose(ctx, room, input, record, target, request, async (offered) =>
    rankSuggestions(await ctx.timing.time('rank', () => bandModel(ctx.db, input.projectId)), window, offered),
  )
  return {
    ...ran,
    window: {
      trackId: input.trackId,
      kind: window.track.kind,
      fromTick: input.fromTick,
      toTick: input.toTick,
    },
  }
}
