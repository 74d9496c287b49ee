import {
  type AnchorPosition,
  type CommentAnchor,
  type PlacedAnchor,
  resolveAnchor,
  type SongSnapshot,
} from '@ensemble/core'
import type { CommentView } from '../../discussion/events'
import type { ViewState } from '../view/view-store'

/**
 * Between the studio and the anchors core resolves: what a new comment points at (the selection, else the
 * loop, else the bar under the playhead), and where each comment is now, remembering where a comment's
 * music last was so a removed clip's comment stays at the place this tab last saw it.
 */

export function anchorFromView(
  song: SongSnapshot,
  view: ViewState,
  playhead: number,
  bar: number,
): CommentAnchor {
  const { selection } = view
  if (selection.kind === 'clips' && selection.clips[0] !== undefined) {
    const { trackId, clipId } = selection.clips[0]
    const clip = song.tracks.find((t) => t.id === trackId)?.clips.find((c) => c.id === clipId)
    if (clip !== undefined) return { start: clip.start, end: clip.start + clip.length, trackId, clipId }
  }
  if (selection.kind === 'notes' && selection.noteIds.length > 0) {
    const clip = song.tracks
      .find((t) => t.id === selection.trackId)
      ?.clips.find((c) => c.id === selection.clipId)
    const notes = clip?.notes.filter((n) => selection.noteIds.includes(n.id)) ?? []
    if (clip !== undefined && notes.length > 0)
      return {
        start: clip.start + Math.min(...notes.map((n) => n.start)),
        end: clip.start + Math.max(...notes.map((n) => n.start + n.duration)),
        trackId: selection.trackId,
        clipId: selection.clipId,
        noteIds: notes.map((n) => n.id).slice(0, 256),
      }
  }
  const track = view.selectedTrackId === null ? {} : { trackId: view.selectedTrackId }
  if (view.loop.enabled) return { start: view.loop.start, end: view.loop.end, ...track }
  const start = Math.floor(Math.max(0, playhead) / bar) * bar
  return { start, end: start + bar, ...track }
}

export function placedOf(comment: CommentView): PlacedAnchor | null {
  const a = comment.anchor
  if (a === null) return null
  return {
    start: a.start,
    end: a.end,
    ...(a.trackId === undefined ? {} : { trackId: a.trackId }),
    ...(a.clipId === undefined ? {} : { clipId: a.clipId }),
    ...(a.noteIds === undefined ? {} : { noteIds: a.noteIds }),
    ...(a.clipStart === undefined ? {} : { clipStart: a.clipStart }),
  }
}

/** Resolves every thread's anchor, keeping the last place each was seen in `memory`. */
export function placeComments(
  song: SongSnapshot,
  comments: Iterable<CommentView>,
  memory: Map<string, AnchorPosition>,
): Map<string, AnchorPosition> {
  const out = new Map<string, AnchorPosition>()
  for (const c of comments) {
    const anchor = placedOf(c)
    if (anchor === null) continue
    const position = resolveAnchor(song, anchor, memory.get(c.id))
    if (position.lost === null) memory.set(c.id, position)
    out.set(c.id, position)
  }
  return out
}

/** "bar 9", "bars 9–10": where a position is, as musicians count. */
export function barLabel(position: { start: number; end: number }, bar: number): string {
  const first = Math.floor(position.start / bar) + 1
  const last = Math.max(first, Math.ceil(position.end / bar))
  return first === last ? `bar ${first}` : `bars ${first}–${last}`
}

export const lossText: Record<NonNullable<AnchorPosition['lost']>, string> = {
  track: 'the track was removed',
  clip: 'the clip was removed',
  notes: 'the notes were removed',
}
