import type { InferenceClient } from '@ensemble/inference/client'
import { and, desc, eq, gt, inArray, max, ne, sql } from 'drizzle-orm'
import { type Db, schema } from '../db'

/**
 * What a publisher sees of their versions' trouble (the Publisher page's failures view). Failures are the
 * audit rows `ai.suggest` already writes for every call (`ai_runs`, outcome = the service's reason), counted
 * per version and reason: no project, song or person is named. Strikes are the inference service's own
 * count (apps/inference's sandbox runner): each failure that was the plugin's fault in the last window; at
 * the limit the version is suspended until the window passes. They live in the service's memory, so they
 * are read from it, and the page says so when it cannot be reached.
 */

/** How far back the failures view counts. */
export const FAILURE_WINDOW_DAYS = 30
const STATUS_TIMEOUT_MS = 5_000

/** What each audited outcome means, for the plugin's author. */
const OUTCOME_MEANING: Record<string, string> = {
  timeout: 'ran past the sandbox’s time budget and was stopped',
  memory: 'ran out of the sandbox’s memory and was stopped',
  stack: 'recursed deeper than the sandbox’s stack allows',
  invalid_output: 'returned output the studio refuses (wrong types, pitches, ticks or counts)',
  output_too_large: 'returned more JSON than the sandbox lets out',
  plugin_threw: 'threw an error (or its promise rejected)',
  bad_bundle: 'its bundle did not load in the sandbox',
  aborted: 'was stopped by the host before it finished',
  suspended: 'was refused: suspended after too many strikes',
  yanked: 'was refused: the version is withdrawn',
  infrastructure: 'the service’s sandbox thread failed under the call (not counted as a strike)',
  busy: 'the service was busy; the plugin did not run',
  not_loaded: 'the service could not fetch the version',
  not_installed: 'a song asked for it without installing it',
}

export interface VersionFailure {
  outcome: string
  meaning: string
  count: number
  lastAt: string
}

export interface VersionStrikes {
  /** Failures that were the plugin's fault within the service's strike window. */
  strikes: number
  suspended: boolean
  lastStrike: { at: string; code: string; message: string } | null
}

export interface VersionTrouble {
  pluginId: string
  version: string
  failures: VersionFailure[]
  /** Null when the service has not loaded this version since it started. */
  strikes: VersionStrikes | null
}

export interface PublisherTrouble {
  windowDays: number
  /** False when the inference service did not answer: strikes are unknown, not zero. */
  strikesKnown: boolean
  versions: VersionTrouble[]
}

export async function troubleOfPublisher(
  db: Db,
  inference: InferenceClient,
  publisherId: string,
): Promise<PublisherTrouble> {
  const versions = await db
    .select({ pluginId: schema.pluginVersions.pluginId, version: schema.pluginVersions.version })
    .from(schema.pluginVersions)
    .innerJoin(schema.plugins, eq(schema.plugins.id, schema.pluginVersions.pluginId))
    .where(eq(schema.plugins.publisherId, publisherId))
    .orderBy(schema.pluginVersions.pluginId, desc(schema.pluginVersions.publishedAt))
  if (versions.length === 0) return { windowDays: FAILURE_WINDOW_DAYS, strikesKnown: true, versions: [] }

  const since = new Date(Date.now() - FAILURE_WINDOW_DAYS * 24 * 60 * 60_000)
  const rows = await db
    .select({
      pluginId: schema.aiRuns.pluginId,
      version: schema.aiRuns.version,
      outcome: schema.aiRuns.outcome,
      count: sql<number>`count(*)::int`,
      lastAt: max(schema.aiRuns.createdAt),
    })
    .from(schema.aiRuns)
    .where(
      and(
        inArray(schema.aiRuns.pluginId, [...new Set(versions.map((v) => v.pluginId))]),
        ne(schema.aiRuns.outcome, 'ok'),
        gt(schema.aiRuns.createdAt, since),
      ),
    )
    .groupBy(schema.aiRuns.pluginId, schema.aiRuns.version, schema.aiRuns.outcome)

  let status: Awaited<ReturnType<InferenceClient['thirdParty']['status']['query']>> | null
  try {
    status = await inference.thirdParty.status.query(undefined, {
      signal: AbortSignal.timeout(STATUS_TIMEOUT_MS),
    })
  } catch {
    status = null
  }

  return {
    windowDays: FAILURE_WINDOW_DAYS,
    strikesKnown: status !== null,
    versions: versions.map(({ pluginId, version }) => {
      const loaded = status?.find((s) => s.id === pluginId && s.version === version)
      return {
        pluginId,
        version,
        failures: rows
          .filter((r) => r.pluginId === pluginId && r.version === version)
          .sort((a, b) => b.count - a.count || a.outcome.localeCompare(b.outcome))
          .map((r) => ({
            outcome: r.outcome,
            meaning: OUTCOME_MEANING[r.outcome] ?? 'failed',
            count: Number(r.count),
            lastAt: (r.lastAt ?? since).toISOString(),
          })),
        strikes: loaded
          ? {
              strikes: loaded.strikes,
              suspended: loaded.suspended,
              lastStrike: loaded.lastFailure
                ? {
                    at: new Date(loaded.lastFailure.at).toISOString(),
                    code: loaded.lastFailure.code,
                    message: loaded.lastFailure.message,
                  }
                : null,
            }
          : null,
      }
    }),
  }
}
