'use client'

import { type ChangePlace, PPQ, readClip, readTrack, type SongChangeKind } from '@ensemble/core'
import type { StudioHandle } from '../studio-context'

/**
 * "Jump there" for a line of the since-you-left summary: the playhead moves to where the change
 * starts, and what it touched is selected, which is how the arrangement (clips) and the piano roll
 * (notes, with the clip open) highlight things. Ids the song no longer has (a clip removed since) are
 * left out; a place with nothing left to select still moves the playhead and picks the track.
 */
export function jumpTo(studio: StudioHandle, place: ChangePlace, kind?: SongChangeKind): void {
  const doc = studio.session.doc
  // Effects have no place in time: the line opens the chain (a track's, a bus's or the master's) instead.
  if (kind === 'effects' && place.trackId !== null) {
    studio.view.set({ chainOwner: place.trackId })
    return
  }
  if (place.start !== null) studio.transport.seek(place.start)
  const trackId = place.trackId !== null && readTrack(doc, place.trackId) ? place.trackId : null
  if (trackId === null) return
  const clips = place.clipIds.flatMap((clipId) => {
    const clip = readClip(doc, trackId, clipId)
    return clip === undefined ? [] : [clip]
  })
  const [only] = clips
  if (only !== undefined && clips.length === 1 && place.noteIds.length > 0) {
    const wanted = new Set(place.noteIds)
    const notes = only.notes.filter((n) => wanted.has(n.id))
    studio.view.set({
      selectedTrackId: trackId,
      editor: { trackId, clipId: only.id },
      editorMode: 'piano',
      selection: { kind: 'notes', trackId, clipId: only.id, noteIds: notes.map((n) => n.id) },
    })
    // After the roll has opened (it starts at the clip's beginning): a beat before the first changed note.
    const scrollTick = Math.max(0, (notes[0]?.start ?? 0) - PPQ)
    requestAnimationFrame(() => studio.view.set((s) => ({ roll: { ...s.roll, scrollTick } })))
  } else if (clips.length > 0) {
    studio.view.set({
      selectedTrackId: trackId,
      selection: { kind: 'clips', clips: clips.map((c) => ({ trackId, clipId: c.id })) },
    })
  } else {
    studio.view.set({ selectedTrackId: trackId })
  }
  // The arrangement scrolls to the first clip once React has drawn the selection.
  const firstClip = clips[0]?.id
  if (firstClip !== undefined) {
    requestAnimationFrame(() => {
      document
        .querySelector(`[data-clip-id="${CSS.escape(firstClip)}"]`)
        ?.scrollIntoView({ block: 'nearest', inline: 'center' })
    })
  }
}
