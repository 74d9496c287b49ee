import type * as Y from 'yjs'
import { z } from 'zod'
import { SongError } from './errors'
import { newId } from './ids'
import { type NoteInput, stampNotes } from './notes'
import type { EditOrigin } from './origins'
import { type Clip, ClipSchema, MAX_TICK, type Note } from './schema'
import {
  applyClipMoves,
  clipsOf,
  commit,
  createClipMap,
  movedFromAfter,
  notesOf,
  parse,
  readClipFields,
  requireClip,
  requireTrack,
  type YRecord,
} from './ydoc'

const AddClipInput = z.strictObject({
  start: ClipSchema.shape.start,
  length: ClipSchema.shape.length,
  name: ClipSchema.shape.name.optional(),
  loopLength: ClipSchema.shape.loopLength.optional(),
  liveTake: ClipSchema.shape.liveTake,
})
export type AddClipInput = z.input<typeof AddClipInput> & { notes?: readonly NoteInput[] }

/** A detached copy of a clip with fresh clip and note ids, ready to insert into any track. */
export const copyClip = (clipId: string, clip: YRecord, changes: Partial<Omit<Clip, 'id' | 'movedFrom'>>) => {
  const id = newId()
  // A copy is new music, not the clip moved: comments on the original stay with the original.
  const { movedFrom: _movedFrom, ...source } = readClipFields(clipId, clip)
  const fields: Clip = { ...source, ...changes, id }
  const notes = [...notesOf(clip).values()].map((n) => ({ ...n, id: newId() }))
  return { id, y: createClipMap(fields, notes) }
}

/**
 * The clip re-created on another track by a move: a new clip id (see moveClips), the same note ids (they
 * only need to be unique within their clip), and the ids it had before, so comments find it.
 */
const movedClip = (clipId: string, clip: YRecord, start: number) => {
  const id = newId()
  const fields = readClipFields(clipId, clip)
  const movedFrom = movedFromAfter(clipId, fields.movedFrom)
  return { id, y: createClipMap({ ...fields, start, id, movedFrom }, [...notesOf(clip).values()]) }
}

export const addClip = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  input: AddClipInput,
): { clipId: string; noteIds: string[] } => {
  const track = requireTrack(doc, trackId)
  const { notes: noteInputs = [], ...rest } = input ?? ({} as AddClipInput)
  const fields = parse(AddClipInput, rest, 'clip')
  const notes = stampNotes(noteInputs, origin)
  const clip: Clip = { name: '', loopLength: null, ...fields, id: newId() }
  commit(doc, origin, () => clipsOf(track).set(clip.id, createClipMap(clip, notes)))
  return { clipId: clip.id, noteIds: notes.map((n) => n.id) }
}

export interface ClipRef {
  readonly trackId: string
  readonly clipId: string
}

const MoveClipsInput = z.strictObject({
  deltaTicks: z.int().min(-MAX_TICK).max(MAX_TICK),
  toTrackId: z.string().optional(),
})

/**
 * Moves clips by the same offset, optionally onto another track. A clip that changes track is re-created
 * there under a new clip id (Yjs has no move between maps) that records the old one in `movedFrom`: two
 * users moving the same clip to two tracks then get two copies rather than one clip id in two places.
 * Returns the resulting clip ids, in input order.
 */
export const moveClips = (
  doc: Y.Doc,
  origin: EditOrigin,
  clips: readonly ClipRef[],
  move: z.input<typeof MoveClipsInput>,
): string[] => {
  const { deltaTicks, toTrackId } = parse(MoveClipsInput, move, 'clip move')
  if (!Array.isArray(clips)) throw new SongError('invalid_value', 'clips must be an array')
  const target = toTrackId === undefined ? null : requireTrack(doc, toTrackId)
  const seen = new Set<string>()
  const plan = clips.map((ref) => {
    const y = requireClip(doc, ref.trackId, ref.clipId)
    if (seen.has(ref.clipId)) throw new SongError('invalid_value', `Clip ${ref.clipId} is listed twice`)
    seen.add(ref.clipId)
    const start = parse(
      ClipSchema.shape.start,
      readClipFields(ref.clipId, y).start + deltaTicks,
      'clip start',
    )
    const crossing = toTrackId !== undefined && toTrackId !== ref.trackId
    return {
      ...ref,
      stay: () => y.set('start', start),
      copy: crossing ? movedClip(ref.clipId, y, start) : null,
    }
  })
  return applyClipMoves(doc, origin, target, plan)
}

/** Moves one clip to an absolute start tick; see moveClips for what changing track does to ids. */
export const moveClip = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  to: { start: number; toTrackId?: string },
): string => {
  const y = requireClip(doc, trackId, clipId)
  const start = parse(ClipSchema.shape.start, to?.start, 'clip start')
  const deltaTicks = start - readClipFields(clipId, y).start
  const move = to.toTrackId === undefined ? { deltaTicks } : { deltaTicks, toTrackId: to.toTrackId }
  return moveClips(doc, origin, [{ trackId, clipId }], move)[0]!
}

const ResizeClipInput = z.strictObject({
  length: ClipSchema.shape.length.optional(),
  loopLength: ClipSchema.shape.loopLength.optional(),
})

/**
 * Changes the clip's right edge and/or loop. Notes are left alone: ones past the new end stay in the clip,
 * silent, and come back if it grows again (as in most DAWs).
 */
export const resizeClip = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  size: z.input<typeof ResizeClipInput>,
): void => {
  const y = requireClip(doc, trackId, clipId)
  const { length, loopLength } = parse(ResizeClipInput, size, 'clip size')
  commit(doc, origin, () => {
    if (length !== undefined) y.set('length', length)
    if (loopLength !== undefined) y.set('loopLength', loopLength)
  })
}

export const renameClip = (doc: Y.Doc, origin: EditOrigin, trackId: string, clipId: string, name: string) => {
  const y = requireClip(doc, trackId, clipId)
  const value = parse(ClipSchema.shape.name, name, 'clip name')
  commit(doc, origin, () => y.set('name', value))
}

export const deleteClips = (doc: Y.Doc, origin: EditOrigin, clips: readonly ClipRef[]): void => {
  if (!Array.isArray(clips)) throw new SongError('invalid_value', 'clips must be an array')
  for (const ref of clips) requireClip(doc, ref.trackId, ref.clipId)
  commit(doc, origin, () => {
    for (const ref of clips) clipsOf(requireTrack(doc, ref.trackId)).delete(ref.clipId)
  })
}

export const deleteClip = (doc: Y.Doc, origin: EditOrigin, trackId: string, clipId: string): void =>
  deleteClips(doc, origin, [{ trackId, clipId }])

/** Copies a clip (new clip and note ids); by default right after itself on the same track. */
export const duplicateClip = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  to: { start?: number; toTrackId?: string } = {},
): string => {
  const y = requireClip(doc, trackId, clipId)
  const target = requireTrack(doc, to.toTrackId ?? trackId)
  const source = readClipFields(clipId, y)
  const start = parse(ClipSchema.shape.start, to.start ?? source.start + source.length, 'clip start')
  const copy = copyClip(clipId, y, { start })
  commit(doc, origin, () => clipsOf(target).set(copy.id, copy.y))
  return copy.id
}

/**
 * Cuts a clip in two at an absolute tick strictly inside it. Notes starting at or after the cut move to the
 * new right-hand clip (new ids, starts shifted); notes crossing the cut are shortened to end there. Looping
 * clips are refused: which repetition a note belongs to is a choice the user should make by unlooping first.
 */
export const splitClip = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  atTick: number,
): { leftClipId: string; rightClipId: string } => {
  const track = requireTrack(doc, trackId)
  const y = requireClip(doc, trackId, clipId)
  const clip = readClipFields(clipId, y)
  const at = parse(ClipSchema.shape.start, atTick, 'split tick')
  if (at <= clip.start || at >= clip.start + clip.length) {
    throw new SongError(
      'out_of_range',
      `Split tick ${at} is not inside the clip (${clip.start}..${clip.start + clip.length})`,
    )
  }
  if (clip.loopLength !== null) throw new SongError('unsupported', 'Unloop a clip before splitting it')
  const cut = at - clip.start
  const keep: Note[] = []
  const moved: Note[] = []
  const movedFrom: string[] = []
  for (const note of notesOf(y).values()) {
    if (note.start >= cut) {
      movedFrom.push(note.id)
      moved.push({ ...note, id: newId(), start: note.start - cut })
    } else if (note.start + note.duration > cut) keep.push({ ...note, duration: cut - note.start })
  }
  // The right half is new: comments on the clip's earlier ids stay with the left half, which keeps its id.
  const { movedFrom: _movedFrom, ...left } = clip
  const right: Clip = { ...left, id: newId(), start: at, length: clip.length - cut }
  commit(doc, origin, () => {
    y.set('length', cut)
    const notes = notesOf(y)
    for (const id of movedFrom) notes.delete(id)
    for (const note of keep) notes.set(note.id, note)
    clipsOf(track).set(right.id, createClipMap(right, moved))
  })
  return { leftClipId: clipId, rightClipId: right.id }
}
