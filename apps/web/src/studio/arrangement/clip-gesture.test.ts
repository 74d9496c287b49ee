import {
  addAudioAsset,
  addAudioClip,
  addClip,
  addTrack,
  createSongDoc,
  PPQ,
  readAudioClip,
  readClip,
  readTrack,
  UserOrigin,
} from '@ensemble/core'
import { describe, expect, it } from 'vitest'
import { type ClipGesture, finishGesture, updateGesture } from './clip-gesture'

const me = new UserOrigin('alice')
const BAR = PPQ * 4
const HASH = 'b'.repeat(64)
const exact = (t: number) => t

/** Two audio tracks and a keys track at 120 bpm (a bar is 2 s); an 8 s vocal plays its seconds 2..6. */
const setup = () => {
  const doc = createSongDoc({ bpm: 120 })
  const vocals = addTrack(doc, me, { kind: 'audio', name: 'Vocals' })
  const guitar = addTrack(doc, me, { kind: 'audio', name: 'Guitar' })
  const keys = addTrack(doc, me, { kind: 'instrument', name: 'Keys' })
  addAudioAsset(doc, me, {
    hash: HASH,
    name: 'vocal.wav',
    format: 'wav',
    sampleRate: 48_000,
    channels: 1,
    frames: 384_000,
    durationSeconds: 8,
  })
  const { clipId } = addAudioClip(doc, me, vocals, {
    asset: HASH,
    start: BAR,
    offset: 2,
    length: 4,
    provenance: { kind: 'import', fileName: 'vocal.wav' },
  })
  const midi = addClip(doc, me, keys, { start: 0, length: BAR }).clipId
  return { doc, vocals, guitar, keys, clipId, midi }
}

const moving = (
  refs: { trackId: string; clipId: string }[],
  from: string,
  extra: Partial<ClipGesture> = {},
) =>
  ({
    kind: 'moving',
    refs,
    grabTick: 0,
    deltaTicks: 0,
    fromTrackId: from,
    toTrackId: from,
    copy: false,
    minStart: 0,
    starts: new Map(),
    below: null,
    ...extra,
  }) as ClipGesture

describe('audio clips in the arrangement gesture', () => {
  it('trims the left edge no earlier than where the audio begins, and the right no later than it ends', () => {
    // The clip starts at bar 1 (2 s) and plays from 2 s into the asset: the audio begins at tick 0, ends at 4 bars.
    const trim: ClipGesture = {
      kind: 'trimming',
      ref: { trackId: 't', clipId: 'c' },
      edge: 'left',
      start: BAR,
      end: 3 * BAR,
      original: { start: BAR, end: 3 * BAR },
      audioFrom: 0,
      audioTo: 4 * BAR,
    }
    expect(updateGesture(trim, { tick: 0, trackId: 't' }, (t) => t - 100)).toMatchObject({ start: 0 })
    expect(updateGesture(trim, { tick: 5 * BAR, trackId: 't' }, exact)).toMatchObject({ start: 3 * BAR - 1 })
    const right = { ...trim, edge: 'right' as const }
    expect(updateGesture(right, { tick: 9 * BAR, trackId: 't' }, exact)).toMatchObject({ end: 4 * BAR })
    expect(updateGesture(right, { tick: 0, trackId: 't' }, exact)).toMatchObject({ end: BAR + 1 })
  })

  it('commits a left trim through core: the edge moves, the audio stays where it plays', () => {
    const { doc, vocals, clipId } = setup()
    const gesture: ClipGesture = {
      kind: 'trimming',
      ref: { trackId: vocals, clipId },
      edge: 'left',
      start: 2 * BAR,
      end: 3 * BAR,
      original: { start: BAR, end: 3 * BAR },
      audioFrom: 0,
      audioTo: 4 * BAR,
    }
    expect(finishGesture(gesture, doc, me, PPQ)).toEqual([{ trackId: vocals, clipId }])
    expect(readAudioClip(doc, vocals, clipId)).toMatchObject({ start: 2 * BAR, offset: 4, length: 2 })
  })

  it('moves an audio clip onto another audio track, under a new id there', () => {
    const { doc, vocals, guitar, clipId } = setup()
    const g = moving([{ trackId: vocals, clipId }], vocals, { deltaTicks: BAR, toTrackId: guitar })
    const [moved] = finishGesture(g, doc, me, PPQ) ?? []
    expect(moved?.trackId).toBe(guitar)
    expect(readTrack(doc, vocals)?.audioClips).toEqual([])
    expect(readAudioClip(doc, guitar, moved!.clipId)).toMatchObject({ start: 2 * BAR, offset: 2, length: 4 })
  })

  it('moves a selection of MIDI and audio clips together, each through its own operation', () => {
    const { doc, vocals, keys, clipId, midi } = setup()
    const refs = [
      { trackId: keys, clipId: midi },
      { trackId: vocals, clipId },
    ]
    expect(finishGesture(moving(refs, keys, { deltaTicks: BAR }), doc, me, PPQ)).toEqual(refs)
    expect(readClip(doc, keys, midi)?.start).toBe(BAR)
    expect(readAudioClip(doc, vocals, clipId)?.start).toBe(2 * BAR)
  })

  it('copies an audio clip when Alt is held, leaving the original where it was', () => {
    const { doc, vocals, clipId } = setup()
    const g = moving([{ trackId: vocals, clipId }], vocals, { deltaTicks: 4 * BAR, copy: true })
    const [copy] = finishGesture(g, doc, me, PPQ) ?? []
    expect(copy?.clipId).not.toBe(clipId)
    expect(readAudioClip(doc, vocals, clipId)?.start).toBe(BAR)
    expect(readAudioClip(doc, vocals, copy!.clipId)).toMatchObject({ start: 5 * BAR, asset: HASH })
  })
})
