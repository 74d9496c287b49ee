import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { addClip } from './clips'
import { createSongDoc } from './migrate'
import { RemoteOrigin, UserOrigin } from './origins'
import { readTrack, readTracks } from './read'
import { TrackSnapshotSchema } from './schema'
import { expectRefused } from './testing/harness'
import { addTrack, deleteTrack, deleteTracks, duplicateTrack, renameTrack, reorderTrack } from './tracks'

const alice = new UserOrigin('alice')
const names = (doc: Y.Doc) => readTracks(doc).map((t) => t.name)

describe('addTrack', () => {
  it('appends with defaults and returns the new id', () => {
    const doc = createSongDoc()
    const id = addTrack(doc, alice, { kind: 'instrument', name: 'Keys', instrument: 'piano.grand' })
    const track = readTrack(doc, id)!
    expect(TrackSnapshotSchema.safeParse(track).success).toBe(true)
    expect(track).toMatchObject({
      id,
      name: 'Keys',
      kind: 'instrument',
      instrument: 'piano.grand',
      volumeDb: 0,
    })
    expect(track.pan).toBe(0)
    expect(track.mute).toBe(false)
    expect(track.clips).toEqual([])
  })

  it('inserts at an index', () => {
    const doc = createSongDoc()
    addTrack(doc, alice, { kind: 'instrument', name: 'A' })
    addTrack(doc, alice, { kind: 'instrument', name: 'C' })
    addTrack(doc, alice, { kind: 'drums', name: 'B', index: 1 })
    addTrack(doc, alice, { kind: 'audio', name: 'Z', index: 0 })
    expect(names(doc)).toEqual(['Z', 'A', 'B', 'C'])
  })

  it('refuses bad input and changes nothing', () => {
    const doc = createSongDoc()
    addTrack(doc, alice, { kind: 'instrument' })
    expectRefused(doc, 'invalid_value', () => addTrack(doc, alice, { kind: 'kazoo' as 'drums' }))
    expectRefused(doc, 'invalid_value', () => addTrack(doc, alice, { kind: 'drums', pan: 2 }))
    expectRefused(doc, 'invalid_value', () => addTrack(doc, alice, { kind: 'drums', colour: 'red' }))
    expectRefused(doc, 'out_of_range', () => addTrack(doc, alice, { kind: 'drums', index: 5 }))
  })
})

describe('track edits', () => {
  it('renames', () => {
    const doc = createSongDoc()
    const id = addTrack(doc, alice, { kind: 'instrument' })
    renameTrack(doc, alice, id, 'Lead')
    expect(readTrack(doc, id)?.name).toBe('Lead')
    expectRefused(doc, 'track_not_found', () => renameTrack(doc, alice, 'nope', 'x'))
    expectRefused(doc, 'invalid_value', () => renameTrack(doc, alice, id, 42 as unknown as string))
  })

  it('reorders to the requested index', () => {
    const doc = createSongDoc()
    const [a, b, c] = ['A', 'B', 'C'].map((name) => addTrack(doc, alice, { kind: 'instrument', name }))
    reorderTrack(doc, alice, a!, 2)
    expect(names(doc)).toEqual(['B', 'C', 'A'])
    reorderTrack(doc, alice, a!, 0)
    expect(names(doc)).toEqual(['A', 'B', 'C'])
    reorderTrack(doc, alice, c!, 1)
    expect(names(doc)).toEqual(['A', 'C', 'B'])
    expectRefused(doc, 'out_of_range', () => reorderTrack(doc, alice, b!, 3))
    expectRefused(doc, 'invalid_value', () => reorderTrack(doc, alice, b!, -1))
    expectRefused(doc, 'track_not_found', () => reorderTrack(doc, alice, 'nope', 0))
  })

  it('breaks concurrent same-spot inserts by id, identically on both replicas, and can still reorder', () => {
    const one = createSongDoc()
    const two = new Y.Doc()
    Y.applyUpdate(two, Y.encodeStateAsUpdate(one))
    const bob = new UserOrigin('bob')
    addTrack(one, alice, { kind: 'instrument', name: 'from one' })
    addTrack(two, bob, { kind: 'instrument', name: 'from two' })
    Y.applyUpdate(one, Y.encodeStateAsUpdate(two), new RemoteOrigin())
    Y.applyUpdate(two, Y.encodeStateAsUpdate(one), new RemoteOrigin())
    const order = readTracks(one)
    expect(order[0]!.order).toBe(order[1]!.order)
    expect(readTracks(two).map((t) => t.id)).toEqual(order.map((t) => t.id))
    expect(order[0]!.id < order[1]!.id).toBe(true)
    // Between two equal keys there is no room: the operation re-keys instead of failing.
    const third = addTrack(one, alice, { kind: 'drums', name: 'between', index: 1 })
    expect(readTracks(one).map((t) => t.id)).toEqual([order[0]!.id, third, order[1]!.id])
    reorderTrack(one, alice, order[1]!.id, 0)
    expect(readTracks(one).map((t) => t.id)).toEqual([order[1]!.id, order[0]!.id, third])
  })

  it('duplicates a track with its clips under new ids, right below it', () => {
    const doc = createSongDoc()
    const a = addTrack(doc, alice, { kind: 'instrument', name: 'Bass', volumeDb: -6 })
    addTrack(doc, alice, { kind: 'drums', name: 'Drums' })
    const { clipId } = addClip(doc, alice, a, {
      start: 0,
      length: 1920,
      notes: [{ pitch: 40, start: 0, duration: 240 }],
    })
    const copy = duplicateTrack(doc, alice, a)
    expect(names(doc)).toEqual(['Bass', 'Bass copy', 'Drums'])
    const copied = readTrack(doc, copy.trackId)!
    expect(copied.volumeDb).toBe(-6)
    expect(copy.clipIds).toHaveLength(1)
    expect(copy.clipIds[0]).not.toBe(clipId)
    const original = readTrack(doc, a)!
    expect(copied.clips[0]!.notes[0]!.id).not.toBe(original.clips[0]!.notes[0]!.id)
    expect(copied.clips[0]!.notes[0]!.pitch).toBe(40)
    expectRefused(doc, 'track_not_found', () => duplicateTrack(doc, alice, 'nope'))
  })

  it('deletes tracks with their clips, all or nothing', () => {
    const doc = createSongDoc()
    const a = addTrack(doc, alice, { kind: 'instrument', name: 'A' })
    const b = addTrack(doc, alice, { kind: 'instrument', name: 'B' })
    addClip(doc, alice, a, { start: 0, length: 480 })
    expectRefused(doc, 'track_not_found', () => deleteTracks(doc, alice, [a, 'nope']))
    deleteTrack(doc, alice, a)
    expect(names(doc)).toEqual(['B'])
    expect(readTrack(doc, a)).toBeUndefined()
    deleteTracks(doc, alice, [b])
    expect(readTracks(doc)).toEqual([])
  })
})
