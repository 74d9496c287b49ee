/*
 * Take groups. Passes recorded over the same region share a take group; each clip says whether it plays
 * (`active`). Choosing a take for the whole group flips those flags; choosing one for a region (comping)
 * first cuts the group's clips at the region's edges, the way a split does (each sample stays at its song
 * time), then flips the flags of the pieces inside it. The engine then simply plays the active clips.
 */
import type * as Y from 'yjs'
import { z } from 'zod'
import { audioClipEnd, cutAudioClip, writePieces } from './audio-span'
import { SongError } from './errors'
import type { EditOrigin } from './origins'
import { readMeta } from './read'
import { type AudioClip, AudioClipSchema, MAX_TICK } from './schema'
import { audioClipsOf, commit, parse, readAudioClipFields, requireAudioTrack, type YRecord } from './ydoc'

interface GroupClip {
  readonly y: YRecord
  readonly clip: AudioClip
}

const groupClips = (track: YRecord, groupId: string): GroupClip[] =>
  audioClipsOf(track)
    .map(([id, y]) => ({ y, clip: readAudioClipFields(id, y) }))
    .filter(({ clip }) => clip.takeGroupId === groupId)

/**
 * Plans setting `active` to `playing(clip)` on the group's clips over [from, to) ticks, cutting clips that
 * cross an edge. Returns the writes, to run inside the caller's transaction.
 */
const planActive = (
  track: YRecord,
  clips: readonly GroupClip[],
  from: number,
  to: number,
  bpm: number,
  playing: (clip: AudioClip) => boolean,
): { write: () => void } => {
  const writes: (() => void)[] = []
  for (const { y, clip } of clips) {
    const end = audioClipEnd(clip, bpm)
    if (end <= from || clip.start >= to) continue
    const pieces = cutAudioClip(clip, [from, to], bpm).map((piece) =>
      piece.start >= from && piece.start < to ? { ...piece, active: playing(clip) } : piece,
    )
    // Every clip the choice covers gets its flag written, changed or not: two users choosing different takes
    // at once then write the same keys, and one user's choice wins on all of them (Yjs settles concurrent
    // writes to a key by client, the same way for every key), so exactly one take plays. Written only where
    // the flag changed, both choices would survive in part and two takes would play at once.
    writes.push(() => writePieces(track, y, clip, pieces, true))
  }
  return {
    write: () => {
      for (const w of writes) w()
    },
  }
}

/** For a new take: the group's earlier takes stop playing over [from, to), where the new one plays. */
export const deactivateOverlapped = (
  _doc: Y.Doc,
  track: YRecord,
  groupId: string,
  from: number,
  to: number,
  bpm: number,
): { write: () => void } => planActive(track, groupClips(track, groupId), from, to, bpm, () => false)

const ChooseInput = z.strictObject({
  takeGroupId: AudioClipSchema.shape.takeGroupId,
  takeIndex: AudioClipSchema.shape.takeIndex,
  /** Song ticks [start, end): choose the take only there (comping). Without it, for the whole group. */
  region: z
    .strictObject({ start: z.int().min(0).max(MAX_TICK), end: z.int().min(1).max(MAX_TICK) })
    .refine((r) => r.end > r.start, 'region end must be after its start')
    .optional(),
})

/**
 * Chooses which take of a group plays: everywhere, or only over `region` (the other takes keep playing
 * where they did outside it). A part of the region the chosen take does not cover falls silent.
 */
export const chooseTake = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  takeGroupId: string,
  takeIndex: number,
  region?: { start: number; end: number },
): void => {
  const track = requireAudioTrack(doc, trackId)
  const input = parse(ChooseInput, { takeGroupId, takeIndex, region }, 'take choice')
  const clips = groupClips(track, input.takeGroupId)
  if (clips.length === 0) {
    throw new SongError('take_not_found', `No take group ${input.takeGroupId} on track ${trackId}`)
  }
  if (!clips.some(({ clip }) => clip.takeIndex === input.takeIndex)) {
    throw new SongError('take_not_found', `Take group ${input.takeGroupId} has no take ${input.takeIndex}`)
  }
  const playing = (clip: AudioClip) => clip.takeIndex === input.takeIndex
  const bpm = readMeta(doc).bpm
  const plan =
    input.region === undefined
      ? planActive(track, clips, 0, Number.POSITIVE_INFINITY, bpm, playing)
      : planActive(track, clips, input.region.start, input.region.end, bpm, playing)
  commit(doc, origin, plan.write)
}

/** One take of a group as the studio lists it. */
export interface TakeSummary {
  readonly takeIndex: number
  readonly clipIds: readonly string[]
  /** Whether any part of this take plays. */
  readonly playing: boolean
}

/** The takes of a group on a track, in recording order (from a track snapshot's audio clips). */
export const listTakes = (audioClips: readonly AudioClip[], takeGroupId: string): TakeSummary[] => {
  const byTake = new Map<number, AudioClip[]>()
  for (const clip of audioClips) {
    if (clip.takeGroupId !== takeGroupId) continue
    const list = byTake.get(clip.takeIndex)
    if (list === undefined) byTake.set(clip.takeIndex, [clip])
    else list.push(clip)
  }
  return [...byTake.entries()]
    .sort(([a], [b]) => a - b)
    .map(([takeIndex, clips]) => ({
      takeIndex,
      clipIds: clips.map((c) => c.id),
      playing: clips.some((c) => c.active),
    }))
}
