import {
  LiveNoteEventSchema,
  LiveNoteSchema,
  LiveStartSchema,
  LiveWindowSchema,
  MAX_LIVE_EVENTS,
  MAX_LIVE_NOTES,
} from '@ensemble/core/plugin'
import { z } from 'zod'

/*
 * The messages between the studio and its partner worker (partner-worker.ts), both ways checked with these
 * schemas on arrival: the worker trusts no page message and the page no worker message. The live payloads
 * reuse core's live schemas, so a window or a note means here what it means to `startLive`.
 */

export const MODEL_PARTNER_KINDS = ['call-response', 'drummer'] as const
export type ModelPartnerKind = (typeof MODEL_PARTNER_KINDS)[number]

/** Where the studio serves the worker and the committed weights (copied by scripts/build-partner-worker.mjs). */
export const PARTNER_ASSETS_PATH = '/partner'
export const PARTNER_WORKER_URL = `${PARTNER_ASSETS_PATH}/worker.js`

export const ToPartnerWorkerSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('load'),
    kind: z.enum(MODEL_PARTNER_KINDS),
    /** The folder holding `<model>/weights.json`, `model.json` and `model.weights.bin`. */
    modelsUrl: z.string().min(1).max(2048),
    start: LiveStartSchema,
  }),
  z.strictObject({ type: z.literal('hear'), events: z.array(LiveNoteEventSchema).max(MAX_LIVE_EVENTS) }),
  z.strictObject({ type: z.literal('plan'), id: z.int().min(0), window: LiveWindowSchema }),
  z.strictObject({ type: z.literal('stop') }),
])
export type ToPartnerWorker = z.infer<typeof ToPartnerWorkerSchema>

export const FromPartnerWorkerSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('ready'),
    version: z.string().min(1).max(64),
    /** SHA-256 of the weights the worker verified and runs: what Keep declares. */
    modelHash: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  z.strictObject({
    type: z.literal('planned'),
    id: z.int().min(0),
    notes: z.array(LiveNoteSchema).max(MAX_LIVE_NOTES),
    late: z.boolean(),
    /** Milliseconds of model execution this plan took (the benchmark's "model ms"). */
    modelMs: z.number().min(0),
  }),
  /** A plan that failed (`id`), or the load (no id): the partner stops. */
  z.strictObject({ type: z.literal('failed'), id: z.int().min(0).optional(), message: z.string().max(2000) }),
])
export type FromPartnerWorker = z.infer<typeof FromPartnerWorkerSchema>
