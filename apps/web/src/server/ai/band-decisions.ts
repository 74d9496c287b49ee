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
import { and, desc, eq, isNotNull, or } from 'drizzle-orm'
import { type Db, schema } from '../db'

/**
 * The band's decisions on AI proposals, and the ranking they teach (core band-ranker.ts). Every query here is
 * scoped to one project: a band's decisions never reach another band's ranker.
 */

/** Most recent decisions a ranking is fitted on: a band's taste drifts, and the fit stays cheap. */
export const DECISIONS_REMEMBERED = 200

/** The project's model, fitted on its own most recent decisions (kept, or dismissed on a variation). */
export async function bandModel(db: Db, projectId: string): Promise<BandModel> {
  const rows = await db
    .select({
      kept: schema.aiDecisions.kept,
      dismissed: schema.aiDecisions.dismissed,
      variations: schema.aiRuns.variationFeatures,
    })
    .from(schema.aiDecisions)
    .innerJoin(schema.aiRuns, eq(schema.aiRuns.id, schema.aiDecisions.runId))
    .where(
      and(
        eq(schema.aiDecisions.projectId, projectId),
        // The run's own project too: the join cannot cross bands even if a row were ever mis-tied.
        eq(schema.aiRuns.projectId, projectId),
        or(isNotNull(schema.aiDecisions.kept), isNotNull(schema.aiDecisions.dismissed)),
      ),
    )
    .orderBy(desc(schema.aiDecisions.createdAt))
    .limit(DECISIONS_REMEMBERED)
  const decisions: Decision[] = rows.flatMap((r) =>
    r.variations === null ? [] : [{ variations: r.variations, kept: r.kept, dismissed: r.dismissed }],
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

/** What a client says the band did, naming the variations by the ids the server gave them. */
export interface DecisionReport {
  readonly proposalId: string
  /** The variation kept, or null: the suggestion was dismissed. */
  readonly kept: string | null
  /** On a dismissal, the variation the band was looking at when it dismissed (optional). */
  readonly shown?: string | null | undefined
}

/**
 * Records what the band did with a proposal the server wrote. The proposal must be this project's, written by
 * a run that offered variations; the variations named must be ones that run offered (by the ids stored with
 * it, never an index the client picks): anything else is refused with a message saying so. The first decision
 * on a run stands (a second editor who acted on the same proposal, or a replayed call, changes nothing).
 * Resolves whether this call recorded it.
 */
export async function recordDecision(
  db: Db,
  projectId: string,
  userId: string,
  report: DecisionReport,
): Promise<boolean> {
  const [run] = await db
    .select({
      id: schema.aiRuns.id,
      variations: schema.aiRuns.variationFeatures,
      variationIds: schema.aiRuns.variationIds,
    })
    .from(schema.aiRuns)
    .where(and(eq(schema.aiRuns.projectId, projectId), eq(schema.aiRuns.proposalId, report.proposalId)))
  if (run === undefined || run.variations === null || run.variationIds === null)
    throw new TRPCError({ code: 'NOT_FOUND', message: 'No suggestion of this project with that proposal' })
  const ids = run.variationIds
  const offered = (variationId: string): number => {
    const index = ids.indexOf(variationId)
    if (index === -1 || index >= (run.variations?.length ?? 0))
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: `Variation "${variationId}" was not offered in this suggestion (it offered ${ids.length})`,
      })
    return index
  }
  const kept = report.kept === null ? null : offered(report.kept)
  const dismissed = kept === null && report.shown != null ? offered(report.shown) : null
  const inserted = await db
    .insert(schema.aiDecisions)
    .values({ runId: run.id, projectId, userId, kept, dismissed })
    .onConflictDoNothing()
    .returning({ runId: schema.aiDecisions.runId })
  return inserted.length > 0
}
