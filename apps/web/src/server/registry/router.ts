import { TRPCError } from '@trpc/server'
import { z } from 'zod'
import { displayText } from '../../text/display-text'
import { requireRole } from '../projects/access'
import { projectId } from '../projects/inputs'
import { authedProcedure, router } from '../trpc/init'
import {
  describePlugin,
  pluginIdInput,
  pluginsOfPublisher,
  searchInput,
  searchPlugins,
  versionInput,
} from './catalogue'
import { troubleOfPublisher } from './failures'
import { installPlugin, listInstalls, uninstallPlugin } from './installs'
import { yankVersion } from './kill-list'
import {
  becomePublisher,
  createToken,
  listTokens,
  publisherName,
  publisherOf,
  requirePublisher,
  revokeToken,
  tokenLabel,
} from './publishers'
import { projectRatings, ratePlugin, ratingSummaries, starsInput } from './ratings'
import { recommendPlugins, songNeeds } from './recommendations'

/**
 * The plugin registry (docs/PLUGINS.md): publishers and their tokens, the gallery (search and
 * describe, for anyone signed in), yanking (the plugin's publisher only), and installs per project
 * (the owner installs and removes; every member sees the list). Uploads are not here but at
 * `POST /api/plugins/publish` (publish.ts): the CLI sends raw archive bytes with a token.
 */

/** How long the gallery waits for the inference service's list of first-party plugins before showing none. */
const FIRST_PARTY_LIST_TIMEOUT_MS = 5_000

export const registryRouter = router({
  /** The caller's publisher identity, or null: the Publisher page starts here. */
  me: authedProcedure.query(async ({ ctx }) => {
    const publisher = await publisherOf(ctx.db, ctx.user.id)
    if (publisher === null) return { publisher: null, tokens: [], plugins: [] }
    return {
      publisher: { name: publisher.name, createdAt: publisher.createdAt.toISOString() },
      tokens: (await listTokens(ctx.db, publisher.id)).map((t) => ({
        id: t.id,
        label: t.label,
        createdAt: t.createdAt.toISOString(),
        lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
        revokedAt: t.revokedAt?.toISOString() ?? null,
      })),
      plugins: await pluginsOfPublisher(ctx.db, publisher.id),
    }
  }),

  /** The caller's versions' recent failures and the inference service's strikes (failures.ts). */
  failures: authedProcedure.query(async ({ ctx }) => {
    const publisher = await requirePublisher(ctx.db, ctx.user.id)
    return troubleOfPublisher(ctx.db, ctx.inference, publisher.id)
  }),

  becomePublisher: authedProcedure
    .input(z.object({ name: publisherName }))
    .mutation(async ({ ctx, input }) => {
      const publisher = await becomePublisher(ctx.db, ctx.user.id, input.name)
      return { name: publisher.name }
    }),

  /** The token is in this answer and nowhere else, ever. */
  createPublisherToken: authedProcedure
    .input(z.object({ label: tokenLabel.default('CLI') }))
    .mutation(async ({ ctx, input }) => {
      const publisher = await requirePublisher(ctx.db, ctx.user.id)
      const created = await createToken(ctx.db, publisher.id, input.label)
      return { ...created, createdAt: created.createdAt.toISOString() }
    }),

  revokePublisherToken: authedProcedure
    .input(z.object({ tokenId: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      const publisher = await requirePublisher(ctx.db, ctx.user.id)
      await revokeToken(ctx.db, publisher.id, input.tokenId)
      return { ok: true as const }
    }),

  search: authedProcedure.input(searchInput).query(({ ctx, input }) => searchPlugins(ctx.db, input)),

  describe: authedProcedure.input(z.object({ pluginId: pluginIdInput })).query(async ({ ctx, input }) => {
    const plugin = await describePlugin(ctx.db, input.pluginId)
    if (plugin === null) throw new TRPCError({ code: 'NOT_FOUND', message: `No plugin ${input.pluginId}.` })
    return plugin
  }),

  yank: authedProcedure
    .input(
      z.object({
        pluginId: pluginIdInput,
        version: versionInput,
        reason: displayText('Reason', 500),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const publisher = await requirePublisher(ctx.db, ctx.user.id)
      return yankVersion(ctx.db, publisher.id, input, (id, version, signal) =>
        ctx.inference.thirdParty.yank.mutate({ id, version }, { signal }),
      )
    }),

  installs: authedProcedure.input(z.object({ projectId })).query(async ({ ctx, input }) => {
    const role = await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    return { canManage: role === 'owner', installs: await listInstalls(ctx.db, input.projectId) }
  }),

  install: authedProcedure
    .input(z.object({ projectId, pluginId: pluginIdInput, version: versionInput.optional() }))
    .mutation(async ({ ctx, input }) => {
      await requireRole(ctx.db, input.projectId, ctx.user.id, 'owner')
      return installPlugin(ctx.db, { ...input, userId: ctx.user.id })
    }),

  /** Ratings shown in the gallery: per plugin, the mean and how many bands rated; and this project's own. */
  ratings: authedProcedure
    .input(z.object({ pluginIds: z.array(pluginIdInput).max(100), projectId: projectId.optional() }))
    .query(async ({ ctx, input }) => {
      const summaries = await ratingSummaries(ctx.db, input.pluginIds)
      let mine = new Map<string, number>()
      if (input.projectId !== undefined) {
        await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
        mine = await projectRatings(ctx.db, input.projectId)
      }
      return input.pluginIds.map((id) => ({
        pluginId: id,
        ...(summaries.get(id) ?? { mean: null, count: 0 }),
        mine: mine.get(id) ?? null,
      }))
    }),

  /**
   * Ensemble's own plugins as the gallery shows them to be rated (one entry per plugin), from the inference
   * service; none while it cannot be reached (the gallery then shows the registry alone).
   */
  firstParty: authedProcedure.query(async ({ ctx }) => {
    try {
      const listed = await ctx.inference.plugins.list.query(undefined, {
        signal: AbortSignal.timeout(FIRST_PARTY_LIST_TIMEOUT_MS),
      })
      const byId = new Map<string, (typeof listed)[number]>()
      for (const p of listed) if (p.available && !byId.has(p.id)) byId.set(p.id, p)
      return [...byId.values()]
        .map(({ id, name, kind, trackKinds, description }) => ({ id, name, kind, trackKinds, description }))
        .sort((a, b) => a.name.localeCompare(b.name))
    } catch {
      return []
    }
  }),

  /**
   * A band's rating of a plugin it installed (or, first-party, used): one per project, changed by rating
   * again (ratings.ts).
   */
  rate: authedProcedure
    .input(z.object({ projectId, pluginId: pluginIdInput, stars: starsInput }))
    .mutation(async ({ ctx, input }) => {
      await requireRole(ctx.db, input.projectId, ctx.user.id, 'editor')
      await ratePlugin(ctx.db, { ...input, userId: ctx.user.id })
      const summary = (await ratingSummaries(ctx.db, [input.pluginId])).get(input.pluginId)
      return { pluginId: input.pluginId, mine: input.stars, ...summary }
    }),

  /** Plugins for this song's tracks and what it could use next (recommendations.ts). */
  recommended: authedProcedure.input(z.object({ projectId })).query(async ({ ctx, input }) => {
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    const needs = songNeeds(await ctx.songState(input.projectId))
    return recommendPlugins(ctx.db, input.projectId, needs)
  }),

  uninstall: authedProcedure
    .input(z.object({ projectId, pluginId: pluginIdInput }))
    .mutation(async ({ ctx, input }) => {
      await requireRole(ctx.db, input.projectId, ctx.user.id, 'owner')
      await uninstallPlugin(ctx.db, input.projectId, input.pluginId)
      return { ok: true as const }
    }),
})
