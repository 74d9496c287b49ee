import { describe, expect, it } from 'vitest'
import { PPQ } from '../music/index'
import { acceptNotesSuggestion, acceptTracksSuggestion } from './ai'
import { addClip, resizeClip } from './clips'
import { createSongDoc } from './migrate'
import { addNotes } from './notes'
import { AiAcceptedOrigin, type AiRun, UserOrigin } from './origins'
import { readClip, readNotesInRange, readSong, readTrack, readTracks } from './read'
import { SongSnapshotSchema } from './schema'
import { expectRefused } from './testing/harness'
import { addTrack } from './tracks'
import { createUndo } from './undo'

const BAR = PPQ * 4
const alice = new UserOrigin('alice')
const run: AiRun = {
  pluginId: 'dev.ensemble.melody',
  pluginVersion: '0.3.1',
  modelHash: 'sha256:feed',
  seed: 99,
  requestedBy: 'bob',
}
const accepted = () => new AiAcceptedOrigin(alice, run)

const setup = () => {
  const doc = createSongDoc()
  const trackId = addTrack(doc, alice, { kind: 'instrument' })
  const { clipId } = addClip(doc, alice, trackId, { start: 0, length: BAR })
  const [keep, gone] = addNotes(doc, alice, trackId, clipId, [
    { pitch: 50, start: 0, duration: 10 },
    { pitch: 51, start: PPQ * 2, duration: 10 },
  ])
  return { doc, trackId, clipId, keep: keep!, gone: gone! }
}

describe('acceptNotesSuggestion', () => {
  it('places notes into the covering clip, a new clip past it, and replaces what was in the window', () => {
    const { doc, trackId, clipId, keep, gone } = setup()
    const result = acceptNotesSuggestion(doc, accepted(), {
      trackId,
      fromTick: PPQ * 2,
      toTick: BAR + PPQ * 2,
      notes: [
        { pitch: 60, start: 0, duration: PPQ, velocity: 90 }, // abs 2 beats: in the existing clip
        { pitch: 62, start: PPQ * 3, duration: PPQ, velocity: 90 }, // abs 5 beats: past the clip
      ],
      clipName: 'AI melody',
    })
    expect(result.removedNoteIds).toEqual([gone])
    expect(result.noteIds).toHaveLength(2)
    expect(result.clipIds).toHaveLength(1)
    const old = readClip(doc, trackId, clipId)!
    expect(old.notes.map((n) => [n.id === keep, n.pitch, n.start])).toEqual([
      [true, 50, 0],
      [false, 60, PPQ * 2],
    ])
    const fresh = readClip(doc, trackId, result.clipIds[0]!)!
    // The new clip starts where the old one ends, so neither hides the other.
    expect(fresh).toMatchObject({ name: 'AI melody', start: BAR, length: PPQ * 2 })
    expect(fresh.notes.map((n) => [n.pitch, n.start])).toEqual([[62, PPQ]])
    const all = readNotesInRange(doc, trackId, 0, BAR * 2)
    expect(all.filter((n) => n.provenance).map((n) => n.provenance)).toEqual([
      { ...run, acceptedBy: 'alice' },
      { ...run, acceptedBy: 'alice' },
    ])
    expect(SongSnapshotSchema.safeParse(readSong(doc)).success).toBe(true)
  })

  it('puts a continuation after its source clip, from the bar line after it, never over it', () => {
    const { doc, trackId, clipId } = setup()
    // The window a continuation asks for: the source bar and four bars after it.
    acceptNotesSuggestion(doc, accepted(), {
      trackId,
      fromTick: 0,
      toTick: BAR * 5,
      notes: [
        { pitch: 60, start: BAR + PPQ, duration: PPQ, velocity: 90 },
        { pitch: 62, start: BAR * 3, duration: BAR, velocity: 90 },
      ],
      replace: false,
    })
    const clips = readTrack(doc, trackId)!.clips
    expect(clips.map((c) => [c.id === clipId, c.start, c.length])).toEqual([
      [true, 0, BAR],
      [false, BAR, BAR * 3],
    ])
    expect(clips[1]!.notes.map((n) => [n.pitch, n.start])).toEqual([
      [60, PPQ],
      [62, BAR * 2],
    ])
  })

  it('adds on top when replace is false, and leaves looping clips alone', () => {
    const { doc, trackId, clipId } = setup()
    resizeClip(doc, alice, trackId, clipId, { loopLength: BAR })
    const result = acceptNotesSuggestion(doc, accepted(), {
      trackId,
      fromTick: 0,
      toTick: BAR,
      replace: false,
      notes: [{ pitch: 70, start: 0, duration: 1, velocity: 1 }],
    })
    expect(result.removedNoteIds).toEqual([])
    expect(result.clipIds).toHaveLength(1) // the looping clip is not a home for new notes
    expect(readClip(doc, trackId, clipId)!.notes).toHaveLength(2)
  })

  it('is one undo step for the accepting user', () => {
    const { doc, trackId, clipId } = setup()
    const undo = createUndo(doc, alice)
    acceptNotesSuggestion(doc, accepted(), {
      trackId,
      fromTick: 0,
      toTick: BAR * 2,
      notes: [
        { pitch: 60, start: 0, duration: 1, velocity: 1 },
        { pitch: 60, start: BAR + 1, duration: 1, velocity: 1 },
      ],
    })
    expect(readTrack(doc, trackId)!.clips).toHaveLength(2)
    undo.undo()
    expect(undo.canUndo()).toBe(false)
    expect(readTrack(doc, trackId)!.clips).toHaveLength(1)
    expect(readClip(doc, trackId, clipId)!.notes.map((n) => n.pitch)).toEqual([50, 51])
  })

  it('refuses a user origin, notes outside the window, bad windows and unknown tracks', () => {
    const { doc, trackId } = setup()
    const note = { pitch: 60, start: 0, duration: 1, velocity: 1 }
    const input = { trackId, fromTick: 0, toTick: PPQ, notes: [note] }
    expectRefused(doc, 'invalid_value', () =>
      acceptNotesSuggestion(doc, alice as unknown as AiAcceptedOrigin, input),
    )
    expectRefused(doc, 'out_of_range', () =>
      acceptNotesSuggestion(doc, accepted(), {
        ...input,
        notes: [note, { ...note, start: PPQ - 1, duration: 2 }],
      }),
    )
    expectRefused(doc, 'invalid_value', () =>
      acceptNotesSuggestion(doc, accepted(), { ...input, notes: [{ ...note, pitch: 128 }] }),
    )
    expectRefused(doc, 'invalid_value', () => acceptNotesSuggestion(doc, accepted(), { ...input, toTick: 0 }))
    expectRefused(doc, 'track_not_found', () =>
      acceptNotesSuggestion(doc, accepted(), { ...input, trackId: 'nope' }),
    )
  })
})

describe('acceptTracksSuggestion', () => {
  it('adds the tracks in order at the index, each with one clip over the window', () => {
    const { doc, trackId } = setup()
    const last = addTrack(doc, alice, { kind: 'drums', name: 'Last' })
    const result = acceptTracksSuggestion(doc, accepted(), {
      fromTick: BAR,
      toTick: BAR * 3,
      index: 1,
      tracks: [
        {
          name: 'Strings',
          kind: 'instrument',
          instrument: null,
          notes: [{ pitch: 55, start: 0, duration: BAR, velocity: 70 }],
        },
        { name: 'Hats', kind: 'drums', instrument: 'kit.909', notes: [] },
      ],
    })
    expect(readTracks(doc).map((t) => t.id)).toEqual([trackId, ...result.trackIds, last])
    const strings = readTrack(doc, result.trackIds[0]!)!
    expect(strings.clips[0]).toMatchObject({ start: BAR, length: BAR * 2 })
    expect(strings.clips[0]!.notes[0]).toMatchObject({
      pitch: 55,
      start: 0,
      provenance: { seed: 99, acceptedBy: 'alice' },
    })
    expect(result.noteIds).toHaveLength(1)
  })

  it('refuses bad tracks without writing any of them', () => {
    const { doc } = setup()
    const good = { name: 'A', kind: 'instrument' as const, instrument: null, notes: [] }
    expectRefused(doc, 'invalid_value', () =>
      acceptTracksSuggestion(doc, accepted(), {
        fromTick: 0,
        toTick: BAR,
        tracks: [good, { ...good, kind: 'x' as 'drums' }],
      }),
    )
    expectRefused(doc, 'invalid_value', () =>
      acceptTracksSuggestion(doc, accepted(), { fromTick: 0, toTick: BAR, tracks: [] }),
    )
    expectRefused(doc, 'out_of_range', () =>
      acceptTracksSuggestion(doc, accepted(), { fromTick: 0, toTick: BAR, tracks: [good], index: 9 }),
    )
  })
})
