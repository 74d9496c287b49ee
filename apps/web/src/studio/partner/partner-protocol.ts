import {
  LiveNoteEventSchema,
  LiveNoteSchema,
  LiveStartSchema,
  MAX_LIVE_BEAT,
  MAX_LIVE_EVENTS,
  MAX_LIVE_NOTES,
  SongContextSchema,
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

/**
 * The song clock the worker keeps: at `atMs` the song was at `beat`, moving at `bpm`. Times are milliseconds
 * since the epoch on the system clock (`Date.now()`), which the page and its worker read alike: each has its
 * own `performance.now()` origin, and `timeOrigin + now()` of two contexts need not agree (each converts its
 * start to wall time on its own). A millisecond's resolution is well inside the 10 ms scheduling margin.
 */
export const SongAnchorSchema = z.strictObject({
  beat: z.number().min(0).max(MAX_LIVE_BEAT),
  atMs: z.number().positive(),
  bpm: SongContextSchema.shape.bpm,
})
export type SongAnchor = z.infer<typeof SongAnchorSchema>

/** The song at `beat` now, on the clock the page and its worker share. */
export function songAnchor(beat: number, bpm: number): SongAnchor {
  return { beat, atMs: Date.now(), bpm }
}
/** Where the anchored song is at `ms` (never before its start). */
export const beatAt = (a: SongAnchor, ms: number): number =>
  Math.max(0, a.beat + ((ms - a.atMs) * a.bpm) / 60_000)
/** When the anchored song reaches `beat`. */
export const msAt = (a: SongAnchor, beat: number): number => a.atMs + ((beat - a.beat) * 60_000) / a.bpm

/** A planned note and when it sounds (`atMs`, on the shared clock of `SongAnchor`). */
export const TimedNoteSchema = z.strictObject({ note: LiveNoteSchema, atMs: z.number().positive() })
export type TimedNote = z.infer<typeof TimedNoteSchema>

export const ToPartnerWorkerSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('load'),
    kind: z.enum(MODEL_PARTNER_KINDS),
    /** The folder holding `<model>/weights.json`, `model.json` and `model.weights.bin`. */
    modelsUrl: z.string().min(1).max(2048),
    start: LiveStartSchema,
  }),
  z.strictObject({ type: z.literal('hear'), events: z.array(LiveNoteEventSchema).max(MAX_LIVE_EVENTS) }),
  /** Where the song is (null: stopped), sent with the transport's start and on every change of it. */
  z.strictObject({ type: z.literal('clock'), anchor: SongAnchorSchema.nullable() }),
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
  /** One window the worker planned on its own timer: its notes with when they sound, all still ahead. */
  z.strictObject({
    type: z.literal('planned'),
    beats: z.number().positive(),
    notes: z.array(TimedNoteSchema).max(MAX_LIVE_NOTES),
    /** Late in the worker (its plan missed the deadline), or with notes it dropped as too close to sound. */
    late: z.boolean(),
    /** Milliseconds of model execution this plan took (the benchmark's "model ms"). */
    modelMs: z.number().min(0),
  }),
  /** The load or a plan failed: the partner stops. */
  z.strictObject({ type: z.literal('failed'), message: z.string().max(2000) }),
])
export type FromPartnerWorker = z.infer<typeof FromPartnerWorkerSchema>
