import type * as Y from 'yjs'
import { z } from 'zod'
import { SongError } from './errors'
import { newId } from './ids'
import { AiAcceptedOrigin, type EditOrigin } from './origins'
import { MAX_TICK, type Note, NoteSchema } from './schema'
import { commit, notesOf, parse, readClipFields, requireClip, requireNotes, type YRecord } from './ydoc'

export const DEFAULT_VELOCITY = 100

const NoteInputSchema = NoteSchema.pick({
  pitch: true,
  start: true,
  duration: true,
  provenance: true,
}).extend({ velocity: NoteSchema.shape.velocity.default(DEFAULT_VELOCITY) })
export type NoteInput = z.input<typeof NoteInputSchema>

/**
 * Validates new notes and gives them ids. Under an AiAcceptedOrigin each note is stamped with the run's
 * provenance, which then travels with the note through moves, copies and splits: the note itself says
 * which plugin, version, model and seed wrote it, and who asked and who accepted. A note that already
 * carries provenance (a copy, a MIDI file exported by Ensemble) keeps it under any other origin.
 */
export const stampNotes = (inputs: readonly NoteInput[], origin: EditOrigin): Note[] => {
  if (!Array.isArray(inputs)) throw new SongError('invalid_value', 'notes must be an array')
  const provenance = origin instanceof AiAcceptedOrigin ? origin.provenance : undefined
  return inputs.map((input, i) => {
    const fields = parse(NoteInputSchema, input, `note ${i}`)
    const note: Note = { id: newId(), ...fields, ...(provenance ? { provenance } : {}) }
    if (note.provenance === undefined) delete note.provenance
    return parse(NoteSchema, note, `note ${i}`)
  })
}

/** Writes whole replacement values for notes already validated against NoteSchema. */
const writeNotes = (doc: Y.Doc, origin: EditOrigin, clip: YRecord, notes: readonly Note[]): void => {
  commit(doc, origin, () => {
    const map = notesOf(clip)
    for (const note of notes) map.set(note.id, note)
  })
}

/** Applies `edit` to each listed note; every result is validated before anything is written. */
const editNotes = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  noteIds: readonly string[],
  edit: (note: Note, clip: YRecord) => Note,
): void => {
  const clip = requireClip(doc, trackId, clipId)
  const edited = requireNotes(clip, noteIds).map((note) =>
    parse(NoteSchema, edit(note, clip), `note ${note.id}`),
  )
  writeNotes(doc, origin, clip, edited)
}

export const addNotes = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  notes: readonly NoteInput[],
): string[] => {
  const clip = requireClip(doc, trackId, clipId)
  const stamped = stampNotes(notes, origin)
  writeNotes(doc, origin, clip, stamped)
  return stamped.map((n) => n.id)
}

export const addNote = (doc: Y.Doc, origin: EditOrigin, trackId: string, clipId: string, note: NoteInput) =>
  addNotes(doc, origin, trackId, clipId, [note])[0]!

const deltaTicksSchema = z.int().min(-MAX_TICK).max(MAX_TICK)
const deltaPitchSchema = z.int().min(-127).max(127)
const Delta = z.strictObject({
  deltaTicks: deltaTicksSchema.default(0),
  deltaPitch: deltaPitchSchema.default(0),
})
const CopyOffset = z.strictObject({
  deltaTicks: deltaTicksSchema.optional(),
  deltaPitch: deltaPitchSchema.optional(),
})

/** Shifts notes in time and/or pitch, all or nothing: one note pushed out of range refuses the whole move. */
export const moveNotes = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  noteIds: readonly string[],
  delta: z.input<typeof Delta>,
): void => {
  const { deltaTicks, deltaPitch } = parse(Delta, delta, 'note move')
  editNotes(doc, origin, trackId, clipId, noteIds, (n) => ({
    ...n,
    start: n.start + deltaTicks,
    pitch: n.pitch + deltaPitch,
  }))
}

export const transposeNotes = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  noteIds: readonly string[],
  semitones: number,
): void => {
  const deltaPitch = parse(deltaPitchSchema, semitones, 'transpose interval')
  moveNotes(doc, origin, trackId, clipId, noteIds, { deltaPitch })
}

const Resize = z.union([
  z.strictObject({ duration: NoteSchema.shape.duration }),
  z.strictObject({ deltaDuration: z.int().min(-MAX_TICK).max(MAX_TICK) }),
])

/** Sets every listed note to one duration, or changes each by the same amount (a drag on several ends). */
export const resizeNotes = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  noteIds: readonly string[],
  size: z.input<typeof Resize>,
): void => {
  const value = parse(Resize, size, 'note size')
  editNotes(doc, origin, trackId, clipId, noteIds, (n) => ({
    ...n,
    duration: 'duration' in value ? value.duration : n.duration + value.deltaDuration,
  }))
}

export const setNoteVelocities = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  noteIds: readonly string[],
  velocity: number,
): void => {
  const value = parse(NoteSchema.shape.velocity, velocity, 'velocity')
  editNotes(doc, origin, trackId, clipId, noteIds, (n) => ({ ...n, velocity: value }))
}

const NotePatch = NoteSchema.pick({ id: true, pitch: true, start: true, duration: true, velocity: true })
  .partial()
  .required({ id: true })
export type NotePatch = z.input<typeof NotePatch>

/** Per-note edits in one step, for tools that compute each note's new value themselves. */
export const updateNotes = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  patches: readonly NotePatch[],
): void => {
  if (!Array.isArray(patches)) throw new SongError('invalid_value', 'patches must be an array')
  const parsed = patches.map((p, i) => parse(NotePatch, p, `note patch ${i}`))
  const byId = new Map(parsed.map((p) => [p.id, p]))
  // The id list keeps duplicates, so requireNotes refuses a note patched twice instead of one silently winning.
  editNotes(
    doc,
    origin,
    trackId,
    clipId,
    parsed.map((p) => p.id),
    (n) => ({ ...n, ...byId.get(n.id) }),
  )
}

export const deleteNotes = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  noteIds: readonly string[],
): void => {
  const clip = requireClip(doc, trackId, clipId)
  requireNotes(clip, noteIds)
  commit(doc, origin, () => {
    const map = notesOf(clip)
    for (const id of noteIds) map.delete(id)
  })
}

/**
 * Copies notes under new ids, shifted by the delta; with no deltaTicks the copy lands right after the
 * selection, as Ctrl+D does in a piano roll. Returns the new ids in input order.
 */
export const duplicateNotes = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  noteIds: readonly string[],
  delta: z.input<typeof CopyOffset> = {},
): string[] => {
  const clip = requireClip(doc, trackId, clipId)
  const sources = requireNotes(clip, noteIds)
  const parsed = parse(CopyOffset, delta, 'note copy offset')
  const span =
    sources.length === 0
      ? 0
      : Math.max(...sources.map((n) => n.start + n.duration)) - Math.min(...sources.map((n) => n.start))
  const deltaTicks = parsed.deltaTicks ?? span
  const deltaPitch = parsed.deltaPitch ?? 0
  const copies = sources.map((n) =>
    parse(
      NoteSchema,
      { ...n, id: newId(), start: n.start + deltaTicks, pitch: n.pitch + deltaPitch },
      `copy of note ${n.id}`,
    ),
  )
  writeNotes(doc, origin, clip, copies)
  return copies.map((n) => n.id)
}

const Quantize = z.strictObject({
  /** Grid step in ticks, e.g. PPQ / 4 for sixteenths. The grid is anchored at song tick 0, not the clip. */
  grid: z.int().min(1).max(MAX_TICK),
  /** 1 snaps onto the grid, 0.5 moves halfway there, 0 leaves notes where they are. */
  strength: z.number().min(0).max(1).default(1),
  /** Also snap note ends (keeping at least one grid step, or the original length if shorter). */
  ends: z.boolean().default(false),
})

const snap = (tick: number, grid: number, strength: number): number =>
  Math.round(tick + (Math.round(tick / grid) * grid - tick) * strength)

export const quantizeNotes = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  noteIds: readonly string[],
  options: z.input<typeof Quantize>,
): void => {
  const { grid, strength, ends } = parse(Quantize, options, 'quantize options')
  editNotes(doc, origin, trackId, clipId, noteIds, (n, clip) => {
    const clipStart = readClipFields('', clip).start
    // A note cannot start before its clip, so one that would snap there lands on the clip start instead.
    const start = Math.max(0, snap(clipStart + n.start, grid, strength) - clipStart)
    if (!ends) return { ...n, start }
    const end = snap(clipStart + n.start + n.duration, grid, strength) - clipStart
    return { ...n, start, duration: Math.max(end - start, Math.min(n.duration, grid)) }
  })
}
