import { addClip, type ClipRef, type ClipSnapshot, readTrack, type UserOrigin } from '@ensemble/core'
import type * as Y from 'yjs'

/**
 * Pastes copied clips at `at`, keeping their spacing, onto `targetTrackId` or else their own tracks. Each
 * clip is one addClip (its notes come with it); a paste of several clips is several undo steps.
 */
export function pasteClips(
  doc: Y.Doc,
  me: UserOrigin,
  clips: readonly { readonly trackId: string; readonly offset: number; readonly clip: ClipSnapshot }[],
  at: number,
  targetTrackId: string | null,
): ClipRef[] {
  const refs: ClipRef[] = []
  for (const { trackId, offset, clip } of clips) {
    const track = targetTrackId ?? trackId
    if (!readTrack(doc, track)) continue
    const { clipId } = addClip(doc, me, track, {
      start: at + offset,
      length: clip.length,
      name: clip.name,
      loopLength: clip.loopLength,
      notes: clip.notes.map((n) => ({
        pitch: n.pitch,
        start: n.start,
        duration: n.duration,
        velocity: n.velocity,
      })),
    })
    refs.push({ trackId: track, clipId })
  }
  return refs
}
