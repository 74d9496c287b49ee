import { describe, expect, it } from 'vitest'
import { PPQ } from '../music/index'
import { addClip } from './clips'
import { createSongDoc } from './migrate'
import {
  addNote,
  addNotes,
  deleteNotes,
  duplicateNotes,
  moveNotes,
  quantizeNotes,
  resizeNotes,
  setNoteVelocities,
  transposeNotes,
  updateNotes,
} from './notes'
import { AiAcceptedOrigin, RemoteOrigin, UserOrigin } from './origins'
import { readClip } from './read'
import type { Note } from './schema'
import { expectRefused } from './testing/harness'
import { addTrack } from './tracks'

const alice = new UserOrigin('alice')

const setup = (clipStart = 0) => {
  const doc = createSongDoc()
  const trackId = addTrack(doc, alice, { kind: 'instrument' })
  const { clipId } = addClip(doc, alice, trackId, { start: clipStart, length: PPQ * 16 })
  const notes = () => readClip(doc, trackId, clipId)!.notes
  const byId = (id: string) => notes().find((n) => n.id === id)!
  return { doc, trackId, clipId, notes, byId }
}

describe('adding notes', () => {
  it('adds one and many, returning new ids', () => {
    const { doc, trackId, clipId, notes, byId } = setup()
    const one = addNote(doc, alice, trackId, clipId, { pitch: 60, start: 0, duration: PPQ, velocity: 80 })
    expect(byId(one)).toEqual({ id: one, pitch: 60, start: 0, duration: PPQ, velocity: 80 })
    const many = addNotes(
      doc,
      alice,
      trackId,
      clipId,
      Array.from({ length: 50 }, (_, i) => ({ pitch: 40 + (i % 20), start: i * 60, duration: 60 })),
    )
    expect(many).toHaveLength(50)
    expect(new Set(many).size).toBe(50)
    expect(notes()).toHaveLength(51)
  })

  it('refuses any invalid note in a batch and writes none of them', () => {
    const { doc, trackId, clipId } = setup()
    const good = { pitch: 60, start: 0, duration: PPQ }
    expectRefused(doc, 'invalid_value', () =>
      addNotes(doc, alice, trackId, clipId, [good, { ...good, pitch: 128 }]),
    )
    expectRefused(doc, 'invalid_value', () => addNotes(doc, alice, trackId, clipId, [{ ...good, pitch: -1 }]))
    expectRefused(doc, 'invalid_value', () => addNotes(doc, alice, trackId, clipId, [{ ...good, start: -1 }]))
    expectRefused(doc, 'invalid_value', () =>
      addNotes(doc, alice, trackId, clipId, [{ ...good, duration: 0 }]),
    )
    expectRefused(doc, 'invalid_value', () =>
      addNotes(doc, alice, trackId, clipId, [{ ...good, velocity: 0 }]),
    )
    expectRefused(doc, 'invalid_value', () =>
      addNotes(doc, alice, trackId, clipId, [{ ...good, velocity: 128 }]),
    )
    expectRefused(doc, 'invalid_value', () =>
      addNotes(doc, alice, trackId, clipId, [{ ...good, pitch: 60.5 }]),
    )
    expectRefused(doc, 'clip_not_found', () => addNotes(doc, alice, trackId, 'nope', [good]))
    expectRefused(doc, 'track_not_found', () => addNotes(doc, alice, 'nope', clipId, [good]))
    const error = expectRefused(doc, 'invalid_value', () =>
      addNotes(doc, alice, trackId, clipId, [good, good, { ...good, pitch: 200 }]),
    )
    expect(error.message).toMatch(/note 2/)
  })

  it('refuses a remote origin: remote updates arrive as Yjs updates, not as operations', () => {
    const { doc, trackId, clipId } = setup()
    expectRefused(doc, 'invalid_value', () =>
      addNote(doc, new RemoteOrigin() as unknown as UserOrigin, trackId, clipId, {
        pitch: 1,
        start: 0,
        duration: 1,
      }),
    )
  })
})

describe('editing notes', () => {
  const fifty = () => {
    const s = setup()
    const ids = addNotes(
      s.doc,
      alice,
      s.trackId,
      s.clipId,
      Array.from({ length: 50 }, (_, i) => ({ pitch: 60 + (i % 10), start: i * 10, duration: 10 })),
    )
    return { ...s, ids }
  }

  it('moves 50 notes at once in time and pitch', () => {
    const { doc, trackId, clipId, ids, byId } = fifty()
    moveNotes(doc, alice, trackId, clipId, ids, { deltaTicks: 100, deltaPitch: -12 })
    ids.forEach((id, i) => {
      expect(byId(id)).toMatchObject({ start: i * 10 + 100, pitch: 48 + (i % 10), duration: 10 })
    })
  })

  it('refuses a move that pushes any note out of range, leaving all in place', () => {
    const { doc, trackId, clipId, ids } = fifty()
    expectRefused(doc, 'invalid_value', () => moveNotes(doc, alice, trackId, clipId, ids, { deltaTicks: -5 }))
    expectRefused(doc, 'invalid_value', () => moveNotes(doc, alice, trackId, clipId, ids, { deltaPitch: 60 }))
    expectRefused(doc, 'note_not_found', () => moveNotes(doc, alice, trackId, clipId, [...ids, 'nope'], {}))
    expectRefused(doc, 'invalid_value', () => moveNotes(doc, alice, trackId, clipId, [ids[0]!, ids[0]!], {}))
    expectRefused(doc, 'invalid_value', () =>
      moveNotes(doc, alice, trackId, clipId, ids, { deltaTicks: 0.5 }),
    )
  })

  it('transposes, refusing results outside 0..127', () => {
    const { doc, trackId, clipId, ids, byId } = fifty()
    transposeNotes(doc, alice, trackId, clipId, ids.slice(0, 2), 7)
    expect(byId(ids[0]!).pitch).toBe(67)
    expect(byId(ids[1]!).pitch).toBe(68)
    expectRefused(doc, 'invalid_value', () => transposeNotes(doc, alice, trackId, clipId, ids, 61))
    expectRefused(doc, 'invalid_value', () => transposeNotes(doc, alice, trackId, clipId, ids, -70))
  })

  it('resizes to a duration or by a delta', () => {
    const { doc, trackId, clipId, ids, byId } = fifty()
    resizeNotes(doc, alice, trackId, clipId, ids.slice(0, 3), { duration: 240 })
    expect(byId(ids[2]!).duration).toBe(240)
    resizeNotes(doc, alice, trackId, clipId, ids.slice(0, 3), { deltaDuration: -40 })
    expect(byId(ids[0]!).duration).toBe(200)
    expectRefused(doc, 'invalid_value', () =>
      resizeNotes(doc, alice, trackId, clipId, ids, { deltaDuration: -10 }),
    )
    expectRefused(doc, 'invalid_value', () => resizeNotes(doc, alice, trackId, clipId, ids, { duration: 0 }))
  })

  it('sets velocities and applies per-note patches', () => {
    const { doc, trackId, clipId, ids, byId } = fifty()
    setNoteVelocities(doc, alice, trackId, clipId, ids, 33)
    expect(byId(ids[49]!).velocity).toBe(33)
    updateNotes(doc, alice, trackId, clipId, [
      { id: ids[0]!, pitch: 10 },
      { id: ids[1]!, start: 999, velocity: 127 },
    ])
    expect(byId(ids[0]!)).toMatchObject({ pitch: 10, start: 0 })
    expect(byId(ids[1]!)).toMatchObject({ start: 999, velocity: 127, pitch: 61 })
    expectRefused(doc, 'invalid_value', () => setNoteVelocities(doc, alice, trackId, clipId, ids, 0))
    expectRefused(doc, 'invalid_value', () =>
      updateNotes(doc, alice, trackId, clipId, [
        { id: ids[0]!, pitch: 1 },
        { id: ids[1]!, duration: -1 },
      ]),
    )
    expectRefused(doc, 'note_not_found', () =>
      updateNotes(doc, alice, trackId, clipId, [{ id: 'nope', pitch: 1 }]),
    )
    expectRefused(doc, 'invalid_value', () =>
      updateNotes(doc, alice, trackId, clipId, [
        { id: ids[0]!, pitch: 1 },
        { id: ids[0]!, pitch: 2 },
      ]),
    )
  })

  it('replaces a note value rather than mutating it', () => {
    const { doc, trackId, clipId, ids, byId } = fifty()
    const before: Note = byId(ids[0]!)
    moveNotes(doc, alice, trackId, clipId, [ids[0]!], { deltaPitch: 1 })
    expect(before.pitch).toBe(60)
    expect(byId(ids[0]!).pitch).toBe(61)
  })

  it('deletes, all or nothing', () => {
    const { doc, trackId, clipId, ids, notes } = fifty()
    expectRefused(doc, 'note_not_found', () => deleteNotes(doc, alice, trackId, clipId, [ids[0]!, 'nope']))
    deleteNotes(doc, alice, trackId, clipId, ids.slice(0, 10))
    expect(notes()).toHaveLength(40)
  })

  it('duplicates after the selection by default, or by an offset', () => {
    const { doc, trackId, clipId, byId } = setup()
    const a = addNote(doc, alice, trackId, clipId, { pitch: 60, start: 0, duration: PPQ })
    const b = addNote(doc, alice, trackId, clipId, { pitch: 64, start: PPQ, duration: PPQ })
    const [ca, cb] = duplicateNotes(doc, alice, trackId, clipId, [a, b])
    expect(byId(ca!)).toMatchObject({ pitch: 60, start: PPQ * 2 })
    expect(byId(cb!)).toMatchObject({ pitch: 64, start: PPQ * 3 })
    const [up] = duplicateNotes(doc, alice, trackId, clipId, [a], { deltaTicks: 0, deltaPitch: 12 })
    expect(byId(up!)).toMatchObject({ pitch: 72, start: 0 })
    expectRefused(doc, 'invalid_value', () =>
      duplicateNotes(doc, alice, trackId, clipId, [a], { deltaTicks: -1 }),
    )
  })
})

describe('quantize', () => {
  it('snaps starts to a grid anchored at song tick 0, with strength', () => {
    // The clip starts off-grid, so a clip-relative grid would give different answers.
    const { doc, trackId, clipId, byId } = setup(50)
    const a = addNote(doc, alice, trackId, clipId, { pitch: 60, start: 70, duration: 100 }) // abs 120
    const b = addNote(doc, alice, trackId, clipId, { pitch: 62, start: 300, duration: 100 }) // abs 350
    quantizeNotes(doc, alice, trackId, clipId, [a, b], { grid: 240, strength: 0.5 })
    expect(byId(a).start).toBe(130) // abs 180: halfway from 120 to 240
    expect(byId(b).start).toBe(245) // abs 295: halfway from 350 to 240
    quantizeNotes(doc, alice, trackId, clipId, [a, b], { grid: 240 })
    expect(byId(a).start).toBe(190)
    expect(byId(b).start).toBe(190)
    expect(byId(a).duration).toBe(100)
  })

  it('keeps notes inside the clip and can snap ends', () => {
    const { doc, trackId, clipId, byId } = setup(50)
    const a = addNote(doc, alice, trackId, clipId, { pitch: 60, start: 10, duration: 500 }) // abs 60..560
    quantizeNotes(doc, alice, trackId, clipId, [a], { grid: 240, ends: true })
    expect(byId(a).start).toBe(0) // abs 0 would be before the clip
    expect(byId(a).duration).toBe(430) // end abs 480
  })

  it('refuses a bad grid or strength', () => {
    const { doc, trackId, clipId } = setup()
    const a = addNote(doc, alice, trackId, clipId, { pitch: 60, start: 10, duration: 10 })
    expectRefused(doc, 'invalid_value', () => quantizeNotes(doc, alice, trackId, clipId, [a], { grid: 0 }))
    expectRefused(doc, 'invalid_value', () =>
      quantizeNotes(doc, alice, trackId, clipId, [a], { grid: 120, strength: 2 }),
    )
    expectRefused(doc, 'note_not_found', () =>
      quantizeNotes(doc, alice, trackId, clipId, ['x'], { grid: 120 }),
    )
  })
})

describe('provenance', () => {
  const run = {
    pluginId: 'dev.ensemble.melody',
    pluginVersion: '1.2.0',
    modelHash: 'sha256:abc',
    seed: 7,
    requestedBy: 'bob',
  }

  it('stamps notes written under an accepted AI suggestion, and keeps it through edits and splits', () => {
    const { doc, trackId, clipId, byId } = setup()
    const [id] = addNotes(doc, new AiAcceptedOrigin(alice, run), trackId, clipId, [
      { pitch: 60, start: 0, duration: 10 },
    ])
    expect(byId(id!).provenance).toEqual({ ...run, acceptedBy: 'alice' })
    moveNotes(doc, alice, trackId, clipId, [id!], { deltaPitch: 2 })
    expect(byId(id!).provenance?.pluginId).toBe('dev.ensemble.melody')
    const mine = addNote(doc, alice, trackId, clipId, { pitch: 60, start: 0, duration: 10 })
    expect(byId(mine).provenance).toBeUndefined()
  })

  it('refuses malformed provenance before writing', () => {
    const { doc, trackId, clipId } = setup()
    const bad = new AiAcceptedOrigin(alice, { ...run, seed: 1.5 })
    expectRefused(doc, 'invalid_value', () =>
      addNote(doc, bad, trackId, clipId, { pitch: 60, start: 0, duration: 1 }),
    )
  })
})
