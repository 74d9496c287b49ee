import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  addClip,
  addTrack,
  applyRestore,
  createSongDoc,
  createUndo,
  deleteTrack,
  readSong,
  renameTrack,
  restoreUpdate,
  restoreVersion,
  setTempo,
  setTitle,
  UserOrigin,
} from './index'

/** Two replicas wired together (what the collab server does, minus the network). */
function pair() {
  const a = createSongDoc()
  const b = new Y.Doc()
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
  a.on('update', (u: Uint8Array, origin: unknown) => origin !== 'net' && Y.applyUpdate(b, u, 'net'))
  b.on('update', (u: Uint8Array, origin: unknown) => origin !== 'net' && Y.applyUpdate(a, u, 'net'))
  return { a, b }
}

describe('restoring a named version', () => {
  it('is an ordinary change: the song matches the version, a collaborator receives it, and the restorer can undo it', () => {
    const { a, b } = pair()
    const alice = new UserOrigin('alice')
    const bob = new UserOrigin('bob')
    const undoA = createUndo(a, alice)
    setTitle(a, alice, 'First draft')
    const keep = addTrack(a, alice, { name: 'Bass', kind: 'instrument' })
    const drop = addTrack(a, alice, { name: 'Drums', kind: 'drums' })
    addClip(a, alice, keep, {
      start: 0,
      length: 1920,
      notes: [{ pitch: 40, start: 0, duration: 480, velocity: 90 }],
    })
    const version = Y.encodeStateAsUpdate(a)
    const versionSong = readSong(a)

    // Later: Bob edits, Alice deletes, new things appear.
    setTitle(b, bob, 'Second draft')
    setTempo(b, bob, 140)
    renameTrack(b, bob, keep, 'Synth bass')
    deleteTrack(a, alice, drop)
    addTrack(b, bob, { name: 'Strings', kind: 'instrument' })
    const beforeRestore = readSong(a)
    const historyBefore = Y.encodeStateVector(a)

    restoreVersion(a, alice, 'v1', version)
    expect(readSong(a)).toEqual(versionSong)
    expect(readSong(b)).toEqual(versionSong)
    // Nothing was rewritten: the state vector only grew.
    const after = Y.decodeStateVector(Y.encodeStateVector(a))
    for (const [client, clock] of Y.decodeStateVector(historyBefore))
      expect(after.get(client)).toBeGreaterThanOrEqual(clock)

    expect(undoA.canUndo()).toBe(true)
    undoA.undo()
    expect(readSong(b)).toEqual(beforeRestore)
  })

  it('restoring the current state changes nothing', () => {
    const doc = createSongDoc()
    const me = new UserOrigin('me')
    setTitle(doc, me, 'Same')
    const before = readSong(doc)
    const diff = restoreUpdate(doc, Y.encodeStateAsUpdate(doc))
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
    Y.applyUpdate(copy, diff)
    expect(readSong(copy)).toEqual(before)
  })

  it('an update the server computes against its copy restores the version here, as the restorer’s undoable edit', () => {
    const { a: studio, b: server } = pair()
    const alice = new UserOrigin('alice')
    const undo = createUndo(studio, alice)
    setTitle(studio, alice, 'Verse idea')
    const version = Y.encodeStateAsUpdate(server)
    const versionSong = readSong(server)
    setTitle(studio, alice, 'Chorus idea')
    addTrack(studio, alice, { name: 'Pads', kind: 'instrument' })
    const beforeRestore = readSong(studio)

    applyRestore(studio, alice, 'v1', restoreUpdate(server, version))
    expect(readSong(studio)).toEqual(versionSong)
    expect(readSong(server)).toEqual(versionSong)
    undo.undo()
    expect(readSong(server)).toEqual(beforeRestore)
  })
})
