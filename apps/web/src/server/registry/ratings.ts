import { TRPCError } from '@trpc/server'
import { and, avg, count, eq, inArray } from 'drizzle-orm'
import { z } from 'zod'
import { type Db, schema } from '../db'
import { RESERVED_ID_PREFIX } from './publish'

/**
 * Ratings of plugins by the bands that use them: registry plugins by the projects that installed them, and
 * Ensemble's own (first-party, ids under RESERVED_ID_PREFIX, in every project without an install) by the
 * projects that ran them on their song (a successful run in ai_runs). One rating per project and plugin (the
 * table's primary key): rating again changes the project's rating, never adds one, so a band cannot stuff
 * the count, and a project that never installed or used the plugin cannot rate it. Callers check the role
 * (an editor or the owner) first.
 */

export const starsInput = z.int().min(1).max(5)

export interface RatingSummary {
  /** Mean stars over the projects that rated it; null when none has. */
  readonly mean: number | null
  /** Projects that rated it. */
  readonly count: number
}

/** Whether the project ran this first-party plugin successfully at least once: its "install". */
async function usedFirstParty(db: Db, projectId: string, pluginId: string): Promise<boolean> {
  const [run] = await db
    .select({ id: schema.aiRuns.id })
    .from(schema.aiRuns)
    .where(
      and(
        eq(schema.aiRuns.projectId, projectId),
        eq(schema.aiRuns.pluginId, pluginId),
        eq(schema.aiRuns.outcome, 'ok'),
      ),
    )
    .limit(1)
  return run !== undefined
}

async function installed(db: Db, projectId: string, pluginId: string): Promise<boolean> {
  const [row] = await db
    .select({ pluginId: schema.projectPlugins.pluginId })
    .from(schema.projectPlugins)
    .where(and(eq(schema.projectPlugins.projectId, projectId), eq(schema.projectPlugins.pluginId, pluginId)))
  return row !== undefined
}

/**
 * Sets `projectId`'s rating of `pluginId`: a registry plugin the project installed, or a first-party plugin it
 * has used.
 */
export async function ratePlugin(
  db: Db,
  input: { projectId: string; pluginId: string; stars: number; userId: string },
): Promise<void> {
  if (input.pluginId.startsWith(RESERVED_ID_PREFIX)) {
    if (!(await usedFirstParty(db, input.projectId, input.pluginId)))
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: 'Only a band that has used this plugin on its song can rate it.',
      })
  } else if (!(await installed(db, input.projectId, input.pluginId)))
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only a band that installed this plugin can rate it.' })
  const now = new Date()
  await db
    .insert(schema.pluginRatings)
    .values({ ...input, ratedBy: input.userId, updatedAt: now })
    .onConflictDoUpdate({
      target: [schema.pluginRatings.projectId, schema.pluginRatings.pluginId],
      set: { stars: input.stars, ratedBy: input.userId, updatedAt: now },
    })
}

/** Each plugin's summary (plugins nobody rated: mean null, count 0). */
export async function ratingSummaries(
  db: Db,
  pluginIds: readonly string[],
): Promise<Map<string, RatingSummary>> {
  const out = new Map<string, RatingSummary>(pluginIds.map((id) => [id, { mean: null, count: 0 }]))
  if (pluginIds.length === 0) return out
  const rows = await db
    .select({
      pluginId: schema.pluginRatings.pluginId,
      mean: avg(schema.pluginRatings.stars),
      count: count(),
    })
    .from(schema.pluginRatings)
    .where(inArray(schema.pluginRatings.pluginId, [...pluginIds]))
    .groupBy(schema.pluginRatings.pluginId)
  for (const r of rows) out.set(r.pluginId, { mean: r.mean === null ? null : Number(r.mean), count: r.count })
  return out
}

/** The project's own ratings, by plugin. */
export async function projectRatings(db: Db, projectId: string): Promise<Map<string, number>> {
  const rows = await db
    .select({ pluginId: schema.pluginRatings.pluginId, stars: schema.pluginRatings.stars })
    .from(schema.pluginRatings)
    .where(eq(schema.pluginRatings.projectId, projectId))
  return new Map(rows.map((r) => [r.pluginId, r.stars]))
}
