import { describe, expect, it } from 'vitest'
import { PPQ } from '../music/index'
import {
  addClip,
  deleteClip,
  deleteClips,
  duplicateClip,
  moveClip,
  moveClips,
  renameClip,
  resizeClip,
  splitClip,
} from './clips'
import { createSongDoc } from './migrate'
import { UserOrigin } from './origins'
import { readClip, readTrack } from './read'
import { MAX_TICK } from './schema'
import { expectRefused } from './testing/harness'
import { addTrack } from './tracks'

const alice = new UserOrigin('alice')
const BAR = PPQ * 4

const setup = () => {
  const doc = createSongDoc()
  const trackId = addTrack(doc, alice, { kind: 'instrument', name: 'Keys' })
  const other = addTrack(doc, alice, { kind: 'instrument', name: 'Pad' })
  const { clipId, noteIds } = addClip(doc, alice, trackId, {
    start: BAR,
    length: BAR,
    name: 'Verse',
    notes: [
      { pitch: 60, start: 0, duration: PPQ, velocity: 90 },
      { pitch: 64, start: PPQ, duration: PPQ * 2 },
      { pitch: 67, start: PPQ * 3, duration: PPQ },
    ],
  })
  return { doc, trackId, other, clipId, noteIds }
}

describe('addClip', () => {
  it('a take played live in a jam says who played it and when, and a client may write it', () => {
    const { doc, trackId } = setup()
    const liveTake = { playedBy: 'bob', playerName: 'Bob', playedAt: '2026-12-07T22:00:00.000Z' }
    const { clipId } = addClip(doc, alice, trackId, {
      start: 0,
      length: BAR,
      name: 'Played live by Bob',
      liveTake,
      notes: [{ pitch: 60, start: 0, duration: PPQ }],
    })
    expect(readClip(doc, trackId, clipId)).toMatchObject({ name: 'Played live by Bob', liveTake })
    // An ordinary clip has none.
    const plain = addClip(doc, alice, trackId, { start: BAR, length: BAR }).clipId
    expect(readClip(doc, trackId, plain)).not.toHaveProperty('liveTake')
    expectRefused(doc, 'invalid_value', () =>
      addClip(doc, alice, trackId, {
        start: 0,
        length: BAR,
        liveTake: { ...liveTake, playedAt: 'yesterday' },
      }),
    )
  })

  it('creates a clip with its notes and returns every new id', () => {
    const { doc, trackId, clipId, noteIds } = setup()
    const clip = readClip(doc, trackId, clipId)!
    expect(clip).toMatchObject({ id: clipId, name: 'Verse', start: BAR, length: BAR, loopLength: null })
    expect(clip.notes.map((n) => n.id)).toEqual(noteIds)
    expect(clip.notes[1]!.velocity).toBe(100)
  })

  it('refuses bad clips and bad notes, writing nothing', () => {
    const { doc, trackId } = setup()
    expectRefused(doc, 'invalid_value', () => addClip(doc, alice, trackId, { start: -1, length: BAR }))
    expectRefused(doc, 'invalid_value', () => addClip(doc, alice, trackId, { start: 0, length: 0 }))
    expectRefused(doc, 'invalid_value', () => addClip(doc, alice, trackId, { start: 0.5, length: BAR }))
    expectRefused(doc, 'invalid_value', () =>
      addClip(doc, alice, trackId, { start: MAX_TICK + 1, length: 1 }),
    )
    expectRefused(doc, 'invalid_value', () =>
      addClip(doc, alice, trackId, { start: 0, length: BAR, notes: [{ pitch: 128, start: 0, duration: 1 }] }),
    )
    expectRefused(doc, 'track_not_found', () => addClip(doc, alice, 'nope', { start: 0, length: BAR }))
  })
})

describe('moving and resizing clips', () => {
  it('moves a clip to an absolute tick', () => {
    const { doc, trackId, clipId } = setup()
    expect(moveClip(doc, alice, trackId, clipId, { start: 0 })).toBe(clipId)
    expect(readClip(doc, trackId, clipId)?.start).toBe(0)
    expectRefused(doc, 'invalid_value', () => moveClip(doc, alice, trackId, clipId, { start: -PPQ }))
    expectRefused(doc, 'clip_not_found', () => moveClip(doc, alice, trackId, 'nope', { start: 0 }))
  })

  it('moves several clips by one offset, all or nothing', () => {
    const { doc, trackId, clipId } = setup()
    const second = addClip(doc, alice, trackId, { start: 0, length: BAR }).clipId
    expectRefused(doc, 'invalid_value', () =>
      moveClips(
        doc,
        alice,
        [
          { trackId, clipId },
          { trackId, clipId: second },
        ],
        { deltaTicks: -BAR - 1 },
      ),
    )
    moveClips(
      doc,
      alice,
      [
        { trackId, clipId },
        { trackId, clipId: second },
      ],
      { deltaTicks: PPQ },
    )
    expect(readClip(doc, trackId, clipId)?.start).toBe(BAR + PPQ)
    expect(readClip(doc, trackId, second)?.start).toBe(PPQ)
    expectRefused(doc, 'invalid_value', () =>
      moveClips(
        doc,
        alice,
        [
          { trackId, clipId },
          { trackId, clipId },
        ],
        { deltaTicks: 1 },
      ),
    )
  })

  it('re-creates a clip moved to another track under a new id that remembers the old one, keeping its notes', () => {
    const { doc, trackId, other, clipId } = setup()
    const before = readClip(doc, trackId, clipId)!
    const moved = moveClip(doc, alice, trackId, clipId, { start: 0, toTrackId: other })
    expect(moved).not.toBe(clipId)
    expect(readClip(doc, trackId, clipId)).toBeUndefined()
    const after = readClip(doc, other, moved)!
    expect(after.start).toBe(0)
    expect(after.notes.map((n) => [n.pitch, n.start, n.duration])).toEqual(
      before.notes.map((n) => [n.pitch, n.start, n.duration]),
    )
    // Note ids only need to be unique within a clip: the moved notes keep theirs, so comments on them follow.
    expect(after.notes.map((n) => n.id)).toEqual(before.notes.map((n) => n.id))
    expect(after.movedFrom).toEqual([clipId])
    // A copy or a moved clip's split-off half is new music: it remembers no earlier id.
    const copy = duplicateClip(doc, alice, other, moved)
    expect(readClip(doc, other, copy)?.movedFrom).toBeUndefined()
    expectRefused(doc, 'track_not_found', () =>
      moveClip(doc, alice, other, moved, { start: 0, toTrackId: 'x' }),
    )
  })

  it('resizes length and loop', () => {
    const { doc, trackId, clipId } = setup()
    resizeClip(doc, alice, trackId, clipId, { length: BAR * 4, loopLength: BAR })
    expect(readClip(doc, trackId, clipId)).toMatchObject({ length: BAR * 4, loopLength: BAR })
    resizeClip(doc, alice, trackId, clipId, { loopLength: null })
    expect(readClip(doc, trackId, clipId)).toMatchObject({ length: BAR * 4, loopLength: null })
    expectRefused(doc, 'invalid_value', () => resizeClip(doc, alice, trackId, clipId, { length: 0 }))
    expectRefused(doc, 'invalid_value', () => resizeClip(doc, alice, trackId, clipId, { loopLength: -5 }))
  })

  it('renames', () => {
    const { doc, trackId, clipId } = setup()
    renameClip(doc, alice, trackId, clipId, 'Chorus')
    expect(readClip(doc, trackId, clipId)?.name).toBe('Chorus')
    expectRefused(doc, 'clip_not_found', () => renameClip(doc, alice, trackId, 'nope', 'x'))
  })
})

describe('duplicate, split, delete', () => {
  it('duplicates right after itself by default, or where asked', () => {
    const { doc, trackId, other, clipId } = setup()
    const copy = duplicateClip(doc, alice, trackId, clipId)
    expect(readClip(doc, trackId, copy)).toMatchObject({ start: BAR * 2, length: BAR, name: 'Verse' })
    expect(readClip(doc, trackId, copy)!.notes).toHaveLength(3)
    const elsewhere = duplicateClip(doc, alice, trackId, clipId, { start: 0, toTrackId: other })
    expect(readClip(doc, other, elsewhere)?.start).toBe(0)
    expectRefused(doc, 'track_not_found', () =>
      duplicateClip(doc, alice, trackId, clipId, { toTrackId: 'x' }),
    )
    expectRefused(doc, 'invalid_value', () => duplicateClip(doc, alice, trackId, clipId, { start: -1 }))
  })

  it('splits at a tick: later notes move right, crossing notes are cut', () => {
    const { doc, trackId, clipId, noteIds } = setup()
    const { leftClipId, rightClipId } = splitClip(doc, alice, trackId, clipId, BAR + PPQ * 2)
    expect(leftClipId).toBe(clipId)
    const left = readClip(doc, trackId, leftClipId)!
    const right = readClip(doc, trackId, rightClipId)!
    expect(left).toMatchObject({ start: BAR, length: PPQ * 2 })
    expect(right).toMatchObject({ start: BAR + PPQ * 2, length: PPQ * 2, name: 'Verse' })
    expect(left.notes.map((n) => [n.id, n.start, n.duration])).toEqual([
      [noteIds[0], 0, PPQ],
      [noteIds[1], PPQ, PPQ],
    ])
    expect(right.notes.map((n) => [n.pitch, n.start, n.duration])).toEqual([[67, PPQ, PPQ]])
    expect(right.notes[0]!.id).not.toBe(noteIds[2])
  })

  it('refuses splits outside the clip or in a looping clip', () => {
    const { doc, trackId, clipId } = setup()
    expectRefused(doc, 'out_of_range', () => splitClip(doc, alice, trackId, clipId, BAR))
    expectRefused(doc, 'out_of_range', () => splitClip(doc, alice, trackId, clipId, BAR * 2))
    resizeClip(doc, alice, trackId, clipId, { loopLength: PPQ * 2 })
    expectRefused(doc, 'unsupported', () => splitClip(doc, alice, trackId, clipId, BAR + PPQ))
  })

  it('deletes clips, all or nothing', () => {
    const { doc, trackId, clipId } = setup()
    const second = addClip(doc, alice, trackId, { start: 0, length: BAR }).clipId
    expectRefused(doc, 'clip_not_found', () =>
      deleteClips(doc, alice, [
        { trackId, clipId },
        { trackId, clipId: 'x' },
      ]),
    )
    deleteClip(doc, alice, trackId, clipId)
    expect(readTrack(doc, trackId)!.clips.map((c) => c.id)).toEqual([second])
  })
})
