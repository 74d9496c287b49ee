/*
 * MIDI import against real files (a Groove MIDI drum performance and hand-written 96-PPQ / format-0 files)
 * and export -> import round trips.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { PPQ } from '../music/index'
import {
  AiAcceptedOrigin,
  acceptNotesSuggestion,
  addAudioClip,
  addClip,
  addNotes,
  addTrack,
  createSongDoc,
  createUndo,
  playedNotes,
  readMeta,
  readSong,
  readTracks,
  SongError,
  setKey,
  setTimeSignature,
  UserOrigin,
} from '../song/index'
import { exportMidi } from './export'
import { importMidi } from './import'
import { readMidiProvenance } from './provenance'
import { Midi } from './tonejs'

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/midi/${name}`, import.meta.url))
const user = new UserOrigin('midi-test')

/** Every played note of each track, as comparable tuples. */
const played = (doc: Y.Doc) =>
  readTracks(doc).map((t) =>
    t.clips
      .flatMap(playedNotes)
      .map((n) => [n.pitch, n.start, n.duration, n.velocity])
      .sort((a, b) => a[1]! - b[1]! || a[0]! - b[0]!),
  )

describe('importMidi', () => {
  it('reads a Groove MIDI drum performance as one drums track with its tempo and exact timing', () => {
    const doc = createSongDoc()
    const { trackIds, parsed } = importMidi(doc, user, fixture('groove-drummer7-rock-86-fill.mid'))
    expect(trackIds).toHaveLength(1)
    const meta = readMeta(doc)
    expect(meta.bpm).toBe(86)
    expect(meta.timeSignature).toEqual({ numerator: 4, denominator: 4 })
    const [track] = readTracks(doc)
    expect(track).toMatchObject({ kind: 'drums', instrument: 'drum-kit', name: 'Midi Drums' })
    expect(track!.clips).toHaveLength(1)
    const clip = track!.clips[0]!
    expect(clip.start % (4 * PPQ)).toBe(0)
    expect(clip.notes).toHaveLength(40)
    expect(parsed.tracks[0]!.notes.slice(0, 3)).toEqual([
      { pitch: 43, start: 0, duration: 52, velocity: 48 },
      { pitch: 43, start: 226, duration: 69, velocity: 37 },
      { pitch: 38, start: 470, duration: 69, velocity: 127 },
    ])
    const last = Math.max(...clip.notes.map((n) => clip.start + n.start + n.duration))
    expect(clip.start + clip.length).toBeGreaterThanOrEqual(last)
    expect(clip.length % (4 * PPQ)).toBe(0)
  })

  it('rescales 96 PPQ to 480, keeps 3/4, 100 bpm and A minor, and maps programs to presets', () => {
    const doc = createSongDoc()
    importMidi(doc, user, fixture('band-96ppq-3-4.mid'))
    expect(readMeta(doc)).toMatchObject({
      bpm: 100,
      timeSignature: { numerator: 3, denominator: 4 },
      key: { tonic: 'A', mode: 'minor' },
    })
    const tracks = readTracks(doc)
    expect(tracks.map((t) => [t.name, t.kind, t.instrument])).toEqual([
      ['Piano', 'instrument', 'piano'],
      ['Bass', 'instrument', 'bass'],
    ])
    const [piano, bass] = played(doc)
    expect(piano).toEqual([
      [57, 0, 1435, 90],
      [60, 0, 1435, 90],
      [64, 0, 1435, 90],
      [55, 1440, 1145, 70],
      [59, 1440, 1145, 70],
      [62, 1440, 1145, 70],
    ])
    expect(bass).toEqual([
      [33, 0, 250, 127],
      [40, 480, 65, 1],
      [45, 995, 400, 64],
      [43, 1920, 480, 100],
    ])
    // One clip each, on whole 3/4 bars (1440 ticks).
    expect(tracks.map((t) => t.clips.map((c) => [c.start, c.length]))).toEqual([[[0, 2880]], [[0, 2880]]])
  })

  it('splits a format-0 file by channel: channel 10 becomes a drums track', () => {
    const doc = createSongDoc()
    importMidi(doc, user, fixture('format0-organ-and-drums.mid'))
    expect(readMeta(doc).bpm).toBe(132)
    const tracks = readTracks(doc)
    expect(tracks.map((t) => [t.kind, t.instrument, t.clips[0]!.notes.length])).toEqual([
      ['instrument', 'pad', 2],
      ['drums', 'drum-kit', 12],
    ])
  })

  it('names an empty song after the file: its title meta, else the file name without extension', () => {
    const named = new Midi()
    named.header.name = 'Night Drive'
    named.addTrack().addNote({ midi: 60, ticks: 0, durationTicks: PPQ })
    const doc = createSongDoc({ title: 'Untitled' })
    importMidi(doc, user, named.toArray(), { fileName: 'take-3.mid' })
    expect(readMeta(doc).title).toBe('Night Drive')

    const nameless = new Midi()
    nameless.addTrack().addNote({ midi: 62, ticks: 0, durationTicks: PPQ })
    const take = createSongDoc({ title: 'Untitled' })
    importMidi(take, user, nameless.toArray(), { fileName: 'night-drive take 2.MID' })
    expect(readMeta(take).title).toBe('night-drive take 2')

    // A song that already has tracks keeps its title: the file is added to it.
    importMidi(take, user, named.toArray(), { fileName: 'take-3.mid' })
    expect(readMeta(take).title).toBe('night-drive take 2')
  })

  it('is one undo step and refuses bytes that are not MIDI without touching the doc', () => {
    const doc = createSongDoc()
    const undo = createUndo(doc, user)
    importMidi(doc, user, fixture('band-96ppq-3-4.mid'))
    expect(readTracks(doc)).toHaveLength(2)
    undo.undo()
    expect(readTracks(doc)).toHaveLength(0)
    expect(readMeta(doc).bpm).toBe(120)
    expect(undo.canUndo()).toBe(false)

    const before = Y.encodeStateAsUpdate(doc)
    expect(() => importMidi(doc, user, new TextEncoder().encode('not a midi file'))).toThrow(SongError)
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
    undo.destroy()
  })
})

describe('exportMidi', () => {
  const song = () => {
    const doc = createSongDoc({ bpm: 93.7, title: 'Round trip' })
    setTimeSignature(doc, user, { numerator: 7, denominator: 8 })
    setKey(doc, user, { tonic: 'E', mode: 'minor' })
    const keys = addTrack(doc, user, { kind: 'instrument', name: 'Keys', instrument: 'pad' })
    addClip(doc, user, keys, {
      start: 0,
      length: 4 * PPQ,
      notes: [
        { pitch: 60, start: 0, duration: 959, velocity: 1 },
        { pitch: 64, start: 0, duration: 960, velocity: 127 },
        { pitch: 67, start: 17, duration: 1, velocity: 100 },
      ],
    })
    // A looping clip: its two notes repeat three and a half times; export unrolls them.
    addClip(doc, user, keys, {
      start: 8 * PPQ,
      length: 7 * PPQ,
      loopLength: 2 * PPQ,
      notes: [
        { pitch: 72, start: 0, duration: PPQ, velocity: 80 },
        { pitch: 74, start: PPQ, duration: 2 * PPQ, velocity: 81 },
      ],
    })
    const drums = addTrack(doc, user, { kind: 'drums', name: 'Beat' })
    addClip(doc, user, drums, {
      start: 0,
      length: 4 * PPQ,
      notes: [0, 1, 2, 3].map((beat) => ({
        pitch: beat % 2 ? 38 : 36,
        start: beat * PPQ,
        duration: 60,
        velocity: 99,
      })),
    })
    const vocals = addTrack(doc, user, { kind: 'audio', name: 'Vocals' }) // audio has no MIDI: not exported
    addAudioClip(doc, user, vocals, {
      asset: 'f'.repeat(64),
      start: 0,
      provenance: { kind: 'import', fileName: 'vocals.wav' },
      assetRecord: {
        hash: 'f'.repeat(64),
        name: 'vocals.wav',
        format: 'wav',
        sampleRate: 48_000,
        channels: 1,
        frames: 48_000,
        durationSeconds: 1,
      },
    })
    return doc
  }

  it('round-trips notes, tempo, time signature, key, kinds and presets', () => {
    const doc = song()
    const bytes = exportMidi(readSong(doc))
    const back = createSongDoc()
    importMidi(back, user, bytes)
    const meta = readMeta(back)
    expect(meta.bpm).toBe(93.7)
    expect(meta.timeSignature).toEqual({ numerator: 7, denominator: 8 })
    expect(meta.key).toEqual({ tonic: 'E', mode: 'minor' })
    expect(readTracks(back).map((t) => [t.name, t.kind, t.instrument])).toEqual([
      ['Keys', 'instrument', 'pad'],
      ['Beat', 'drums', 'drum-kit'],
    ])
    expect(played(back)).toEqual(played(doc).slice(0, 2))
    expect(played(back)[0]).toHaveLength(3 + 7)
  })

  it('writes drums on channel 10 at 480 PPQ with General MIDI programs', () => {
    const file = new Midi(exportMidi(readSong(song())))
    expect(file.header.ppq).toBe(480)
    expect(file.header.name).toBe('Round trip')
    expect(file.tracks.map((t) => [t.name, t.channel, t.instrument.number])).toEqual([
      ['Keys', 0, 89],
      ['Beat', 9, 0],
    ])
  })

  it('keeps every key signature through a round trip', () => {
    for (const key of [
      { tonic: 'C', mode: 'major' },
      { tonic: 'F#', mode: 'major' },
      { tonic: 'Eb', mode: 'major' },
      { tonic: 'D', mode: 'dorian' },
      { tonic: 'Bb', mode: 'minor' },
    ] as const) {
      const doc = createSongDoc({ key })
      const back = createSongDoc()
      importMidi(back, user, exportMidi(readSong(doc)))
      const minor = key.mode !== 'major'
      expect(readMeta(back).key).toEqual({ tonic: key.tonic, mode: minor ? 'minor' : 'major' })
    }
  })

  it('exports an empty song that imports to no tracks', () => {
    const back = createSongDoc()
    const { trackIds } = importMidi(back, user, exportMidi(readSong(createSongDoc({ bpm: 140 }))))
    expect(trackIds).toEqual([])
    expect(readMeta(back).bpm).toBe(140)
  })

  it('keeps the provenance of AI-made notes as text meta events, per track and run', () => {
    const doc = createSongDoc({ title: 'AI song' })
    const keys = addTrack(doc, user, { kind: 'instrument', name: 'Kéys' })
    const bass = addTrack(doc, user, { kind: 'instrument', name: 'Bass' })
    const { clipId } = addClip(doc, user, keys, { start: 0, length: PPQ * 8 })
    addNotes(doc, user, keys, clipId, [{ pitch: 48, start: 0, duration: PPQ }]) // a person's note
    const run = {
      pluginId: 'studio.ensemble.harmonizer',
      pluginVersion: '1.0.0',
      modelHash: 'a'.repeat(64),
      seed: 4_000_000_000,
      requestedBy: 'user-anna',
      runId: 'run-7',
    }
    const suggestion = [
      { pitch: 60, start: 0, duration: PPQ, velocity: 90 },
      { pitch: 64, start: PPQ * 2, duration: PPQ * 2, velocity: 80 },
    ]
    const accepted = new AiAcceptedOrigin(new UserOrigin('user-ben'), run)
    acceptNotesSuggestion(doc, accepted, {
      trackId: keys,
      fromTick: PPQ * 4,
      toTick: PPQ * 8,
      notes: suggestion,
      replace: false,
    })
    const other = new AiAcceptedOrigin(new UserOrigin('user-anna'), { ...run, seed: 5, runId: 'run-8' })
    acceptNotesSuggestion(doc, other, { trackId: bass, fromTick: 0, toTick: PPQ * 4, notes: suggestion })

    const bytes = exportMidi(readSong(doc))
    expect(readMidiProvenance(bytes)).toEqual([
      {
        track: 1,
        trackName: 'Kéys',
        fromTick: PPQ * 4,
        toTick: PPQ * 8,
        notes: 2,
        at: [
          [PPQ * 4, 60],
          [PPQ * 6, 64],
        ],
        provenance: { ...run, acceptedBy: 'user-ben' },
      },
      {
        track: 2,
        trackName: 'Bass',
        fromTick: 0,
        toTick: PPQ * 4,
        notes: 2,
        at: [
          [0, 60],
          [PPQ * 2, 64],
        ],
        provenance: { ...run, seed: 5, runId: 'run-8', acceptedBy: 'user-anna' },
      },
    ])
    // The lines are ordinary text events in the conductor track, and the notes still import as notes.
    const file = new Midi(bytes)
    expect(file.header.meta.filter((e) => e.type === 'text')).toHaveLength(2)
    const back = createSongDoc()
    importMidi(back, user, bytes)
    expect(played(back)[0]!.map((n) => n[0])).toEqual([48, 60, 64])
  })

  it("gives AI-made notes their provenance back on import, and a person's notes none", () => {
    const doc = createSongDoc()
    const keys = addTrack(doc, user, { kind: 'instrument', name: 'Keys' })
    const { clipId } = addClip(doc, user, keys, { start: 0, length: PPQ * 8 })
    // A person's note at the same tick and pitch range as the AI's, so only `at` can tell them apart.
    addNotes(doc, user, keys, clipId, [{ pitch: 62, start: PPQ * 4, duration: PPQ }])
    const run = {
      pluginId: 'studio.ensemble.continue',
      pluginVersion: '1.0.0',
      modelHash: 'b'.repeat(64),
      seed: 11,
      requestedBy: 'user-anna',
      runId: 'run-9',
    }
    acceptNotesSuggestion(doc, new AiAcceptedOrigin(new UserOrigin('user-ben'), run), {
      trackId: keys,
      fromTick: PPQ * 4,
      toTick: PPQ * 8,
      notes: [
        { pitch: 60, start: 0, duration: PPQ, velocity: 90 },
        { pitch: 64, start: PPQ * 2, duration: PPQ * 2, velocity: 80 },
      ],
      replace: false,
    })

    const back = createSongDoc()
    importMidi(back, user, exportMidi(readSong(doc)))
    const notes = readTracks(back)[0]!.clips.flatMap(playedNotes)
    const made = (pitch: number) => notes.find((n) => n.pitch === pitch)?.provenance
    expect(made(60)).toEqual({ ...run, acceptedBy: 'user-ben' })
    expect(made(64)).toEqual({ ...run, acceptedBy: 'user-ben' })
    expect(made(62)).toBeUndefined()
    // A shared song keeps only what a server sealed: this run has no seal, so its notes come in as anyone's.
    const shared = createSongDoc()
    importMidi(shared, user, exportMidi(readSong(doc)), { keepProvenance: (p) => p.seal !== undefined })
    const sharedNotes = readTracks(shared)[0]!.clips.flatMap(playedNotes)
    expect(sharedNotes.map((n) => n.pitch).sort()).toEqual([60, 62, 64])
    expect(sharedNotes.every((n) => n.provenance === undefined)).toBe(true)
    // ...and the restored notes export the same provenance lines again.
    expect(readMidiProvenance(exportMidi(readSong(back)))).toEqual(
      readMidiProvenance(exportMidi(readSong(doc))),
    )
  })

  it('restores provenance from a line without note positions only when its span holds exactly its notes', () => {
    const provenance = {
      pluginId: 'studio.ensemble.harmonizer',
      pluginVersion: '1.0.0',
      modelHash: 'c'.repeat(64),
      seed: 1,
      requestedBy: 'user-anna',
      acceptedBy: 'user-anna',
    }
    const file = new Midi()
    const track = file.addTrack()
    for (const [pitch, ticks] of [
      [60, 0],
      [64, PPQ],
      [67, PPQ * 4],
    ] as const)
      track.addNote({ midi: pitch, ticks, durationTicks: PPQ, velocity: 0.7 })
    const line = (fromTick: number, toTick: number, notes: number) =>
      `ensemble:ai ${JSON.stringify({ track: 1, trackName: '', fromTick, toTick, notes, provenance })}`
    file.header.meta.push({ type: 'text', ticks: 0, text: line(0, PPQ * 2, 2) })
    file.header.meta.push({ type: 'text', ticks: 0, text: line(PPQ * 3, PPQ * 8, 2) })
    const back = createSongDoc()
    importMidi(back, user, file.toArray())
    const notes = readTracks(back)[0]!.clips.flatMap(playedNotes)
    expect(notes.map((n) => [n.pitch, n.provenance !== undefined])).toEqual([
      [60, true],
      [64, true],
      [67, false],
    ])
  })

  it('writes no provenance events for a song without AI-made notes', () => {
    const doc = createSongDoc()
    const t = addTrack(doc, user, { kind: 'instrument' })
    const { clipId } = addClip(doc, user, t, { start: 0, length: PPQ * 4 })
    addNotes(doc, user, t, clipId, [{ pitch: 60, start: 0, duration: PPQ }])
    expect(readMidiProvenance(exportMidi(readSong(doc)))).toEqual([])
  })
})
