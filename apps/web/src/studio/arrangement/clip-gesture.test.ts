import {
  addAudioAsset,
  addAudioClip,
  addClip,
  addTrack,
  createSongDoc,
  MAX_CLIP_GAIN_DB,
  MIN_CLIP_GAIN_DB,
  PPQ,
  readAudioClip,
  readClip,
  readTrack,
  UserOrigin,
} from '@ensemble/core'
import { describe, expect, it } from 'vitest'
import { type ClipGesture, finishGesture, GAIN_DB_PER_PX, updateGesture } from './clip-gesture'

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
    expect(updateGesture(trim, { tick: 0, trackId: 't', y: 0 }, (t) => t - 100)).toMatchObject({ start: 0 })
    expect(updateGesture(trim, { tick: 5 * BAR, trackId: 't', y: 0 }, exact)).toMatchObject({
      start: 3 * BAR - 1,
    })
    const right = { ...trim, edge: 'right' as const }
    expect(updateGesture(right, { tick: 9 * BAR, trackId: 't', y: 0 }, exact)).toMatchObject({ end: 4 * BAR })
    expect(updateGesture(right, { tick: 0, trackId: 't', y: 0 }, exact)).toMatchObject({ end: BAR + 1 })
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

describe('fade and gain handles of an audio clip', () => {
  // The 4 s clip of `setup` at 120 bpm (a bar is 2 s), with a 0.5 s fade out; the handle grabbed at bar 1.
  const fading = (edge: 'in' | 'out', ref = { trackId: 't', clipId: 'c' }): ClipGesture => ({
    kind: 'fading',
    ref,
    edge,
    grabTick: BAR,
    bpm: 120,
    length: 4,
    original: { fadeIn: 0, fadeOut: 0.5 },
    fadeIn: 0,
    fadeOut: 0.5,
  })
  const at = (tick: number, y = 0) => ({ tick, trackId: 't', y })

  it('lengthens a fade in as its handle goes right, within what the fade out leaves, never below 0', () => {
    const g = fading('in')
    expect(updateGesture(g, at(BAR + BAR / 4), exact)).toMatchObject({ fadeIn: 0.5, fadeOut: 0.5 })
    expect(updateGesture(g, at(BAR + 2 * BAR), exact)).toMatchObject({ fadeIn: 3.5 })
    expect(updateGesture(g, at(0), exact)).toMatchObject({ fadeIn: 0 })
  })

  it('lengthens a fade out as its handle goes left, and is not snapped to the grid', () => {
    const g = fading('out')
    const snapToBars = (t: number) => Math.round(t / BAR) * BAR
    expect(updateGesture(g, at(BAR - PPQ / 2), snapToBars)).toMatchObject({ fadeOut: 0.75, fadeIn: 0 })
    expect(updateGesture(g, at(BAR + PPQ), exact)).toMatchObject({ fadeOut: 0 })
    expect(updateGesture(g, at(-10 * BAR), exact)).toMatchObject({ fadeOut: 4 })
  })

  it('raises the gain as the handle goes up, a tenth of a dB at a time, within the range', () => {
    const g: ClipGesture = {
      kind: 'gaining',
      ref: { trackId: 't', clipId: 'c' },
      grabY: 100,
      original: -3,
      gainDb: -3,
    }
    expect(updateGesture(g, at(0, 100 - 12 / GAIN_DB_PER_PX), exact)).toMatchObject({ gainDb: 9 })
    expect(updateGesture(g, at(0, 102), exact)).toMatchObject({ gainDb: -3.5 })
    expect(updateGesture(g, at(0, -10_000), exact)).toMatchObject({ gainDb: MAX_CLIP_GAIN_DB })
    expect(updateGesture(g, at(0, 10_000), exact)).toMatchObject({ gainDb: MIN_CLIP_GAIN_DB })
  })

  it('commits a fade and a gain through core, one edit each, and nothing for a click without a drag', () => {
    const { doc, vocals, clipId } = setup()
    const ref = { trackId: vocals, clipId }
    const dragged = updateGesture(fading('in', ref), at(BAR + BAR / 2), exact)
    expect(finishGesture(dragged, doc, me, PPQ)).toEqual([ref])
    expect(readAudioClip(doc, vocals, clipId)).toMatchObject({ fadeIn: 1, fadeOut: 0 })
    const gain: ClipGesture = { kind: 'gaining', ref, grabY: 0, original: 0, gainDb: 0 }
    const updates: unknown[] = []
    doc.on('update', (u) => updates.push(u))
    finishGesture(gain, doc, me, PPQ)
    expect(updates).toHaveLength(0)
    finishGesture(updateGesture(gain, at(0, 24), exact), doc, me, PPQ)
    expect(readAudioClip(doc, vocals, clipId)?.gainDb).toBe(-6)
    expect(updates).toHaveLength(1)
  })
})
