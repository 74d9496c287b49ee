import { describe, expect, it } from 'vitest'
import {
  addAudioClip,
  addClip,
  addNote,
  addTrack,
  chooseTake,
  deleteAudioClips,
  deleteClip,
  deleteNotes,
  deleteTrack,
  moveNotes,
  readClip,
  readSong,
  renameTrack,
  setAudioClipGain,
  setInstrument,
  setMute,
  setPan,
  setSolo,
  setTempo,
  setTimeSignature,
  setVolume,
} from '../song/index'
import { audioClipEvent, clipEvents, diffSong, type EngineAction } from './diff'
import { audibleTracks } from './mix'
import { resolvePreset } from './presets'
import { BAR, buildSong, user } from './testing/songs'
import { songEndTick } from './timing'

const two = () =>
  buildSong(120, [
    {
      track: { name: 'keys', instrument: 'piano' },
      clips: [
        [0, BAR, [{ pitch: 60, start: 0, duration: 480 }]],
        [BAR, BAR, [{ pitch: 64, start: 0, duration: 480 }]],
      ],
    },
    { track: { name: 'drums', kind: 'drums' }, clips: [[0, BAR, [{ pitch: 36, start: 0, duration: 60 }]]] },
  ])

const types = (actions: readonly EngineAction[]) => actions.map((a) => a.type)

describe('diffSong', () => {
  it('builds the whole graph from nothing: transport, tracks, mix, one schedule per clip with notes', () => {
    const { doc, trackIds } = two()
    addClip(doc, user, trackIds[0]!, { start: 4 * BAR, length: BAR }) // empty: nothing to schedule
    const actions = diffSong(null, readSong(doc))
    expect(types(actions)).toEqual([
      'tempo',
      'timeSignature',
      'addTrack',
      'addTrack',
      'mix',
      'mix',
      'scheduleClip',
      'scheduleClip',
      'scheduleClip',
    ])
    expect(actions[2]).toEqual({ type: 'addTrack', trackId: trackIds[0], preset: 'piano', stereo: false })
    expect(actions[3]).toEqual({ type: 'addTrack', trackId: trackIds[1], preset: 'drum-kit', stereo: false })
  })

  it('returns nothing for the same snapshot or an edit that changes no sound (a rename)', () => {
    const { doc, trackIds } = two()
    const song = readSong(doc)
    expect(diffSong(song, song)).toEqual([])
    renameTrack(doc, user, trackIds[0]!, 'Keys')
    expect(readSong(doc)).not.toBe(song)
    expect(diffSong(song, readSong(doc))).toEqual([])
  })

  it('adding, moving or deleting a note reschedules only that clip', () => {
    const { doc, trackIds, clipIds } = two()
    const [keys] = trackIds as [string, string]
    const [first, second] = clipIds[0] as [string, string]
    let before = readSong(doc)
    const noteId = addNote(doc, user, keys, second, { pitch: 67, start: 960, duration: 240, velocity: 127 })
    let actions = diffSong(before, readSong(doc))
    expect(actions).toEqual([
      {
        type: 'scheduleClip',
        trackId: keys,
        clipId: second,
        events: clipEvents(readClip(doc, keys, second)!),
      },
    ])
    const scheduled = actions[0] as Extract<EngineAction, { type: 'scheduleClip' }>
    expect(scheduled.events).toContainEqual({ tick: BAR + 960, duration: 240, pitch: 67, velocity: 1 })

    before = readSong(doc)
    moveNotes(doc, user, keys, second, [noteId], { deltaTicks: 120 })
    actions = diffSong(before, readSong(doc))
    expect(actions.map((a) => a.type === 'scheduleClip' && a.clipId)).toEqual([second])

    before = readSong(doc)
    const firstNote = readClip(doc, keys, first)!.notes[0]!.id
    deleteNotes(doc, user, keys, first, [firstNote])
    actions = diffSong(before, readSong(doc))
    expect(actions).toEqual([{ type: 'scheduleClip', trackId: keys, clipId: first, events: [] }])
  })

  it('unrolls looping clips into events', () => {
    const { doc, trackIds } = buildSong(120, [{ track: {}, clips: [] }])
    const { clipId } = addClip(doc, user, trackIds[0]!, {
      start: BAR,
      length: BAR,
      loopLength: 480,
      notes: [{ pitch: 60, start: 0, duration: 960, velocity: 64 }],
    })
    const clip = readClip(doc, trackIds[0]!, clipId)!
    expect(clipEvents(clip).map((e) => [e.tick, e.duration])).toEqual([
      [BAR, 480],
      [BAR + 480, 480],
      [BAR + 960, 480],
      [BAR + 1440, 480],
    ])
  })

  it('a tempo or time signature change is one transport action', () => {
    const { doc } = two()
    let before = readSong(doc)
    setTempo(doc, user, 90)
    expect(diffSong(before, readSong(doc))).toEqual([{ type: 'tempo', bpm: 90 }])
    before = readSong(doc)
    setTimeSignature(doc, user, { numerator: 7, denominator: 8 })
    expect(diffSong(before, readSong(doc))).toEqual([{ type: 'timeSignature', numerator: 7, denominator: 8 }])
  })

  it('mixer edits set the channel; preset changes swap the instrument; neither reschedules notes', () => {
    const { doc, trackIds } = two()
    const keys = trackIds[0]!
    let before = readSong(doc)
    setVolume(doc, user, keys, -12)
    setPan(doc, user, keys, 0.5)
    expect(diffSong(before, readSong(doc))).toEqual([
      { type: 'mix', trackId: keys, volumeDb: -12, pan: 0.5, audible: true },
    ])
    before = readSong(doc)
    setInstrument(doc, user, keys, 'bass-fingered')
    expect(diffSong(before, readSong(doc))).toEqual([{ type: 'setPreset', trackId: keys, preset: 'bass' }])
    before = readSong(doc)
    setInstrument(doc, user, keys, 'bass')
    expect(diffSong(before, readSong(doc))).toEqual([])
  })

  it('solo silences every other track, and unsolo brings them back, without touching clips', () => {
    const { doc, trackIds } = two()
    const [keys, drums] = trackIds as [string, string]
    let before = readSong(doc)
    setSolo(doc, user, drums, true)
    expect(diffSong(before, readSong(doc))).toEqual([
      { type: 'mix', trackId: keys, volumeDb: 0, pan: 0, audible: false },
    ])
    before = readSong(doc)
    setMute(doc, user, drums, true)
    expect(diffSong(before, readSong(doc))).toEqual([
      { type: 'mix', trackId: drums, volumeDb: 0, pan: 0, audible: false },
    ])
    before = readSong(doc)
    setSolo(doc, user, drums, false)
    expect(diffSong(before, readSong(doc))).toEqual([
      { type: 'mix', trackId: keys, volumeDb: 0, pan: 0, audible: true },
    ])
  })

  it('removing a clip or a track removes only its events', () => {
    const { doc, trackIds, clipIds } = two()
    const [keys, drums] = trackIds as [string, string]
    let before = readSong(doc)
    deleteClip(doc, user, keys, clipIds[0]![0]!)
    expect(diffSong(before, readSong(doc))).toEqual([
      { type: 'removeClip', trackId: keys, clipId: clipIds[0]![0] },
    ])
    before = readSong(doc)
    deleteTrack(doc, user, drums)
    expect(diffSong(before, readSong(doc))).toEqual([{ type: 'removeTrack', trackId: drums }])
    before = readSong(doc)
    const added = addTrack(doc, user, { kind: 'instrument', instrument: 'pad' })
    expect(types(diffSong(before, readSong(doc)))).toEqual(['addTrack', 'mix'])
    expect(diffSong(before, readSong(doc))[0]).toEqual({
      type: 'addTrack',
      trackId: added,
      preset: 'pad',
      stereo: false,
    })
  })
})

describe('diffSong with audio clips', () => {
  const asset = {
    hash: 'a'.repeat(64),
    name: 'vox.wav',
    format: 'wav',
    sampleRate: 48_000,
    channels: 2,
    frames: 480_000,
    durationSeconds: 10,
  } as const
  const withAudio = () => {
    const { doc } = buildSong(120, [])
    const trackId = addTrack(doc, user, { kind: 'audio', name: 'vox' })
    const take = addAudioClip(doc, user, trackId, {
      asset: asset.hash,
      start: BAR,
      offset: 1,
      length: 4,
      gainDb: -6,
      fadeIn: 0.5,
      fadeOut: 1,
      provenance: { kind: 'import', fileName: 'vox.wav' },
      assetRecord: asset,
    })
    return { doc, trackId, ...take }
  }

  it('adds a stereo channel and schedules each playing clip with its gain and fades', () => {
    const { doc, trackId, clipId } = withAudio()
    expect(diffSong(null, readSong(doc))).toContainEqual({
      type: 'addTrack',
      trackId,
      preset: null,
      stereo: true,
    })
    expect(diffSong(null, readSong(doc))).toContainEqual({
      type: 'scheduleAudioClip',
      trackId,
      clipId,
      clip: {
        asset: asset.hash,
        tick: BAR,
        offset: 1,
        length: 4,
        gain: 10 ** (-6 / 20),
        fadeIn: 0.5,
        fadeOut: 1,
      },
    })
  })

  it('reschedules only the edited clip, and removes a take that stops playing', () => {
    const { doc, trackId, clipId, takeGroupId } = withAudio()
    let before = readSong(doc)
    setAudioClipGain(doc, user, trackId, clipId, 0)
    const gain = diffSong(before, readSong(doc))
    expect(types(gain)).toEqual(['scheduleAudioClip'])
    before = readSong(doc)
    const second = addAudioClip(doc, user, trackId, {
      asset: asset.hash,
      start: BAR,
      length: 4,
      provenance: { kind: 'import', fileName: 'vox.wav' },
      takeGroupId,
    })
    const stacked = diffSong(before, readSong(doc))
    expect(stacked).toEqual([
      { type: 'removeClip', trackId, clipId },
      expect.objectContaining({ type: 'scheduleAudioClip', clipId: second.clipId }),
    ])
    before = readSong(doc)
    chooseTake(doc, user, trackId, takeGroupId, 0)
    expect(types(diffSong(before, readSong(doc)))).toEqual(['removeClip', 'scheduleAudioClip'])
    before = readSong(doc)
    deleteAudioClips(doc, user, [{ trackId, clipId }])
    expect(diffSong(before, readSong(doc))).toEqual([{ type: 'removeClip', trackId, clipId }])
  })

  it('plays nothing for values no operation writes', () => {
    const clip = {
      id: 'c',
      name: '',
      asset: asset.hash,
      start: 0,
      offset: 0,
      length: 1,
      gainDb: 0,
      fadeIn: 0,
      fadeOut: 0,
      takeGroupId: 'g',
      takeIndex: 0,
      active: true,
      provenance: { kind: 'import', fileName: '', importedBy: 'u' },
    } as const
    expect(audioClipEvent(clip)).not.toBeNull()
    expect(audioClipEvent({ ...clip, length: Number.NaN })).toBeNull()
    expect(audioClipEvent({ ...clip, length: -1 })).toBeNull()
    expect(audioClipEvent({ ...clip, active: false })).toBeNull()
    expect(audioClipEvent({ ...clip, gainDb: -60 })?.gain).toBe(0)
    // Fades that overlap (two users lengthening them at once) are fitted into the clip.
    const fitted = audioClipEvent({ ...clip, fadeIn: 0.8, fadeOut: 0.8 })
    expect(fitted?.fadeIn).toBe(0.8)
    expect(fitted?.fadeOut).toBeCloseTo(0.2, 9)
  })

  it('an audio clip ends the song where its audio ends at the tempo', () => {
    const { doc } = withAudio()
    // 4 s at 120 bpm is 2 bars, after the clip's start in bar 2.
    expect(songEndTick(readSong(doc))).toBe(3 * BAR)
  })
})

describe('audibleTracks', () => {
  const t = (id: string, mute: boolean, solo: boolean) => ({ id, mute, solo })
  it('hears unmuted tracks; with a solo, only soloed unmuted ones', () => {
    expect([...audibleTracks([t('a', false, false), t('b', true, false)])]).toEqual(['a'])
    expect([...audibleTracks([t('a', false, false), t('b', false, true), t('c', false, true)])]).toEqual([
      'b',
      'c',
    ])
    expect([...audibleTracks([t('a', false, false), t('b', true, true)])]).toEqual([])
  })
})

describe('resolvePreset', () => {
  it('takes known ids, families and kind defaults; drums always get a kit; audio gets none', () => {
    expect(resolvePreset('instrument', 'pluck')).toBe('pluck')
    expect(resolvePreset('instrument', 'Pad-warm')).toBe('pad')
    expect(resolvePreset('instrument', 'theremin')).toBe('piano')
    expect(resolvePreset('instrument', null)).toBe('piano')
    expect(resolvePreset('drums', 'piano')).toBe('drum-kit')
    expect(resolvePreset('audio', 'piano')).toBeNull()
  })
})
