import { describe, expect, it } from 'vitest'
import { PPQ } from '../music/index'
import { addClip, resizeClip } from './clips'
import { setTempo, setTitle } from './meta'
import { createSongDoc } from './migrate'
import { setVolume } from './mixer'
import { addNote, addNotes, moveNotes } from './notes'
import { UserOrigin } from './origins'
import { playedNotes, readClip, readNotesInRange, readSong, readTrack, readTracks } from './read'
import { createSongStore, deepEqual, shallowEqual, subscribe } from './store'
import { addTrack } from './tracks'
import { readWindow } from './window'

const alice = new UserOrigin('alice')
const BAR = PPQ * 4

const twoTracks = () => {
  const doc = createSongDoc()
  const keys = addTrack(doc, alice, { kind: 'instrument', name: 'Keys' })
  const bass = addTrack(doc, alice, { kind: 'instrument', name: 'Bass' })
  const k = addClip(doc, alice, keys, { start: 0, length: BAR }).clipId
  const b = addClip(doc, alice, bass, { start: 0, length: BAR }).clipId
  return { doc, keys, bass, k, b }
}

describe('snapshot readers', () => {
  it('sorts notes by start, then pitch', () => {
    const { doc, keys, k } = twoTracks()
    addNotes(doc, alice, keys, k, [
      { pitch: 67, start: 480, duration: 1 },
      { pitch: 60, start: 480, duration: 1 },
      { pitch: 72, start: 0, duration: 1 },
    ])
    expect(readClip(doc, keys, k)!.notes.map((n) => [n.start, n.pitch])).toEqual([
      [0, 72],
      [480, 60],
      [480, 67],
    ])
  })

  it('sorts clips by start', () => {
    const { doc, keys, k } = twoTracks()
    const early = addClip(doc, alice, keys, { start: 0, length: 10 }).clipId
    const late = addClip(doc, alice, keys, { start: BAR * 2, length: 10 }).clipId
    const ids = readTrack(doc, keys)!.clips.map((c) => c.id)
    expect(ids.indexOf(late)).toBe(2)
    expect(ids.slice(0, 2).sort()).toEqual([early, k].sort())
  })

  it('reuses unchanged parts of the snapshot and replaces changed ones', () => {
    const { doc, keys, bass, k } = twoTracks()
    const song1 = readSong(doc)
    expect(readSong(doc)).toBe(song1)
    addNote(doc, alice, keys, k, { pitch: 60, start: 0, duration: 1 })
    const song2 = readSong(doc)
    expect(song2).not.toBe(song1)
    expect(song2.meta).toBe(song1.meta)
    expect(readTrack(doc, bass)).toBe(song1.tracks.find((t) => t.id === bass))
    expect(readTrack(doc, keys)).not.toBe(song1.tracks.find((t) => t.id === keys))
    setTempo(doc, alice, 100)
    expect(readSong(doc).tracks).toBe(song2.tracks)
    expect(readSong(doc).meta.bpm).toBe(100)
  })

  it('unrolls looping clips and cuts notes at loop and clip ends', () => {
    const clip = {
      id: 'c',
      name: '',
      start: 1000,
      length: 250,
      loopLength: 100,
      notes: [
        { id: 'a', pitch: 60, start: 0, duration: 50, velocity: 1 },
        { id: 'b', pitch: 62, start: 80, duration: 50, velocity: 1 },
        { id: 'hidden', pitch: 64, start: 120, duration: 5, velocity: 1 },
      ],
    }
    expect(playedNotes(clip).map((n) => [n.id, n.start, n.duration])).toEqual([
      ['a', 1000, 50],
      ['b', 1080, 20],
      ['a', 1100, 50],
      ['b', 1180, 20],
      ['a', 1200, 50],
    ])
  })

  it('reads notes starting in a tick window across a track', () => {
    const { doc, keys, k } = twoTracks()
    const late = addClip(doc, alice, keys, { start: BAR, length: BAR }).clipId
    addNote(doc, alice, keys, k, { pitch: 60, start: 0, duration: 1000 })
    addNote(doc, alice, keys, k, { pitch: 61, start: BAR - 1, duration: 1 })
    addNote(doc, alice, keys, late, { pitch: 62, start: 0, duration: 1 })
    addNote(doc, alice, keys, late, { pitch: 63, start: 10, duration: 1 })
    const inRange = readNotesInRange(doc, keys, BAR - 1, BAR + 10)
    expect(inRange.map((n) => [n.pitch, n.start, n.clipId])).toEqual([
      [61, BAR - 1, k],
      [62, BAR, late],
    ])
    expect(readNotesInRange(doc, 'nope', 0, BAR)).toEqual([])
  })
})

describe('readWindow', () => {
  it('gives the target track and the others as context, cut to the window', () => {
    const { doc, keys, bass, k, b } = twoTracks()
    addNote(doc, alice, keys, k, { pitch: 60, start: 0, duration: PPQ * 2 })
    addNote(doc, alice, keys, k, { pitch: 64, start: PPQ * 3, duration: PPQ })
    addNote(doc, alice, bass, b, { pitch: 36, start: 0, duration: BAR })
    resizeClip(doc, alice, bass, b, { length: BAR * 2, loopLength: BAR })
    const w = readWindow(doc, keys, PPQ, BAR + PPQ)
    expect(w.meta.bpm).toBe(120)
    expect(w.track.id).toBe(keys)
    expect(w.track.notes.map((n) => [n.pitch, n.start, n.duration])).toEqual([
      [60, PPQ, PPQ],
      [64, PPQ * 3, PPQ],
    ])
    expect(w.context.map((t) => t.id)).toEqual([bass])
    expect(w.context[0]!.notes.map((n) => [n.pitch, n.start, n.duration])).toEqual([
      [36, PPQ, BAR - PPQ],
      [36, BAR, PPQ],
    ])
  })

  it('refuses bad ranges and unknown tracks', () => {
    const { doc, keys } = twoTracks()
    expect(() => readWindow(doc, keys, 10, 10)).toThrow(/not a valid tick range/)
    expect(() => readWindow(doc, keys, -1, 10)).toThrow(/not a valid tick range/)
    expect(() => readWindow(doc, 'nope', 0, 10)).toThrow(/No track/)
  })
})

describe('store', () => {
  it('returns the same snapshot until something relevant changes', () => {
    const { doc, keys, bass, k } = twoTracks()
    const store = createSongStore(doc, (d) => readTrack(d, bass))
    let calls = 0
    const off = store.subscribe(() => calls++)
    const first = store.getSnapshot()
    expect(store.getSnapshot()).toBe(first)
    addNote(doc, alice, keys, k, { pitch: 60, start: 0, duration: 1 })
    expect(calls).toBe(1)
    expect(store.getSnapshot()).toBe(first)
    setVolume(doc, alice, bass, -4)
    const second = store.getSnapshot()
    expect(second).not.toBe(first)
    expect(second?.volumeDb).toBe(-4)
    expect(store.getSnapshot()).toBe(second)
    off()
    setVolume(doc, alice, bass, -5)
    expect(calls).toBe(2)
    expect(store.getSnapshot()?.volumeDb).toBe(-5)
  })

  it('keeps derived arrays stable with shallowEqual', () => {
    const { doc, keys, bass, k } = twoTracks()
    const store = createSongStore(doc, (d) => readTracks(d).map((t) => t.name))
    store.subscribe(() => {})
    const names = store.getSnapshot()
    addNote(doc, alice, keys, k, { pitch: 60, start: 0, duration: 1 })
    expect(store.getSnapshot()).toBe(names)
    setTitle(doc, alice, 'x')
    expect(store.getSnapshot()).toBe(names)
    setVolume(doc, alice, bass, -1)
    expect(store.getSnapshot()).toBe(names)
  })

  it('subscribe reports only changes to the selection', () => {
    const { doc, keys, bass, k } = twoTracks()
    const n = addNote(doc, alice, keys, k, { pitch: 60, start: 0, duration: 1 })
    const seen: number[][] = []
    const off = subscribe(
      doc,
      (d) => readNotesInRange(d, keys, 0, BAR),
      (next) => seen.push(next.map((x) => x.pitch)),
      deepEqual,
    )
    setVolume(doc, alice, bass, -1)
    addNote(doc, alice, bass, readTrack(doc, bass)!.clips[0]!.id, { pitch: 1, start: 0, duration: 1 })
    expect(seen).toEqual([])
    moveNotes(doc, alice, keys, k, [n], { deltaPitch: 2 })
    expect(seen).toEqual([[62]])
    off()
    moveNotes(doc, alice, keys, k, [n], { deltaPitch: 2 })
    expect(seen).toHaveLength(1)
  })

  it('shallowEqual and deepEqual', () => {
    const a = { x: 1 }
    expect(shallowEqual([a, 2], [a, 2])).toBe(true)
    expect(shallowEqual([{ x: 1 }], [{ x: 1 }])).toBe(false)
    expect(deepEqual([{ x: [1] }], [{ x: [1] }])).toBe(true)
    expect(deepEqual({ x: 1 }, { x: 1, y: undefined })).toBe(false)
    expect(deepEqual([], {})).toBe(false)
  })
})
