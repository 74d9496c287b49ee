/*
 * Operations on audio clips. A clip's start is in ticks and its audio in seconds (offset and length into
 * the asset), so every edit that moves an edge converts at the song's tempo and shifts the offset with it:
 * after a trim or a split, each sample still sounds at the same song time as before.
 */
import type * as Y from 'yjs'
import { z } from 'zod'
import { secondsToTicks, ticksToSeconds } from '../music/time'
import { parseAudioAsset, readAudioAsset } from './audio-assets'
import { audioClipEnd, cutAudioClip, writePieces } from './audio-span'
import type { ClipRef } from './clips'
import { SongError } from './errors'
import { newId } from './ids'
import { actingUser, type EditOrigin } from './origins'
import { readMeta } from './read'
import {
  type AudioAsset,
  AudioAssetSchema,
  type AudioClip,
  AudioClipSchema,
  ClipSchema,
  MAX_TICK,
  RecordingProvenanceSchema,
} from './schema'
import { deactivateOverlapped } from './takes'
import {
  applyClipMoves,
  assetsMap,
  audioClipsOf,
  clipsOf,
  commit,
  createAudioClipMap,
  movedFromAfter,
  parse,
  readAudioClipFields,
  requireAudioClip,
  requireAudioTrack,
  requireTrack,
  writeAudioSpan,
  type YRecord,
} from './ydoc'

export { audioClipEnd } from './audio-span'

/** Seconds of slack when checking a clip against its asset's length (float conversions through ticks). */
const SECONDS_EPSILON = 1e-6

const requireAsset = (doc: Y.Doc, hash: string): AudioAsset => {
  const asset = readAudioAsset(doc, hash)
  if (asset === undefined) throw new SongError('invalid_value', `The song has no audio asset ${hash}`)
  return asset
}

/** Validates a clip and checks that its audio lies within its asset and its fades within its length. */
const checkClip = (clip: AudioClip, asset: AudioAsset | undefined, what: string): AudioClip => {
  const value = parse(AudioClipSchema, clip, what)
  if (asset !== undefined && value.offset + value.length > asset.durationSeconds + SECONDS_EPSILON) {
    throw new SongError(
      'out_of_range',
      `Invalid ${what}: it plays ${value.offset}..${value.offset + value.length} s of an asset ${asset.durationSeconds} s long`,
    )
  }
  if (value.fadeIn + value.fadeOut > value.length + SECONDS_EPSILON) {
    throw new SongError(
      'out_of_range',
      `Invalid ${what}: fades of ${value.fadeIn} s and ${value.fadeOut} s do not fit in ${value.length} s`,
    )
  }
  return value
}

const RecordingInput = RecordingProvenanceSchema.extend({
  recordedBy: RecordingProvenanceSchema.shape.recordedBy.optional(),
})
const ImportInput = z.strictObject({
  kind: z.literal('import'),
  fileName: z.string().max(200),
  importedBy: z.string().min(1).max(64).optional(),
})

const AddAudioClipInput = z.strictObject({
  asset: AudioClipSchema.shape.asset,
  start: AudioClipSchema.shape.start,
  offset: AudioClipSchema.shape.offset.default(0),
  /** Default: the rest of the asset after `offset`. */
  length: AudioClipSchema.shape.length.optional(),
  name: AudioClipSchema.shape.name.optional(),
  gainDb: AudioClipSchema.shape.gainDb.default(0),
  fadeIn: AudioClipSchema.shape.fadeIn.default(0),
  fadeOut: AudioClipSchema.shape.fadeOut.default(0),
  /**
   * Another pass over a take group already on the track (or a group id the recorder chose for its first
   * pass): the clip becomes the group's next take and plays over its span, where the earlier takes stop.
   */
  takeGroupId: AudioClipSchema.shape.takeGroupId.optional(),
  /**
   * Song ticks a recorded pass was recorded over, where the group's earlier takes stop playing (default: the
   * clip's own span). The recorder gives its punch region, or from where recording started with no end for a
   * pass stopped by hand: the audio itself can start a few milliseconds late or end short of the punch-out
   * (capture start, stop timing), and a sliver of an earlier take must not keep playing beside the new one.
   * Without an end the earlier takes fall silent from the start on: the pass was stopped after the
   * performance, and resuming an earlier performance at the moment of the stop is not a take anyone chose.
   */
  recordedOver: z
    .strictObject({ start: z.int().min(0).max(MAX_TICK), end: z.int().min(1).max(MAX_TICK).optional() })
    .refine((r) => r.end === undefined || r.end > r.start, 'recordedOver end must be after its start')
    .optional(),
  /** Who made it: `recordedBy`/`importedBy` default to the user the origin acts for. */
  provenance: z.discriminatedUnion('kind', [RecordingInput, ImportInput]),
  /** The asset's record, written in the same transaction when the song does not have it yet. */
  assetRecord: AudioAssetSchema.optional(),
})
export type AddAudioClipInput = z.input<typeof AddAudioClipInput>

export const addAudioClip = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  input: AddAudioClipInput,
): { clipId: string; takeGroupId: string; takeIndex: number } => {
  const track = requireAudioTrack(doc, trackId)
  const fields = parse(AddAudioClipInput, input, 'audio clip')
  const { assetRecord, provenance: given, takeGroupId: group, recordedOver, ...rest } = fields
  if (assetRecord !== undefined && assetRecord.hash !== fields.asset) {
    throw new SongError('invalid_value', 'assetRecord describes another asset than the clip plays')
  }
  const known = readAudioAsset(doc, fields.asset)
  const asset =
    known ?? (assetRecord === undefined ? requireAsset(doc, fields.asset) : parseAudioAsset(assetRecord))
  const userId = actingUser(origin)?.userId
  const provenance =
    given.kind === 'recording'
      ? { ...given, recordedBy: given.recordedBy ?? userId }
      : { ...given, importedBy: given.importedBy ?? userId }
  const takeGroupId = group ?? newId()
  const stacked = audioClipsOf(track)
    .map(([id, y]) => readAudioClipFields(id, y))
    .filter((c) => c.takeGroupId === takeGroupId)
  const takeIndex = stacked.length === 0 ? 0 : Math.max(...stacked.map((c) => c.takeIndex)) + 1
  const clip = checkClip(
    {
      ...rest,
      id: newId(),
      name: rest.name ?? asset.name,
      length: rest.length ?? asset.durationSeconds - rest.offset,
      takeGroupId,
      takeIndex,
      active: true,
      provenance: provenance as AudioClip['provenance'],
    },
    asset,
    'audio clip',
  )
  const bpm = readMeta(doc).bpm
  const punched = deactivateOverlapped(
    doc,
    track,
    takeGroupId,
    recordedOver?.start ?? clip.start,
    recordedOver === undefined ? audioClipEnd(clip, bpm) : (recordedOver.end ?? Number.POSITIVE_INFINITY),
    bpm,
  )
  commit(doc, origin, () => {
    if (known === undefined) assetsMap(doc).set(asset.hash, asset)
    punched.write()
    clipsOf(track).set(clip.id, createAudioClipMap(clip))
  })
  return { clipId: clip.id, takeGroupId, takeIndex }
}

const requireRefs = (doc: Y.Doc, clips: readonly ClipRef[]) => {
  if (!Array.isArray(clips)) throw new SongError('invalid_value', 'clips must be an array')
  const seen = new Set<string>()
  return clips.map((ref) => {
    const y = requireAudioClip(doc, ref?.trackId, ref?.clipId)
    if (seen.has(ref.clipId)) throw new SongError('invalid_value', `Clip ${ref.clipId} is listed twice`)
    seen.add(ref.clipId)
    return { ref, y, clip: readAudioClipFields(ref.clipId, y) }
  })
}

const MoveInput = z.strictObject({
  deltaTicks: z.int().min(-MAX_TICK).max(MAX_TICK),
  toTrackId: z.string().optional(),
})

/**
 * Moves audio clips by the same number of ticks, optionally onto another audio track. As with MIDI clips
 * (see moveClips), a clip that changes track is re-created there under a new id that remembers the old one.
 * The audio is untouched: only where it starts changes. Returns the resulting ids, in input order.
 */
export const moveAudioClips = (
  doc: Y.Doc,
  origin: EditOrigin,
  clips: readonly ClipRef[],
  move: z.input<typeof MoveInput>,
): string[] => {
  const { deltaTicks, toTrackId } = parse(MoveInput, move, 'audio clip move')
  const target = toTrackId === undefined ? null : requireAudioTrack(doc, toTrackId)
  const plan = requireRefs(doc, clips).map(({ ref, y, clip }) => {
    const start = parse(AudioClipSchema.shape.start, clip.start + deltaTicks, 'audio clip start')
    const crossing = target !== null && toTrackId !== ref.trackId
    const moved = { ...clip, start }
    const id = newId()
    const movedFrom = movedFromAfter(ref.clipId, clip.movedFrom)
    return {
      ...ref,
      stay: () => writeAudioSpan(y, moved),
      copy: crossing ? { id, y: createAudioClipMap({ ...moved, id, movedFrom }) } : null,
    }
  })
  return applyClipMoves(doc, origin, target, plan)
}

const TrimInput = z
  .strictObject({
    /** The new left edge, in song ticks: the audio under it stays where it was, the part before is hidden. */
    start: AudioClipSchema.shape.start.optional(),
    /** The new right edge, in song ticks. */
    end: z.number().min(0).max(MAX_TICK).optional(),
  })
  .refine((t) => t.start !== undefined || t.end !== undefined, 'give start, end or both')

/**
 * Moves either edge (or both) of an audio clip without moving its audio: trimming the left edge later
 * hides the audio before it, and pulling it earlier reveals audio from before the offset, as far as the
 * asset goes. Fades shrink to fit.
 */
export const trimAudioClip = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  edges: z.input<typeof TrimInput>,
): void => {
  const y = requireAudioClip(doc, trackId, clipId)
  const { start, end } = parse(TrimInput, edges, 'audio clip trim')
  const clip = readAudioClipFields(clipId, y)
  const bpm = readMeta(doc).bpm
  const newStart = start ?? clip.start
  const newEnd = end ?? audioClipEnd(clip, bpm)
  if (newEnd <= newStart) {
    throw new SongError('out_of_range', `Trim leaves nothing: end ${newEnd} is not after start ${newStart}`)
  }
  const offset = clip.offset + ticksToSeconds(newStart - clip.start, bpm)
  if (offset < -SECONDS_EPSILON) {
    throw new SongError(
      'out_of_range',
      `Trim start ${newStart} is before the beginning of the audio (tick ${clip.start - secondsToTicks(clip.offset, bpm)})`,
    )
  }
  const length = ticksToSeconds(newEnd - newStart, bpm)
  const fadeIn = Math.min(clip.fadeIn, length)
  const trimmed = checkClip(
    {
      ...clip,
      start: newStart,
      offset: Math.max(0, offset),
      length,
      fadeIn,
      fadeOut: Math.min(clip.fadeOut, length - fadeIn),
    },
    readAudioAsset(doc, clip.asset),
    'trimmed audio clip',
  )
  commit(doc, origin, () => {
    writeAudioSpan(y, trimmed)
    if (trimmed.fadeIn !== clip.fadeIn) y.set('fadeIn', trimmed.fadeIn)
    if (trimmed.fadeOut !== clip.fadeOut) y.set('fadeOut', trimmed.fadeOut)
  })
}

/** Cuts an audio clip in two at a song tick strictly inside it; the left half keeps the clip's id. */
export const splitAudioClip = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  atTick: number,
): { leftClipId: string; rightClipId: string } => {
  const track = requireTrack(doc, trackId)
  const y = requireAudioClip(doc, trackId, clipId)
  const clip = readAudioClipFields(clipId, y)
  const at = parse(ClipSchema.shape.start, atTick, 'split tick')
  const bpm = readMeta(doc).bpm
  const end = audioClipEnd(clip, bpm)
  if (at <= clip.start || at >= end) {
    throw new SongError('out_of_range', `Split tick ${at} is not inside the clip (${clip.start}..${end})`)
  }
  const pieces = cutAudioClip(clip, [at], bpm)
  commit(doc, origin, () => writePieces(track, y, clip, pieces))
  return { leftClipId: clipId, rightClipId: pieces[1]!.id }
}

const DuplicateInput = z.strictObject({
  deltaTicks: z.int().min(-MAX_TICK).max(MAX_TICK).optional(),
  toTrackId: z.string().optional(),
})

/**
 * Copies audio clips (new ids, the same audio), by default right after the selection on their own tracks.
 * Takes copied together stay one group in the copy, a group of their own. Returns the ids in input order.
 */
export const duplicateAudioClips = (
  doc: Y.Doc,
  origin: EditOrigin,
  clips: readonly ClipRef[],
  options: z.input<typeof DuplicateInput> = {},
): string[] => {
  const { deltaTicks, toTrackId } = parse(DuplicateInput, options, 'audio clip copy')
  const target = toTrackId === undefined ? null : requireAudioTrack(doc, toTrackId)
  const sources = requireRefs(doc, clips)
  const bpm = readMeta(doc).bpm
  const span =
    sources.length === 0
      ? 0
      : Math.ceil(Math.max(...sources.map((s) => audioClipEnd(s.clip, bpm)))) -
        Math.min(...sources.map((s) => s.clip.start))
  const delta = deltaTicks ?? span
  const groups = new Map<string, string>()
  const copies = sources.map(({ ref, clip }) => {
    const { movedFrom: _movedFrom, ...fields } = clip
    let group = groups.get(clip.takeGroupId)
    if (group === undefined) {
      group = newId()
      groups.set(clip.takeGroupId, group)
    }
    const copy = checkClip(
      { ...fields, id: newId(), start: clip.start + delta, takeGroupId: group },
      undefined,
      `copy of audio clip ${clip.id}`,
    )
    return { track: target ?? requireTrack(doc, ref.trackId), copy }
  })
  commit(doc, origin, () => {
    for (const { track, copy } of copies) clipsOf(track).set(copy.id, createAudioClipMap(copy))
  })
  return copies.map((c) => c.copy.id)
}

export const deleteAudioClips = (doc: Y.Doc, origin: EditOrigin, clips: readonly ClipRef[]): void => {
  const refs = requireRefs(doc, clips)
  commit(doc, origin, () => {
    for (const { ref } of refs) clipsOf(requireTrack(doc, ref.trackId)).delete(ref.clipId)
  })
}

export const setAudioClipGain = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  gainDb: number,
): void => {
  const y = requireAudioClip(doc, trackId, clipId)
  const value = parse(AudioClipSchema.shape.gainDb, gainDb, 'clip gain')
  commit(doc, origin, () => y.set('gainDb', value))
}

const FadesInput = z.strictObject({
  fadeIn: AudioClipSchema.shape.fadeIn.optional(),
  fadeOut: AudioClipSchema.shape.fadeOut.optional(),
})

/** Sets the fade in and/or out, in seconds; together they must fit in the clip. */
export const setAudioClipFades = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  fades: z.input<typeof FadesInput>,
): void => {
  const y = requireAudioClip(doc, trackId, clipId)
  const { fadeIn, fadeOut } = parse(FadesInput, fades, 'clip fades')
  const clip = readAudioClipFields(clipId, y)
  checkClip({ ...clip, fadeIn: fadeIn ?? clip.fadeIn, fadeOut: fadeOut ?? clip.fadeOut }, undefined, 'fades')
  commit(doc, origin, () => {
    if (fadeIn !== undefined) y.set('fadeIn', fadeIn)
    if (fadeOut !== undefined) y.set('fadeOut', fadeOut)
  })
}

export const renameAudioClip = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  clipId: string,
  name: string,
): void => {
  const y = requireAudioClip(doc, trackId, clipId)
  const value = parse(AudioClipSchema.shape.name, name, 'clip name')
  commit(doc, origin, () => y.set('name', value))
}

/** Copies for duplicateTrack: every audio clip of a track under new ids, take groups kept together. */
export const copyAudioClips = (track: YRecord): { id: string; y: YRecord }[] => {
  const groups = new Map<string, string>()
  return audioClipsOf(track).map(([clipId, y]) => {
    const { movedFrom: _movedFrom, ...clip } = readAudioClipFields(clipId, y)
    let group = groups.get(clip.takeGroupId)
    if (group === undefined) {
      group = newId()
      groups.set(clip.takeGroupId, group)
    }
    const id = newId()
    return { id, y: createAudioClipMap({ ...clip, id, takeGroupId: group }) }
  })
}
