import {
  type BandModel,
  type Decision,
  type FeatureVector,
  learnBandModel,
  rankVariations,
  type SongWindow,
  variationContext,
  variationFeatures,
} from '@ensemble/core'
import type { Suggestion } from '@ensemble/core/plugin'
import { TRPCError } from '@trpc/server'
import { and, desc, eq, isNotNull } from 'drizzle-orm'
import { type Db, schema } from '../db'

/**
 * The band's decisions on AI proposals, and the ranking they teach (core band-ranker.ts). Every query here is
 * scoped to one project: a band's decisions never reach another band's ranker.
 */

/** Most recent decisions a ranking is fitted on: a band's taste drifts, and the fit stays cheap. */
export const DECISIONS_REMEMBERED = 200

/** The project's model, fitted on its own most recent decisions that kept a variation. */
export async function bandModel(db: Db, projectId: string): Promise<BandModel> {
  const rows = await db
    .select({ kept: schema.aiDecisions.kept, variations: schema.aiRuns.variationFeatures })
    .from(schema.aiDecisions)
    .innerJoin(schema.aiRuns, eq(schema.aiRuns.id, schema.aiDecisions.runId))
    .where(
      and(
        eq(schema.aiDecisions.projectId, projectId),
        // The run's own project too: the join cannot cross bands even if a row were ever mis-tied.
        eq(schema.aiRuns.projectId, projectId),
        isNotNull(schema.aiDecisions.kept),
      ),
    )
    .orderBy(desc(schema.aiDecisions.createdAt))
    .limit(DECISIONS_REMEMBERED)
  const decisions: Decision[] = rows.flatMap((r) =>
    r.kept === null || r.variations === null ? [] : [{ variations: r.variations, kept: r.kept }],
  )
  return learnBandModel(decisions)
}

export interface RankedSuggestions<S extends Suggestion> {
  /** The variations, best first. */
  readonly suggestions: S[]
  readonly features: FeatureVector[]
  readonly reasons: string[][]
}

/** Orders a run's variations for this band; the features come back in the same order, to store with the run. */
export function rankSuggestions<S extends Suggestion>(
  model: BandModel,
  window: SongWindow,
  suggestions: readonly S[],
): RankedSuggestions<S> {
  const context = variationContext(window)
  const features = suggestions.map((s) => variationFeatures(s, context, s.likelihood))
  const ranked = rankVariations(model, features)
  return {
    suggestions: ranked.map((r) => suggestions[r.index] as S),
    features: ranked.map((r) => features[r.index] as FeatureVector),
    reasons: ranked.map((r) => [...r.reasons]),
  }
}

/**
 * Records what the band did with a run's proposal (kept variation `kept`, or null: dismissed). The run must
 * be this project's and have offered variations; the first decision on a run stands (a second editor who
 * acted on the same proposal, or a replayed call, changes nothing). Resolves whether this call recorded it.
 */
export async function recordDecision(
  db: Db,
  projectId: string,
  userId: string,
  runId: string,
  kept: number | null,
): Promise<boolean> {
  const [run] = await db
    .select({ variations: schema.aiRuns.variationFeatures })
    .from(schema.aiRuns)
    .where(and(eq(schema.aiRuns.id, runId), eq(schema.aiRuns.projectId, projectId)))
  if (run === undefined || run.variations === null)
    throw new TRPCError({ code: 'NOT_FOUND', message: 'No suggestion of this project with that run' })
  if (kept !== null && kept >= run.variations.length)
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `Variation ${kept} does not exist; this suggestion had ${run.variations.length}`,
    })
  const inserted = await db
    .insert(schema.aiDecisions)
    .values({ runId, projectId, userId, kept })
    .onConflictDoNothing()
    .returning({ runId: schema.aiDecisions.runId })
  return inserted.length > 0
}
