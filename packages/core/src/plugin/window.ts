import { z } from 'zod'
import { ticksPerBar } from '../music/time'
import { PLUGIN_TRACK_KINDS } from './manifest'

/*
 * The plain-JSON view of a song window that crosses the plugin boundary, in and out. Ticks at the song's PPQ
 * (music/time.ts). Every note's `start` counts from the window's start (`fromTick`), so a model sees the
 * same numbers wherever in the song the window sits; `fromTick`/`toTick` stay absolute for bar phase.
 */

/** 128 bars of 4/4: far more than a suggestion window needs, small enough to bound a request. */
export const MAX_WINDOW_TICKS = ticksPerBar({ numerator: 4, denominator: 4 }) * 128
export const MAX_NOTES_PER_TRACK = 4096
export const MAX_CONTEXT_TRACKS = 32

export const PluginNoteSchema = z.strictObject({
  pitch: z.int().min(0).max(127),
  start: z.int().min(0),
  duration: z.int().min(1),
  velocity: z.int().min(1).max(127),
})
export type PluginNote = z.infer<typeof PluginNoteSchema>

export const notesSchema = z.array(PluginNoteSchema).max(MAX_NOTES_PER_TRACK)

export const trackKindSchema = z.enum(PLUGIN_TRACK_KINDS)

/** Notes that start outside `[0, length)`; the caller clips sustained notes to the window before sending. */
export function notesOutsideWindow(
  notes: readonly PluginNote[],
  length: number,
  ctx: z.RefinementCtx,
  path: PropertyKey[],
  mustEndInside: boolean,
): void {
  notes.forEach((note, i) => {
    if (note.start >= length)
      ctx.addIssue({
        code: 'custom',
        path: [...path, i, 'start'],
        message: `starts at ${note.start}, past the window's ${length} ticks`,
      })
    else if (mustEndInside && note.start + note.duration > length)
      ctx.addIssue({
        code: 'custom',
        path: [...path, i, 'duration'],
        message: `ends at ${note.start + note.duration}, past the window's ${length} ticks`,
      })
  })
}
