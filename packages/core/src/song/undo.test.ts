import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { addClip, deleteClip } from './clips'
import { addDevice, setDeviceParams } from './devices'
import { setTempo, setTitle } from './meta'
import { createSongDoc, migrateSong } from './migrate'
import { setVolume } from './mixer'
import { addNote, addNotes, moveNotes } from './notes'
import { AiAcceptedOrigin, RemoteOrigin, RestoreOrigin, UserOrigin } from './origins'
import { acceptProposal, addProposal, dismissProposal, readProposals } from './proposals'
import { readClip, readMeta, readSong, readTrack, readTracks } from './read'
import { SongSnapshotSchema } from './schema'
import { connectedReplicas } from './testing/harness'
import { addTrack, deleteTrack } from './tracks'
import { createUndo, undoOwner } from './undo'

describe('per-user undo', () => {
  it('undoes only the local user on two synced replicas, and redo works', () => {
    const [a, b] = connectedReplicas(2) as [Y.Doc, Y.Doc]
    const alice = new UserOrigin('alice')
    const bob = new UserOrigin('bob')
    const undoA = createUndo(a, alice)
    const undoB = createUndo(b, bob)

    const keys = addTrack(a, alice, { kind: 'instrument', name: 'Keys' })
    const { clipId } = addClip(a, alice, keys, { start: 0, length: 1920 })
    const aliceNote = addNote(a, alice, keys, clipId, { pitch: 60, start: 0, duration: 480 })
    const bobNote = addNote(b, bob, keys, clipId, { pitch: 64, start: 480, duration: 480 })
    const drums = addTrack(b, bob, { kind: 'drums', name: 'Drums' })
    setTempo(b, bob, 90)

    expect(undoA.undo()).toBe(true) // Alice's note
    for (const doc of [a, b]) {
      expect(readClip(doc, keys, clipId)!.notes.map((n) => n.id)).toEqual([bobNote])
      expect(readTrack(doc, drums)).toBeDefined()
      expect(readMeta(doc).bpm).toBe(90)
    }
    undoA.undo() // Alice's clip: goes with Bob's note in it, which is what deleting a clip means
    undoA.undo() // Alice's track
    expect(undoA.canUndo()).toBe(false)
    for (const doc of [a, b]) {
      expect(readTracks(doc).map((t) => t.name)).toEqual(['Drums'])
      expect(readMeta(doc).bpm).toBe(90)
    }
    expect(undoA.redo()).toBe(true)
    expect(undoA.redo()).toBe(true)
    expect(undoA.redo()).toBe(true)
    expect(undoA.canRedo()).toBe(false)
    for (const doc of [a, b]) {
      const notes = readClip(doc, keys, clipId)!.notes.map((n) => n.id)
      expect(notes).toEqual([aliceNote, bobNote])
    }
    // Bob's history is his own and still intact.
    expect(undoB.undo()).toBe(true)
    expect(readMeta(a).bpm).toBe(120)
    expect(readTrack(a, drums)).toBeDefined()
  })

  it('does not undo a collaborator edit to the same value', () => {
    const [a, b] = connectedReplicas(2) as [Y.Doc, Y.Doc]
    const alice = new UserOrigin('alice')
    const bob = new UserOrigin('bob')
    const undoA = createUndo(a, alice)
    const id = addTrack(b, bob, { kind: 'instrument' })
    setVolume(a, alice, id, -3)
    setVolume(b, bob, id, -9)
    // Alice's -3 is already overwritten by Bob, so her undo has nothing left to take back: it must not put
    // the fader back to 0 over Bob's -9.
    expect(undoA.undo()).toBe(false)
    expect(readTrack(a, id)?.volumeDb).toBe(-9)
    expect(readTrack(b, id)?.volumeDb).toBe(-9)
  })

  it('reads a field emptied by undo racing a concurrent write as its default, the same everywhere', () => {
    // Yjs places concurrent writes to one map key by client id: the higher id wins. Alice's write wins here,
    // Bob's is dropped, and Alice's undo removes hers without restoring the older value (it conflicts with
    // Bob's), so the key is left with no value on every replica.
    const a = new Y.Doc()
    const b = new Y.Doc()
    a.clientID = 2
    b.clientID = 1
    const alice = new UserOrigin('alice')
    const bob = new UserOrigin('bob')
    const undoA = createUndo(a, alice)
    migrateSong(a)
    const id = addTrack(a, alice, { kind: 'instrument', volumeDb: -1 })
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a), new RemoteOrigin())
    setVolume(a, alice, id, -3)
    setVolume(b, bob, id, -9)
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b), new RemoteOrigin())
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a), new RemoteOrigin())
    expect(readTrack(a, id)?.volumeDb).toBe(-3)
    undoA.undo()
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a), new RemoteOrigin())
    expect(readTrack(a, id)?.volumeDb).toBe(0)
    expect(readTrack(b, id)).toEqual(readTrack(a, id))
    expect(SongSnapshotSchema.safeParse(readSong(a)).success).toBe(true)
  })

  it('makes a gesture (a knob drag writing on every move) one undo step, and only the dragger’s', () => {
    const [a, b] = connectedReplicas(2) as [Y.Doc, Y.Doc]
    const alice = new UserOrigin('alice')
    const bob = new UserOrigin('bob')
    const undoA = createUndo(a, alice)
    const keys = addTrack(a, alice, { kind: 'instrument', name: 'Keys' })
    const filter = addDevice(a, alice, keys, { kind: 'filter' })
    const cutoff = (doc: Y.Doc) => readSong(doc).mixer.chains[keys]![0]!.params.frequency
    const end = undoA.gesture()
    for (const hz of [1_200, 1_500, 2_000, 2_600]) setDeviceParams(a, alice, filter, { frequency: hz })
    setTempo(b, bob, 90) // a bandmate's edit mid-drag stays theirs
    setDeviceParams(a, alice, filter, { frequency: 3_000 })
    end()
    end() // ending twice is harmless
    setDeviceParams(a, alice, filter, { resonance: 2 })
    expect(cutoff(b)).toBe(3_000)
    undoA.undo() // the resonance, alone
    expect(readSong(b).mixer.chains[keys]![0]!.params.resonance).toBe(0.7)
    expect(cutoff(b)).toBe(3_000)
    undoA.undo() // the whole drag
    expect(cutoff(b)).toBe(1_000)
    expect(readMeta(b).bpm).toBe(90)
    expect(readSong(b).mixer.chains[keys]).toHaveLength(1)
  })

  it('treats each operation as one step, including a 50-note move', () => {
    const doc = createSongDoc()
    const alice = new UserOrigin('alice')
    const undo = createUndo(doc, alice)
    const t = addTrack(doc, alice, { kind: 'instrument' })
    const { clipId } = addClip(doc, alice, t, { start: 0, length: 1920 })
    const ids = addNotes(
      doc,
      alice,
      t,
      clipId,
      Array.from({ length: 50 }, (_, i) => ({ pitch: 60, start: i, duration: 1 })),
    )
    moveNotes(doc, alice, t, clipId, ids, { deltaPitch: 5 })
    undo.undo()
    expect(readClip(doc, t, clipId)!.notes.every((n) => n.pitch === 60)).toBe(true)
    undo.undo()
    expect(readClip(doc, t, clipId)!.notes).toHaveLength(0)
  })

  it('lets the accepting user undo an accepted AI suggestion in one step', () => {
    const doc = createSongDoc()
    const alice = new UserOrigin('alice')
    const bob = new UserOrigin('bob')
    const undoA = createUndo(doc, alice)
    const undoB = createUndo(doc, bob)
    const t = addTrack(doc, bob, { kind: 'instrument' })
    const { clipId } = addClip(doc, bob, t, { start: 0, length: 1920 })
    const run = { pluginId: 'p', pluginVersion: '1.0.0', modelHash: 'h', seed: 1, requestedBy: 'bob' }
    addNotes(doc, new AiAcceptedOrigin(alice, run), t, clipId, [
      { pitch: 60, start: 0, duration: 10 },
      { pitch: 64, start: 0, duration: 10 },
    ])
    expect(undoA.canUndo()).toBe(true)
    undoA.undo()
    expect(readClip(doc, t, clipId)!.notes).toHaveLength(0)
    expect(readClip(doc, t, clipId)).toBeDefined() // Bob's clip is his
    undoA.redo()
    expect(readClip(doc, t, clipId)!.notes.every((n) => n.provenance?.acceptedBy === 'alice')).toBe(true)
    // The adopted origin is dropped again after its transaction: no leak into later tracking.
    undoB.undo()
    expect(readClip(doc, t, clipId)).toBeUndefined()
  })

  it('ignores remote, migration and server-restore transactions', () => {
    const doc = new Y.Doc()
    const alice = new UserOrigin('alice')
    const undo = createUndo(doc, alice)
    migrateSong(doc)
    setTitle(doc, new RestoreOrigin('v1'), 'Restored')
    const other = createSongDoc()
    setTitle(other, new UserOrigin('carol'), 'Remote')
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other), new RemoteOrigin('carol'))
    expect(undo.canUndo()).toBe(false)
    setTitle(doc, new RestoreOrigin('v2', alice), 'Restored by Alice')
    expect(undo.canUndo()).toBe(true)
  })

  it('signals changes and names the owner of undo transactions', () => {
    const doc = createSongDoc()
    const alice = new UserOrigin('alice')
    const undo = createUndo(doc, alice)
    const seen: Array<[boolean, boolean]> = []
    const off = undo.onChange(() => seen.push([undo.canUndo(), undo.canRedo()]))
    let owner: UserOrigin | null = null
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      owner = undoOwner(tr.origin) ?? owner
    })
    const t = addTrack(doc, alice, { kind: 'drums' })
    undo.undo()
    expect(owner).toBe(alice)
    expect(seen).toEqual([
      [true, false],
      [false, true],
    ])
    off()
    undo.redo()
    expect(seen).toHaveLength(2)
    expect(readTrack(doc, t)).toBeDefined()
    deleteTrack(doc, alice, t)
    undo.undo()
    expect(readTrack(doc, t)).toBeDefined()
    undo.destroy()
  })

  it('restores a deleted clip with its notes', () => {
    const doc = createSongDoc()
    const alice = new UserOrigin('alice')
    const undo = createUndo(doc, alice)
    const t = addTrack(doc, alice, { kind: 'instrument' })
    const { clipId } = addClip(doc, alice, t, {
      start: 0,
      length: 960,
      notes: [{ pitch: 1, start: 0, duration: 1 }],
    })
    deleteClip(doc, alice, t, clipId)
    undo.undo()
    expect(readClip(doc, t, clipId)!.notes).toHaveLength(1)
  })
})

describe('undo of a bandmate accepting my proposal', () => {
  const setup = () => {
    const [a, b] = connectedReplicas(2) as [Y.Doc, Y.Doc]
    const alice = new UserOrigin('alice')
    const bob = new UserOrigin('bob')
    const undoA = createUndo(a, alice)
    const undoB = createUndo(b, bob)
    const trackId = addTrack(b, bob, { kind: 'instrument', name: 'Keys' })
    const { clipId } = addClip(b, bob, trackId, { start: 0, length: 1920 })
    const melody = addNote(b, bob, trackId, clipId, { pitch: 72, start: 0, duration: 480 })
    const ask = (requestedBy: string) =>
      addProposal(
        a,
        {
          pluginId: 'dev.ensemble.test',
          pluginVersion: '1.0.0',
          modelHash: 'sha256:ab',
          seed: 7,
          requestedBy,
        },
        {
          trackId,
          kind: 'notes',
          fromTick: 0,
          toTick: 1920,
          pluginId: 'dev.ensemble.test',
          pluginName: 'Test',
          pluginVersion: '1.0.0',
          requestedByName: requestedBy,
          variations: [{ label: 'one', notes: [{ pitch: 60, start: 0, duration: 480, velocity: 90 }] }],
        },
      )
    const pitches = (doc: Y.Doc) => readClip(doc, trackId, clipId)!.notes.map((n) => n.pitch)
    return { a, b, alice, bob, undoA, undoB, trackId, clipId, melody, ask, pitches }
  }

  it('lets the requester undo it as well as the acceptor', () => {
    const { a, b, bob, undoA, ask, pitches } = setup()
    const proposalId = ask('alice')
    expect(undoA.canUndo()).toBe(false)
    acceptProposal(b, bob, proposalId, 0, { replace: false })
    expect(pitches(a)).toEqual([60, 72])
    expect(undoA.canUndo()).toBe(true)
    expect(undoA.undo()).toBe(true)
    for (const doc of [a, b]) expect(pitches(doc)).toEqual([72])
    expect(readProposals(a)).toEqual([]) // the proposal stays closed
    expect(undoA.redo()).toBe(true)
    for (const doc of [a, b]) expect(pitches(doc)).toEqual([60, 72])
  })

  it('still lets the acceptor undo it', () => {
    const { a, b, bob, undoB, ask, pitches } = setup()
    acceptProposal(b, bob, ask('alice'), 0, { replace: false })
    expect(undoB.undo()).toBe(true)
    for (const doc of [a, b]) expect(pitches(doc)).toEqual([72])
  })

  it('gives the requester nothing to undo for a dismissal or for someone else’s proposal', () => {
    const { b, bob, undoA, ask } = setup()
    dismissProposal(b, bob, ask('alice'))
    expect(undoA.canUndo()).toBe(false)
    acceptProposal(b, bob, ask('carol'), 0)
    expect(undoA.canUndo()).toBe(false)
  })
})
