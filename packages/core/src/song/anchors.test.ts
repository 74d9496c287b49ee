import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { PPQ } from '../music/time'
import { CommentAnchorSchema, placeAnchor, resolveAnchor } from './anchors'
import { addClip, deleteClip, duplicateClip, moveClip, splitClip } from './clips'
import { createSongDoc } from './migrate'
import { deleteNotes, moveNotes } from './notes'
import { RemoteOrigin, UserOrigin } from './origins'
import { readSong } from './read'
import { addTrack, deleteTrack } from './tracks'

const alice = new UserOrigin('alice')
const BAR = PPQ * 4

const setup = () => {
  const doc = createSongDoc()
  const trackId = addTrack(doc, alice, { kind: 'instrument', name: 'Keys' })
  const { clipId, noteIds } = addClip(doc, alice, trackId, {
    start: 8 * BAR,
    length: BAR,
    name: 'Bridge',
    notes: [
      { pitch: 60, start: 0, duration: PPQ },
      { pitch: 64, start: PPQ, duration: PPQ },
    ],
  })
  return { doc, trackId, clipId, noteIds }
}

const placed = (doc: ReturnType<typeof createSongDoc>, anchor: unknown) => {
  const result = placeAnchor(readSong(doc), CommentAnchorSchema.parse(anchor))
  if (!result.ok) throw new Error(result.reason)
  return result.anchor
}

describe('comment anchors', () => {
  it('a clip comment follows the clip when it moves', () => {
    const { doc, trackId, clipId } = setup()
    const anchor = placed(doc, { start: 8 * BAR, end: 9 * BAR, trackId, clipId })
    moveClip(doc, alice, trackId, clipId, { start: 12 * BAR })
    expect(resolveAnchor(readSong(doc), anchor)).toEqual({
      start: 12 * BAR,
      end: 13 * BAR,
      trackId,
      lost: null,
    })
  })

  it('a deleted clip keeps the comment where it last was, marked removed', () => {
    const { doc, trackId, clipId } = setup()
    const anchor = placed(doc, { start: 8 * BAR, end: 9 * BAR, trackId, clipId })
    moveClip(doc, alice, trackId, clipId, { start: 10 * BAR })
    const seen = resolveAnchor(readSong(doc), anchor)
    deleteClip(doc, alice, trackId, clipId)
    expect(resolveAnchor(readSong(doc), anchor, seen)).toEqual({
      start: 10 * BAR,
      end: 11 * BAR,
      trackId,
      lost: 'clip',
    })
    // Never seen moving: where it was written.
    expect(resolveAnchor(readSong(doc), anchor).start).toBe(8 * BAR)
  })

  it('a note comment spans the notes that are left, and is lost when they all go', () => {
    const { doc, trackId, clipId, noteIds } = setup()
    const anchor = placed(doc, { start: 8 * BAR, end: 8 * BAR + 2 * PPQ, trackId, clipId, noteIds })
    moveNotes(doc, alice, trackId, clipId, [noteIds[1] ?? ''], { deltaTicks: PPQ })
    expect(resolveAnchor(readSong(doc), anchor)).toMatchObject({ start: 8 * BAR, end: 8 * BAR + 3 * PPQ })
    deleteNotes(doc, alice, trackId, clipId, noteIds)
    expect(resolveAnchor(readSong(doc), anchor).lost).toBe('notes')
  })

  it('clip and note comments follow their clip to another track, and back, however many moves', () => {
    const { doc, trackId, clipId, noteIds } = setup()
    const drums = addTrack(doc, alice, { kind: 'drums', name: 'Drums' })
    const bass = addTrack(doc, alice, { kind: 'instrument', name: 'Bass' })
    const onClip = placed(doc, { start: 8 * BAR, end: 9 * BAR, trackId, clipId })
    const onNote = placed(doc, {
      start: 8 * BAR + PPQ,
      end: 8 * BAR + 2 * PPQ,
      trackId,
      clipId,
      noteIds: [noteIds[1]],
    })

    const first = moveClip(doc, alice, trackId, clipId, { start: 2 * BAR, toTrackId: drums })
    expect(resolveAnchor(readSong(doc), onClip)).toEqual({
      start: 2 * BAR,
      end: 3 * BAR,
      trackId: drums,
      lost: null,
    })
    expect(resolveAnchor(readSong(doc), onNote)).toEqual({
      start: 2 * BAR + PPQ,
      end: 2 * BAR + 2 * PPQ,
      trackId: drums,
      lost: null,
    })

    // A comment written after the first move names the second id; both follow the next moves.
    const later = placed(doc, { start: 2 * BAR, end: 3 * BAR, trackId: drums, clipId: first })
    const second = moveClip(doc, alice, drums, first, { start: 4 * BAR, toTrackId: bass })
    moveClip(doc, alice, bass, second, { start: 6 * BAR, toTrackId: trackId })
    const song = readSong(doc)
    for (const anchor of [onClip, later])
      expect(resolveAnchor(song, anchor)).toEqual({ start: 6 * BAR, end: 7 * BAR, trackId, lost: null })
    expect(resolveAnchor(song, onNote)).toMatchObject({ start: 6 * BAR + PPQ, trackId, lost: null })

    // The track the comment was written on can go: the clip is elsewhere now.
    moveClip(doc, alice, trackId, song.tracks.find((t) => t.id === trackId)!.clips[0]!.id, {
      start: 6 * BAR,
      toTrackId: bass,
    })
    deleteTrack(doc, alice, trackId)
    expect(resolveAnchor(readSong(doc), onNote)).toMatchObject({ trackId: bass, lost: null })
  })

  it('a copy or a split-off half does not take the comment; deleting the moved clip loses it', () => {
    const { doc, trackId, clipId } = setup()
    const drums = addTrack(doc, alice, { kind: 'drums', name: 'Drums' })
    const anchor = placed(doc, { start: 8 * BAR, end: 9 * BAR, trackId, clipId })
    const moved = moveClip(doc, alice, trackId, clipId, { start: 8 * BAR, toTrackId: drums })
    duplicateClip(doc, alice, drums, moved, { toTrackId: trackId, start: 0 })
    const { leftClipId } = splitClip(doc, alice, drums, moved, 8 * BAR + PPQ * 2)
    expect(leftClipId).toBe(moved)
    expect(resolveAnchor(readSong(doc), anchor)).toEqual({
      start: 8 * BAR,
      end: 9 * BAR,
      trackId: drums,
      lost: null,
    })
    deleteClip(doc, alice, drums, moved)
    expect(resolveAnchor(readSong(doc), anchor)).toMatchObject({ lost: 'clip', trackId })
  })

  it('two users moving the clip to two tracks at once: every replica puts the comment on the same copy', () => {
    const { doc: a, trackId, clipId } = setup()
    const drums = addTrack(a, alice, { kind: 'drums', name: 'Drums' })
    const bass = addTrack(a, alice, { kind: 'instrument', name: 'Bass' })
    const b = new Y.Doc()
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a), new RemoteOrigin())
    const anchor = placed(a, { start: 8 * BAR, end: 9 * BAR, trackId, clipId })
    const toDrums = moveClip(a, alice, trackId, clipId, { start: 0, toTrackId: drums })
    const toBass = moveClip(b, new UserOrigin('bob'), trackId, clipId, { start: 4 * BAR, toTrackId: bass })
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), new RemoteOrigin())
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), new RemoteOrigin())

    const winner = toDrums < toBass ? { start: 0, trackId: drums } : { start: 4 * BAR, trackId: bass }
    for (const doc of [a, b]) {
      expect(readSong(doc).tracks.flatMap((t) => t.clips)).toHaveLength(2)
      expect(resolveAnchor(readSong(doc), anchor)).toEqual({ ...winner, end: winner.start + BAR, lost: null })
    }
  })

  it('a deleted track loses its comments', () => {
    const { doc, trackId } = setup()
    const anchor = placed(doc, { start: 0, end: BAR, trackId })
    deleteTrack(doc, alice, trackId)
    expect(resolveAnchor(readSong(doc), anchor)).toMatchObject({ lost: 'track', start: 0, end: BAR })
  })

  it('refuses anchors into music this song does not have', () => {
    const { doc, trackId, clipId } = setup()
    const other = setup()
    const song = readSong(doc)
    expect(placeAnchor(song, { start: 0, end: 1, trackId: other.trackId }).ok).toBe(false)
    expect(placeAnchor(song, { start: 0, end: 1, trackId, clipId: other.clipId }).ok).toBe(false)
    expect(placeAnchor(song, { start: 0, end: 1, trackId, clipId, noteIds: other.noteIds }).ok).toBe(false)
    expect(CommentAnchorSchema.safeParse({ start: 5, end: 1 }).success).toBe(false)
    expect(CommentAnchorSchema.safeParse({ start: 0, end: 1, clipId }).success).toBe(false)
  })
})
