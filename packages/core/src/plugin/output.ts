import { z } from 'zod'
import { issuesFromZod, PluginError } from './errors'
import type { PluginKind } from './manifest'
import { notesOutsideWindow, notesSchema, trackKindSchema } from './window'

/*
 * What `suggest` returns. A plugin proposes data; only the host writes to the song, through the same
 * operations a person uses. Everything is checked here, so a buggy or hostile plugin cannot put a pitch
 * 200, a note outside the selection or a million notes in front of the band.
 */

export const MAX_ARRANGER_TRACKS = 16

const label = z.string().min(1, 'must not be empty').max(80)

/**
 * Optional: how likely the plugin's own model finds this variation, as the mean natural-log probability per
 * sampled step (or note) under the model that drew it, so at most 0. The studio's ranker compares it only
 * between variations of the same suggestion (standardised there), so any consistent per-step measure of one
 * plugin works; a plugin without a model, or that cannot say, leaves it out and is ranked by the musical checks.
 */
const likelihood = z.number().min(-1e6).max(0).optional()

export const NotesSuggestionSchema = z.strictObject({ label, notes: notesSchema, likelihood })
export type NotesSuggestion = z.infer<typeof NotesSuggestionSchema>

export const NewTrackSchema = z.strictObject({
  name: z.string().min(1, 'must not be empty').max(200),
  kind: trackKindSchema,
  /** An instrument preset id from the studio's catalogue, or null to let the studio choose. */
  instrument: z.string().min(1).max(200).nullable(),
  notes: notesSchema,
})
export type NewTrack = z.infer<typeof NewTrackSchema>

export const TracksSuggestionSchema = z.strictObject({
  label,
  tracks: z.array(NewTrackSchema).min(1, 'an arrangement needs at least one track').max(MAX_ARRANGER_TRACKS),
  likelihood,
})
export type TracksSuggestion = z.infer<typeof TracksSuggestionSchema>

export const SuggestionSchema = z.union([NotesSuggestionSchema, TracksSuggestionSchema])
export type Suggestion = z.infer<typeof SuggestionSchema>

export const SuggestOutputSchema = z.strictObject({ suggestions: z.array(SuggestionSchema) })
export type SuggestOutput = z.infer<typeof SuggestOutputSchema>

/** What a plugin may return, depending on its kind: an arranger adds tracks, the others fill the target. */
export type SuggestionFor<K extends PluginKind> = K extends 'arranger' ? TracksSuggestion : NotesSuggestion

export interface OutputLimits {
  kind: PluginKind
  /** The window's length in ticks: every note must start and end inside it. */
  windowTicks: number
  variations: number
}

export function validateOutput(raw: unknown, limits: OutputLimits): SuggestOutput {
  const arranger = limits.kind === 'arranger'
  const schema = z
    .strictObject({
      suggestions: z
        .array(arranger ? TracksSuggestionSchema : NotesSuggestionSchema)
        .max(limits.variations, `at most ${limits.variations} suggestion(s) were asked for`),
    })
    .superRefine((out, ctx) => {
      out.suggestions.forEach((s, i) => {
        if ('tracks' in s)
          s.tracks.forEach((track, t) => {
            notesOutsideWindow(
              track.notes,
              limits.windowTicks,
              ctx,
              ['suggestions', i, 'tracks', t, 'notes'],
              true,
            )
          })
        else notesOutsideWindow(s.notes, limits.windowTicks, ctx, ['suggestions', i, 'notes'], true)
      })
    })
  const parsed = schema.safeParse(raw)
  if (!parsed.success)
    throw new PluginError('invalid_output', issuesFromZod(parsed.error), 'invalid plugin output')
  return parsed.data
}
