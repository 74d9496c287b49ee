import { TRPCError } from '@trpc/server'
import { and, avg, count, eq, inArray } from 'drizzle-orm'
import { z } from 'zod'
import { type Db, schema } from '../db'

/**
 * Ratings of registry plugins by the bands that installed them. One rating per project and plugin (the
 * table's primary key): rating again changes the project's rating, never adds one, so a band cannot stuff
 * the count, and a project that never installed the plugin cannot rate it. Callers check the role (an
 * editor or the owner) first.
 */

export const starsInput = z.int().min(1).max(5)

export interface RatingSummary {
  /** Mean stars over the projects that rated it; null when none has. */
  readonly mean: number | null
  /** Projects that rated it. */
  readonly count: number
}

/** Sets `projectId`'s rating of `pluginId` (an install of it in the project is required). */
export async function ratePlugin(
  db: Db,
  input: { projectId: string; pluginId: string; stars: number; userId: string },
): Promise<void> {
  const [installed] = await db
    .select({ pluginId: schema.projectPlugins.pluginId })
    .from(schema.projectPlugins)
    .where(
      and(
        eq(schema.projectPlugins.projectId, input.projectId),
        eq(schema.projectPlugins.pluginId, input.pluginId),
      ),
    )
  if (installed === undefined)
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
