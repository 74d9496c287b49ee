import type { FeatureVector } from '@ensemble/core'
import { bigint, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { users } from './accounts'
import { projects } from './projects'

/**
 * One row per `ai.suggest` call that passed the role check, whatever its outcome: who asked which
 * plugin, with what parameters and seed, how long it took and how it ended. With the seed and the
 * song's history a suggestion can be reproduced; with the failures an operator sees a sick service.
 */
export const aiRuns = pgTable(
  'ai_runs',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    // Kept when the account goes: the run happened, only the name is gone.
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    trackId: text('track_id').notNull(),
    fromTick: integer('from_tick').notNull(),
    toTick: integer('to_tick').notNull(),
    pluginId: text('plugin_id').notNull(),
    /** The version that ran; the requested range when the call failed before one was chosen. */
    version: text('version').notNull(),
    /** The model digest from the service's provenance; null when the call failed. */
    modelHash: text('model_hash'),
    /** The parameters as the caller sent them (the service fills defaults). */
    parameters: jsonb('parameters').$type<Record<string, number | boolean | string>>().notNull(),
    // bigint: a uint32 seed does not fit PostgreSQL's signed integer.
    seed: bigint('seed', { mode: 'number' }).notNull(),
    variations: integer('variations').notNull(),
    durationMs: integer('duration_ms').notNull(),
    /** `ok`, or the stable failure reason (busy, deadline_exceeded, plugin_failed, service_unreachable, …). */
    outcome: text('outcome').notNull(),
    /**
     * The figures of each variation offered (core variation-features.ts), in the order the proposal shows
     * them; null when the run offered nothing. A decision on the run teaches the band's ranker with these.
     */
    variationFeatures: jsonb('variation_features').$type<FeatureVector[]>(),
    /**
     * The proposal this run wrote into the song and the ids it gave its variations, in the same order as
     * variationFeatures: a decision names them, and only what is here can be decided (ai/band-decisions.ts).
     */
    proposalId: text('proposal_id'),
    variationIds: jsonb('variation_ids').$type<string[]>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('ai_runs_project_idx').on(t.projectId, t.createdAt),
    index('ai_runs_proposal_idx').on(t.projectId, t.proposalId),
  ],
)

/**
 * What the band did with a run's proposal: kept one variation (its index in the proposal) or dismissed them
 * all (kept null). One per run, the first report wins. Only this project's rows ever train this project's
 * ranker (ai/band-decisions.ts).
 */
export const aiDecisions = pgTable(
  'ai_decisions',
  {
    runId: text('run_id')
      .primaryKey()
      .references(() => aiRuns.id, { onDelete: 'cascade' }),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    kept: integer('kept'),
    /**
     * On a dismissal, the variation the band was looking at when it dismissed (its index), or null when not
     * known: that variation is the negative evidence a dismissal teaches (core band-ranker.ts).
     */
    dismissed: integer('dismissed'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('ai_decisions_project_idx').on(t.projectId, t.createdAt)],
)
