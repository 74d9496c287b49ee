import { describe, expect, it } from 'vitest'
import { PPQ } from '../music/time'
import { CommentAnchorSchema, placeAnchor, resolveAnchor } from './anchors'
import { addClip, deleteClip, moveClip } from './clips'
import { createSongDoc } from './migrate'
import { deleteNotes, moveNotes } from './notes'
import { UserOrigin } from './origins'
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
