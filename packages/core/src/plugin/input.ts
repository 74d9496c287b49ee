import { z } from 'zod'
import type { Key } from '../music/scales'
import { KeySchema, TimeSignatureSchema } from '../music/schemas'
import { MAX_BPM, MIN_BPM } from '../music/time'
import {
  MAX_CONTEXT_TRACKS,
  MAX_WINDOW_TICKS,
  notesOutsideWindow,
  notesSchema,
  trackKindSchema,
} from './window'

/*
 * What the host gives `suggest`: the song's meta, the target track's window, the other tracks in the same
 * window as context, parameter values, a seed and a time budget. Plain JSON, so the same input can later
 * cross into a sandbox, be logged, or be replayed to reproduce a suggestion.
 */

/** The song's key, under the name the plugin contract has always given it (the schema is core's music module's). */
export const SongKeySchema = KeySchema
export type SongKey = Key

export const SongContextSchema = z.strictObject({
  bpm: z.number().min(MIN_BPM).max(MAX_BPM),
  timeSignature: TimeSignatureSchema,
  key: SongKeySchema,
})
export type SongContext = z.infer<typeof SongContextSchema>

const trackId = z.string().min(1).max(64)

export const TargetWindowSchema = z
  .strictObject({
    trackId,
    kind: trackKindSchema,
    fromTick: z.int().min(0),
    toTick: z.int().min(1),
    notes: notesSchema,
  })
  .superRefine((w, ctx) => {
    const length = w.toTick - w.fromTick
    if (length <= 0) ctx.addIssue({ code: 'custom', path: ['toTick'], message: 'must be after fromTick' })
    else if (length > MAX_WINDOW_TICKS)
      ctx.addIssue({
        code: 'custom',
        path: ['toTick'],
        message: `window longer than ${MAX_WINDOW_TICKS} ticks`,
      })
    else notesOutsideWindow(w.notes, length, ctx, ['notes'], false)
  })
export type TargetWindow = z.infer<typeof TargetWindowSchema>

export const ContextTrackSchema = z.strictObject({
  trackId,
  name: z.string().max(200),
  kind: trackKindSchema,
  instrument: z.string().min(1).max(200).nullable(),
  notes: notesSchema,
})
export type ContextTrack = z.infer<typeof ContextTrackSchema>

export const MAX_VARIATIONS = 8
/** Ten minutes: a ceiling for the wire format; the inference service caps it much lower. */
export const MAX_DEADLINE_MS = 600_000

export const SuggestInputSchema = z
  .strictObject({
    song: SongContextSchema,
    target: TargetWindowSchema,
    context: z.array(ContextTrackSchema).max(MAX_CONTEXT_TRACKS),
    /** Checked against the manifest by `resolveParameters`; here only their JSON shape. */
    parameters: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
    /** Any unsigned 32-bit integer; the same seed with the same input gives the same suggestions. */
    seed: z.int().min(0).max(0xffff_ffff),
    /** How many alternative suggestions the caller wants; a plugin may return fewer. */
    variations: z.int().min(1).max(MAX_VARIATIONS),
    /** The caller's time budget in milliseconds, counted from when the host receives the request. */
    deadlineMs: z.int().min(1).max(MAX_DEADLINE_MS),
  })
  .superRefine((input, ctx) => {
    const length = input.target.toTick - input.target.fromTick
    if (length <= 0 || length > MAX_WINDOW_TICKS) return
    input.context.forEach((track, i) => {
      notesOutsideWindow(track.notes, length, ctx, ['context', i, 'notes'], false)
    })
  })
export type SuggestInput = z.infer<typeof SuggestInputSchema>
