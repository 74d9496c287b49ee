/*
 * Where a comment points in the song, and where that place is now. A comment is stored outside the
 * song (the server's database), so its anchor names the music by id and keeps the position it had when
 * the comment was written; the live song says where that music is now. A clip that moves takes its
 * comments along, to another track too; a clip or notes that are gone leave the comment where they last were, marked removed.
 */
import { z } from 'zod'
import { type AudioClip, type ClipSnapshot, MAX_TICK, type SongSnapshot, type TrackSnapshot } from './schema'

const id = z.string().min(1).max(64)
const tick = z.int().min(0).max(MAX_TICK)

/** The most notes one comment may point at (a selection; more is a time range's job). */
export const MAX_ANCHOR_NOTES = 256

export const CommentAnchorSchema = z
  .strictObject({
    /** Song ticks, absolute, when the comment was written. */
    start: tick,
    end: tick,
    trackId: id.optional(),
    clipId: id.optional(),
    noteIds: z.array(id).min(1).max(MAX_ANCHOR_NOTES).optional(),
  })
  .refine((a) => a.end >= a.start, 'an anchor ends at or after its start')
  .refine((a) => a.clipId === undefined || a.trackId !== undefined, 'a clip anchor names its track')
  .refine((a) => a.noteIds === undefined || a.clipId !== undefined, 'a note anchor names its clip')
export type CommentAnchor = z.infer<typeof CommentAnchorSchema>

/** An anchor as stored with its comment: plus the clip's start then, so a moved clip moves it. */
export interface PlacedAnchor extends CommentAnchor {
  clipStart?: number
}

/** Why an anchor no longer finds its music. */
export type AnchorLoss = 'track' | 'clip' | 'notes'

export interface AnchorPosition {
  start: number
  end: number
  /** The track to draw the marker on, if the anchor has one and it still exists. */
  trackId: string | null
  /** Null while the music is there; otherwise what went, and `start`/`end` say where it last was. */
  lost: AnchorLoss | null
}

/** A comment can point at a MIDI clip or an audio clip (which has no notes to point at). */
type AnyClip = ClipSnapshot | AudioClip

const clipsOf = (track: TrackSnapshot): readonly AnyClip[] => [...track.clips, ...track.audioClips]

const notesOf = (clip: AnyClip): ClipSnapshot['notes'] => ('notes' in clip ? clip.notes : [])

/**
 * Checks an anchor against the song it is written on, before it is stored: the track, clip and notes it
 * names exist there (so no comment points into another song). Returns the anchor to store, with the
 * clip's start, or a sentence saying what is wrong.
 */
export const placeAnchor = (
  song: SongSnapshot,
  anchor: CommentAnchor,
): { ok: true; anchor: PlacedAnchor } | { ok: false; reason: string } => {
  if (anchor.trackId === undefined) return { ok: true, anchor }
  const track = song.tracks.find((t) => t.id === anchor.trackId)
  if (track === undefined) return { ok: false, reason: 'No such track in this song.' }
  if (anchor.clipId === undefined) return { ok: true, anchor }
  const clip = clipsOf(track).find((c) => c.id === anchor.clipId)
  if (clip === undefined) return { ok: false, reason: 'No such clip on this track.' }
  if (anchor.noteIds !== undefined) {
    const ids = new Set(notesOf(clip).map((n) => n.id))
    if (!anchor.noteIds.every((n) => ids.has(n))) return { ok: false, reason: 'No such notes in this clip.' }
  }
  return { ok: true, anchor: { ...anchor, clipStart: clip.start } }
}

/**
 * The clip a comment names, wherever it is now: under its id, or re-created on another track by a move (its
 * `movedFrom` lists the id, however many moves ago). Two users moving the clip to two tracks at once leave
 * two such clips; the one with the smallest id wins, so every viewer shows the comment on the same one.
 */
const findClip = (song: SongSnapshot, clipId: string): { clip: AnyClip; trackId: string } | undefined => {
  let best: { clip: AnyClip; trackId: string } | undefined
  for (const track of song.tracks) {
    for (const clip of clipsOf(track)) {
      if (clip.id === clipId) return { clip, trackId: track.id }
      if (clip.movedFrom?.includes(clipId) && (best === undefined || clip.id < best.clip.id))
        best = { clip, trackId: track.id }
    }
  }
  return best
}

/**
 * Where an anchor is in the song now. `last` is the position it was last seen at (a viewer that watched
 * the clip move keeps that); without it, a lost anchor stays where it was written.
 */
export const resolveAnchor = (
  song: SongSnapshot,
  anchor: PlacedAnchor,
  last?: AnchorPosition,
): AnchorPosition => {
  const written = { start: anchor.start, end: anchor.end }
  const lostAt = (lost: AnchorLoss): AnchorPosition => ({
    ...(last === undefined ? written : { start: last.start, end: last.end }),
    trackId: last?.trackId ?? null,
    lost,
  })
  if (anchor.trackId === undefined) return { ...written, trackId: null, lost: null }
  const track = song.tracks.find((t) => t.id === anchor.trackId)
  if (anchor.clipId === undefined) {
    return track === undefined ? lostAt('track') : { ...written, trackId: track.id, lost: null }
  }
  const found = findClip(song, anchor.clipId)
  if (found === undefined)
    return track === undefined ? lostAt('track') : { ...lostAt('clip'), trackId: track.id }
  const { clip, trackId } = found
  const shift = clip.start - (anchor.clipStart ?? clip.start)
  if (anchor.noteIds === undefined)
    return { start: anchor.start + shift, end: anchor.end + shift, trackId, lost: null }
  const wanted = new Set(anchor.noteIds)
  const notes = notesOf(clip).filter((n) => wanted.has(n.id))
  if (notes.length === 0) return { ...lostAt('notes'), trackId }
  // The notes themselves may have moved inside the clip: span what is left of them.
  const start = Math.min(...notes.map((n) => n.start)) + clip.start
  const end = Math.max(...notes.map((n) => n.start + n.duration)) + clip.start
  return { start, end, trackId, lost: null }
}
