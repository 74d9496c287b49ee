import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { PPQ } from '../music/index'
import { secondsToTicks } from '../music/time'
import { placeAnchor, resolveAnchor } from './anchors'
import { addAudioAsset, readAudioAsset, readAudioAssets } from './audio-assets'
import {
  addAudioClip,
  audioClipEnd,
  deleteAudioClips,
  duplicateAudioClips,
  moveAudioClips,
  renameAudioClip,
  setAudioClipFades,
  setAudioClipGain,
  splitAudioClip,
  trimAudioClip,
} from './audio-clips'
import { listChanges } from './changes'
import { addClip, deleteClip, duplicateClip, moveClip } from './clips'
import { setTempo } from './meta'
import { createSongDoc, migrateSong } from './migrate'
import { RemoteOrigin, SystemOrigin, UserOrigin } from './origins'
import { readAudioClip, readClip, readSong, readTrack } from './read'
import { restoreVersion } from './restore'
import { type AudioAsset, AudioClipSchema, SONG_SCHEMA_VERSION, SongSnapshotSchema } from './schema'
import { createSongStore } from './store'
import { expectRefused } from './testing/harness'
import { addTrack, duplicateTrack } from './tracks'
import { createUndo } from './undo'

const alice = new UserOrigin('alice')
const bob = new UserOrigin('bob')
const BAR = PPQ * 4
const HASH = 'a'.repeat(64)

/** 10 s of 48 kHz stereo. At 120 bpm a bar is 2 s, so 10 s is 5 bars. */
const ASSET: AudioAsset = {
  hash: HASH,
  name: 'vocal take.wav',
  format: 'wav',
  sampleRate: 48_000,
  channels: 2,
  frames: 480_000,
  durationSeconds: 10,
}

const recording = {
  kind: 'recording',
  recordedAt: '2026-12-07T14:00:00.000Z',
  input: 'USB Mic',
  latencyMs: 12,
} as const

const setup = () => {
  const doc = createSongDoc({ bpm: 120 })
  const trackId = addTrack(doc, alice, { kind: 'audio', name: 'Vocals' })
  const other = addTrack(doc, alice, { kind: 'audio', name: 'Guitar' })
  const keys = addTrack(doc, alice, { kind: 'instrument', name: 'Keys' })
  addAudioAsset(doc, alice, ASSET)
  const { clipId } = addAudioClip(doc, alice, trackId, { asset: HASH, start: BAR, provenance: recording })
  return { doc, trackId, other, keys, clipId }
}

/** The asset second that sounds at song tick `tick` through `clip`, or null when the clip is silent there. */
const assetSecondAt = (doc: Y.Doc, trackId: string, tick: number): number | null => {
  const bpm = readSong(doc).meta.bpm
  const playing = readTrack(doc, trackId)!.audioClips.filter(
    (c) => c.active && c.start <= tick && tick < audioClipEnd(c, bpm),
  )
  if (playing.length === 0) return null
  expect(playing).toHaveLength(1)
  const clip = playing[0]!
  return clip.offset + ((tick - clip.start) * 60) / (bpm * PPQ)
}

describe('audio assets', () => {
  it('records an asset once per hash; the first record stands', () => {
    const doc = createSongDoc()
    expect(addAudioAsset(doc, alice, ASSET)).toBe(true)
    expect(addAudioAsset(doc, bob, { ...ASSET, name: 'other name.wav' })).toBe(false)
    expect(readAudioAsset(doc, HASH)).toEqual(ASSET)
    expect(Object.keys(readAudioAssets(doc))).toEqual([HASH])
  })

  it("a store of the asset records hears a bandmate's new file", () => {
    const doc = createSongDoc()
    const store = createSongStore(doc, readAudioAssets)
    let heard = 0
    const stop = store.subscribe(() => heard++)
    expect(store.getSnapshot()).toEqual({})
    addAudioAsset(doc, bob, ASSET)
    expect(heard).toBe(1)
    expect(store.getSnapshot()[HASH]).toEqual(ASSET)
    stop()
  })

  it('refuses records that do not describe a file', () => {
    const doc = createSongDoc()
    expectRefused(doc, 'invalid_value', () => addAudioAsset(doc, alice, { ...ASSET, hash: 'abc' }))
    expectRefused(doc, 'invalid_value', () => addAudioAsset(doc, alice, { ...ASSET, hash: 'A'.repeat(64) }))
    expectRefused(doc, 'invalid_value', () => addAudioAsset(doc, alice, { ...ASSET, durationSeconds: 11 }))
    expectRefused(doc, 'invalid_value', () =>
      addAudioAsset(doc, alice, { ...ASSET, format: 'exe' as AudioAsset['format'] }),
    )
  })

  it('ignores a record written under another hash than its own', () => {
    const doc = createSongDoc()
    doc.getMap('assets').set('b'.repeat(64), ASSET)
    expect(readAudioAsset(doc, 'b'.repeat(64))).toBeUndefined()
  })
})

describe('adding audio clips', () => {
  it('places the whole asset by default, with provenance stamped for the recording user', () => {
    const { doc, trackId, clipId } = setup()
    const clip = readAudioClip(doc, trackId, clipId)!
    expect(clip).toMatchObject({
      asset: HASH,
      start: BAR,
      offset: 0,
      length: 10,
      gainDb: 0,
      fadeIn: 0,
      fadeOut: 0,
      takeIndex: 0,
      active: true,
      name: 'vocal take.wav',
      provenance: { ...recording, recordedBy: 'alice' },
    })
    expect(AudioClipSchema.safeParse(clip).success).toBe(true)
    expect(readTrack(doc, trackId)!.audioClips).toEqual([clip])
    expect(readTrack(doc, trackId)!.clips).toEqual([])
    expect(SongSnapshotSchema.safeParse(readSong(doc)).success).toBe(true)
  })

  it('writes the asset record with the clip when the song does not have it yet', () => {
    const doc = createSongDoc()
    const trackId = addTrack(doc, alice, { kind: 'audio' })
    const undo = createUndo(doc, alice)
    addAudioClip(doc, alice, trackId, {
      asset: HASH,
      start: 0,
      offset: 2,
      length: 3,
      provenance: { kind: 'import', fileName: 'riff.wav' },
      assetRecord: ASSET,
    })
    expect(readAudioAsset(doc, HASH)).toEqual(ASSET)
    expect(readTrack(doc, trackId)!.audioClips[0]).toMatchObject({
      offset: 2,
      length: 3,
      provenance: { kind: 'import', fileName: 'riff.wav', importedBy: 'alice' },
    })
    // Undo takes the clip back; the asset record, which nothing else changes, stays.
    undo.undo()
    expect(readTrack(doc, trackId)!.audioClips).toEqual([])
    expect(readAudioAsset(doc, HASH)).toEqual(ASSET)
  })

  it('refuses bad input and leaves the song untouched', () => {
    const { doc, trackId, keys } = setup()
    const base = { asset: HASH, start: 0, provenance: recording }
    expectRefused(doc, 'unsupported', () => addAudioClip(doc, alice, keys, base))
    expectRefused(doc, 'track_not_found', () => addAudioClip(doc, alice, 'nope', base))
    expectRefused(doc, 'invalid_value', () =>
      addAudioClip(doc, alice, trackId, { ...base, asset: 'b'.repeat(64) }),
    )
    expectRefused(doc, 'out_of_range', () =>
      addAudioClip(doc, alice, trackId, { ...base, offset: 8, length: 3 }),
    )
    expectRefused(doc, 'invalid_value', () => addAudioClip(doc, alice, trackId, { ...base, length: 0 }))
    expectRefused(doc, 'invalid_value', () => addAudioClip(doc, alice, trackId, { ...base, start: -1 }))
    expectRefused(doc, 'out_of_range', () =>
      addAudioClip(doc, alice, trackId, { ...base, length: 2, fadeIn: 1.5, fadeOut: 1 }),
    )
    expectRefused(doc, 'invalid_value', () => addAudioClip(doc, alice, trackId, { ...base, gainDb: 40 }))
    expectRefused(doc, 'invalid_value', () =>
      addAudioClip(doc, alice, trackId, { ...base, provenance: { ...recording, recordedAt: 'yesterday' } }),
    )
    expectRefused(doc, 'invalid_value', () =>
      addAudioClip(doc, alice, trackId, { ...base, assetRecord: { ...ASSET, hash: 'c'.repeat(64) } }),
    )
    // A system origin acts for nobody, so it has to say who recorded the take.
    expectRefused(doc, 'invalid_value', () => addAudioClip(doc, new SystemOrigin('test'), trackId, base))
  })

  it('MIDI clip operations do not reach audio clips, and audio ones do not reach MIDI clips', () => {
    const { doc, trackId, keys, clipId } = setup()
    const { clipId: midi } = addClip(doc, alice, keys, { start: 0, length: BAR })
    expect(readClip(doc, trackId, clipId)).toBeUndefined()
    expectRefused(doc, 'clip_not_found', () => moveClip(doc, alice, trackId, clipId, { start: 0 }))
    expectRefused(doc, 'clip_not_found', () => deleteClip(doc, alice, trackId, clipId))
    expectRefused(doc, 'clip_not_found', () => duplicateClip(doc, alice, trackId, clipId))
    expectRefused(doc, 'clip_not_found', () =>
      deleteAudioClips(doc, alice, [{ trackId: keys, clipId: midi }]),
    )
  })
})

describe('editing audio clips', () => {
  it('moves clips in time and onto another audio track (a new id that remembers the old one)', () => {
    const { doc, trackId, other, keys, clipId } = setup()
    moveAudioClips(doc, alice, [{ trackId, clipId }], { deltaTicks: BAR })
    expect(readAudioClip(doc, trackId, clipId)).toMatchObject({ start: 2 * BAR, offset: 0, length: 10 })
    const [moved] = moveAudioClips(doc, alice, [{ trackId, clipId }], { deltaTicks: -BAR, toTrackId: other })
    expect(readTrack(doc, trackId)!.audioClips).toEqual([])
    expect(readAudioClip(doc, other, moved!)).toMatchObject({ start: BAR, movedFrom: [clipId], asset: HASH })
    expectRefused(doc, 'invalid_value', () =>
      moveAudioClips(doc, alice, [{ trackId: other, clipId: moved! }], { deltaTicks: -2 * BAR }),
    )
    expectRefused(doc, 'unsupported', () =>
      moveAudioClips(doc, alice, [{ trackId: other, clipId: moved! }], { deltaTicks: 0, toTrackId: keys }),
    )
  })

  it('trims either edge without moving the audio', () => {
    const { doc, trackId, clipId } = setup()
    const before = assetSecondAt(doc, trackId, 3 * BAR)
    trimAudioClip(doc, alice, trackId, clipId, { start: 2 * BAR })
    expect(readAudioClip(doc, trackId, clipId)).toMatchObject({ start: 2 * BAR, offset: 2, length: 8 })
    trimAudioClip(doc, alice, trackId, clipId, { end: 4 * BAR })
    expect(readAudioClip(doc, trackId, clipId)).toMatchObject({ start: 2 * BAR, offset: 2, length: 4 })
    expect(assetSecondAt(doc, trackId, 3 * BAR)).toBeCloseTo(before!, 9)
    expect(assetSecondAt(doc, trackId, BAR)).toBeNull()
    // Pulling the left edge back reveals the audio again, as far as the asset's start.
    trimAudioClip(doc, alice, trackId, clipId, { start: BAR })
    expect(readAudioClip(doc, trackId, clipId)).toMatchObject({ start: BAR, offset: 0, length: 6 })
    expectRefused(doc, 'out_of_range', () => trimAudioClip(doc, alice, trackId, clipId, { start: 0 }))
    expectRefused(doc, 'out_of_range', () => trimAudioClip(doc, alice, trackId, clipId, { end: 7 * BAR }))
    expectRefused(doc, 'out_of_range', () => trimAudioClip(doc, alice, trackId, clipId, { end: BAR }))
    expectRefused(doc, 'invalid_value', () => trimAudioClip(doc, alice, trackId, clipId, {}))
  })

  it('shrinks fades that no longer fit after a trim', () => {
    const { doc, trackId, clipId } = setup()
    setAudioClipFades(doc, alice, trackId, clipId, { fadeIn: 1, fadeOut: 3 })
    trimAudioClip(doc, alice, trackId, clipId, { end: BAR + secondsToTicks(2, 120) })
    expect(readAudioClip(doc, trackId, clipId)).toMatchObject({ length: 2, fadeIn: 1, fadeOut: 1 })
  })

  it('splits so that every sample plays at the same song time as before', () => {
    const { doc, trackId, clipId } = setup()
    setAudioClipFades(doc, alice, trackId, clipId, { fadeIn: 0.5, fadeOut: 0.25 })
    // Off the beat grid, at a tempo where a tick is not a whole number of samples.
    setTempo(doc, alice, 97)
    const probes = [BAR + 1, BAR + 777, 2 * BAR + 5, 3 * BAR + 333, 4 * BAR - 1]
    const before = probes.map((t) => assetSecondAt(doc, trackId, t))
    const at = 2 * BAR + 123
    const { leftClipId, rightClipId } = splitAudioClip(doc, alice, trackId, clipId, at)
    expect(leftClipId).toBe(clipId)
    for (const [i, t] of probes.entries()) expect(assetSecondAt(doc, trackId, t)).toBeCloseTo(before[i]!, 9)
    const left = readAudioClip(doc, trackId, leftClipId)!
    const right = readAudioClip(doc, trackId, rightClipId)!
    expect(left.offset + left.length).toBeCloseTo(right.offset, 9)
    expect(left.length + right.length).toBeCloseTo(10, 9)
    expect([left.fadeIn, left.fadeOut, right.fadeIn, right.fadeOut]).toEqual([0.5, 0, 0, 0.25])
    expect(right).toMatchObject({ start: at, takeGroupId: left.takeGroupId, provenance: left.provenance })
    expectRefused(doc, 'out_of_range', () => splitAudioClip(doc, alice, trackId, clipId, BAR))
    expectRefused(doc, 'out_of_range', () => splitAudioClip(doc, alice, trackId, clipId, 0))
  })

  it('duplicates after the selection, keeping copied takes together in a group of their own', () => {
    const { doc, trackId, other, clipId } = setup()
    const { clipId: second } = addAudioClip(doc, alice, trackId, {
      asset: HASH,
      start: BAR,
      provenance: recording,
      takeGroupId: readAudioClip(doc, trackId, clipId)!.takeGroupId,
    })
    const copies = duplicateAudioClips(doc, alice, [
      { trackId, clipId },
      { trackId, clipId: second },
    ])
    const [a, b] = copies.map((id) => readAudioClip(doc, trackId, id)!)
    expect(a!.start).toBe(BAR + secondsToTicks(10, 120))
    expect(a!.takeGroupId).toBe(b!.takeGroupId)
    expect(a!.takeGroupId).not.toBe(readAudioClip(doc, trackId, clipId)!.takeGroupId)
    expect([a!.active, b!.active]).toEqual([false, true])
    const [elsewhere] = duplicateAudioClips(doc, alice, [{ trackId, clipId }], {
      deltaTicks: 0,
      toTrackId: other,
    })
    expect(readAudioClip(doc, other, elsewhere!)).toMatchObject({ start: BAR, asset: HASH })
  })

  it('sets gain, fades and name, validated', () => {
    const { doc, trackId, clipId } = setup()
    setAudioClipGain(doc, alice, trackId, clipId, -6)
    setAudioClipFades(doc, alice, trackId, clipId, { fadeIn: 0.1 })
    renameAudioClip(doc, alice, trackId, clipId, 'Verse vox')
    expect(readAudioClip(doc, trackId, clipId)).toMatchObject({ gainDb: -6, fadeIn: 0.1, name: 'Verse vox' })
    expectRefused(doc, 'invalid_value', () => setAudioClipGain(doc, alice, trackId, clipId, Number.NaN))
    expectRefused(doc, 'out_of_range', () =>
      setAudioClipFades(doc, alice, trackId, clipId, { fadeOut: 9.95 }),
    )
    expectRefused(doc, 'invalid_value', () => setAudioClipFades(doc, alice, trackId, clipId, { fadeIn: -1 }))
  })

  it('deletes clips, and a duplicated track copies its audio clips', () => {
    const { doc, trackId, clipId } = setup()
    const { trackId: copy, clipIds } = duplicateTrack(doc, alice, trackId)
    expect(clipIds).toHaveLength(1)
    expect(readTrack(doc, copy)!.audioClips[0]).toMatchObject({ asset: HASH, start: BAR })
    deleteAudioClips(doc, alice, [{ trackId, clipId }])
    expect(readTrack(doc, trackId)!.audioClips).toEqual([])
    expectRefused(doc, 'clip_not_found', () => deleteAudioClips(doc, alice, [{ trackId, clipId }]))
  })
})

describe('undo and collaboration', () => {
  it("undo takes back only its own user's audio edits", () => {
    const { doc, trackId, clipId } = setup()
    const aliceUndo = createUndo(doc, alice)
    const bobUndo = createUndo(doc, bob)
    splitAudioClip(doc, alice, trackId, clipId, 2 * BAR)
    setAudioClipGain(doc, bob, trackId, clipId, -3)
    aliceUndo.undo()
    expect(readTrack(doc, trackId)!.audioClips).toHaveLength(1)
    expect(readAudioClip(doc, trackId, clipId)).toMatchObject({ length: 10, gainDb: -3 })
    bobUndo.undo()
    expect(readAudioClip(doc, trackId, clipId)).toMatchObject({ gainDb: 0 })
    aliceUndo.redo()
    expect(readTrack(doc, trackId)!.audioClips).toHaveLength(2)
  })

  it('keeps unchanged lists and clips as the same objects', () => {
    const { doc, trackId, keys, clipId } = setup()
    addClip(doc, alice, keys, { start: 0, length: BAR })
    const before = readTrack(doc, trackId)!
    const keysBefore = readTrack(doc, keys)!
    setAudioClipGain(doc, alice, trackId, clipId, -1)
    const after = readTrack(doc, trackId)!
    expect(after.clips).toBe(before.clips)
    expect(after.audioClips).not.toBe(before.audioClips)
    expect(readTrack(doc, keys)).toBe(keysBefore)
  })

  it('two replicas editing the same clips concurrently converge on one valid song', () => {
    const { doc: a, trackId, clipId } = setup()
    const b = new Y.Doc()
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a), new RemoteOrigin())
    const { clipId: second } = addAudioClip(a, alice, trackId, {
      asset: HASH,
      start: 8 * BAR,
      provenance: recording,
    })
    // Concurrently: alice moves and trims, bob trims the other edge, splits, changes gain and deletes.
    moveAudioClips(a, alice, [{ trackId, clipId }], { deltaTicks: BAR })
    trimAudioClip(a, alice, trackId, clipId, { start: 3 * BAR })
    trimAudioClip(b, bob, trackId, clipId, { end: 4 * BAR })
    splitAudioClip(b, bob, trackId, clipId, 2 * BAR)
    setAudioClipGain(b, bob, trackId, clipId, -9)
    setAudioClipFades(a, alice, trackId, clipId, { fadeOut: 1 })
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), new RemoteOrigin())
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), new RemoteOrigin())
    deleteAudioClips(b, bob, [{ trackId, clipId: second }])
    moveAudioClips(a, alice, [{ trackId, clipId: second }], { deltaTicks: BAR })
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), new RemoteOrigin())
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), new RemoteOrigin())
    expect(JSON.stringify(readSong(a))).toBe(JSON.stringify(readSong(b)))
    const clips = readTrack(a, trackId)!.audioClips
    for (const clip of clips) expect(AudioClipSchema.safeParse(clip).success).toBe(true)
    expect(clips.map((c) => c.id)).not.toContain(second)
    // The span is written whole: the clip is either alice's trim or bob's, never offset from one and start
    // from the other, so its audio stays where one of them put it.
    const clip = clips.find((c) => c.id === clipId)!
    const aliceVersion = { start: 3 * BAR, offset: 2 }
    const bobVersion = { start: BAR, offset: 0 }
    expect([aliceVersion, bobVersion]).toContainEqual({ start: clip.start, offset: clip.offset })
    expect(clip.gainDb).toBe(-9)
  })

  it('lists audio clip edits as clip changes for the catch-up summary', () => {
    const { doc, trackId, clipId } = setup()
    const server = new Y.Doc()
    Y.applyUpdate(server, Y.encodeStateAsUpdate(doc))
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    trimAudioClip(doc, alice, trackId, clipId, { end: 3 * BAR })
    moveAudioClips(doc, alice, [{ trackId, clipId }], { deltaTicks: BAR })
    addAudioClip(doc, alice, trackId, { asset: HASH, start: 0, length: 1, provenance: recording })
    deleteAudioClips(doc, alice, [{ trackId, clipId }])
    const kinds = updates.flatMap((u) =>
      listChanges(server, u).map((c) => [c.kind, 'end' in c ? c.end : null]),
    )
    const end = (start: number) => start + 2 * BAR
    expect(kinds).toEqual([
      ['clip-resized', 3 * BAR],
      ['clip-moved', end(2 * BAR)],
      ['clip-added', BAR / 2],
      ['clip-removed', end(2 * BAR)],
    ])
  })

  it('a comment on an audio clip follows it to another track', () => {
    const { doc, trackId, other, clipId } = setup()
    const placed = placeAnchor(readSong(doc), { start: BAR, end: 2 * BAR, trackId, clipId })
    expect(placed.ok).toBe(true)
    if (!placed.ok) return
    expect(placeAnchor(readSong(doc), { ...placed.anchor, noteIds: ['n'] }).ok).toBe(false)
    moveAudioClips(doc, alice, [{ trackId, clipId }], { deltaTicks: BAR, toTrackId: other })
    expect(resolveAnchor(readSong(doc), placed.anchor)).toEqual({
      start: 2 * BAR,
      end: 3 * BAR,
      trackId: other,
      lost: null,
    })
  })

  it('restoring a version brings its audio clips back as they were', () => {
    const { doc, trackId, clipId } = setup()
    const version = Y.encodeStateAsUpdate(doc)
    const before = readTrack(doc, trackId)!.audioClips
    splitAudioClip(doc, bob, trackId, clipId, 2 * BAR)
    deleteAudioClips(doc, bob, [{ trackId, clipId }])
    restoreVersion(doc, alice, 'v1', version)
    expect(readTrack(doc, trackId)!.audioClips).toEqual(before)
    expect(readAudioAsset(doc, HASH)).toEqual(ASSET)
  })

  it('old songs load and migrate to the current version', () => {
    const doc = new Y.Doc()
    doc.getMap('meta').set('schemaVersion', 1)
    expect(migrateSong(doc)).toBe(1)
    expect(readSong(doc).meta.schemaVersion).toBe(SONG_SCHEMA_VERSION)
  })
})
