import {
  addAudioClip,
  audioClipEnd,
  type ClipRef,
  deleteAudioClips,
  duplicateAudioClips,
  moveAudioClips,
  readAudioClip,
  readMeta,
  readTrack,
  splitAudioClip,
  trimAudioClip,
  type UserOrigin,
} from '@ensemble/core'
import type * as Y from 'yjs'
import type { AssetRecord } from './asset-publish'

/*
 * Where the studio writes audio clips into the song: core's typed operations (add, move, trim, split,
 * duplicate, delete), each under the user's origin like every edit (one undo step; provenance stamped by
 * core). A new clip's asset record goes in the same transaction as the clip.
 */

export type AudioClipSource =
  | {
      readonly kind: 'recording'
      readonly recordedAt: string
      readonly input: string
      readonly latencyMs: number
    }
  | { readonly kind: 'import'; readonly fileName: string }

export interface NewAudioClip {
  readonly trackId: string
  /** Ticks. */
  readonly start: number
  readonly asset: AssetRecord
  readonly source: AudioClipSource
  /** A pass over an earlier take's region joins its group. */
  readonly takeGroupId?: string
  /** Ticks a recorded pass was recorded over (no end: until it was stopped by hand); see core's addAudioClip. */
  readonly recordedOver?: { readonly start: number; readonly end?: number }
}

export function addAudioClipToSong(
  doc: Y.Doc,
  me: UserOrigin,
  clip: NewAudioClip,
): { clipId: string; takeGroupId: string } {
  const { clipId, takeGroupId } = addAudioClip(doc, me, clip.trackId, {
    asset: clip.asset.hash,
    start: clip.start,
    name: clip.asset.name,
    provenance: clip.source,
    assetRecord: clip.asset,
    ...(clip.takeGroupId ? { takeGroupId: clip.takeGroupId } : {}),
    ...(clip.recordedOver ? { recordedOver: clip.recordedOver } : {}),
  })
  return { clipId, takeGroupId }
}

/**
 * The take group a new pass over [from, to) joins (to null: open-ended, until the take stops): the group of
 * the earliest playing take it overlaps, so passes over the same part stack as takes of one group.
 */
export function takeGroupAt(doc: Y.Doc, trackId: string, from: number, to: number | null): string | null {
  const track = readTrack(doc, trackId)
  if (!track) return null
  const bpm = readMeta(doc).bpm
  const end = to ?? Number.POSITIVE_INFINITY
  const overlapping = track.audioClips.find((c) => c.active && c.start < end && from < audioClipEnd(c, bpm))
  return overlapping?.takeGroupId ?? null
}

/**
 * The refs among `refs` that name audio clips still in the song: a selection mixes MIDI and audio clips, and
 * a bandmate may have deleted some meanwhile, which must not make a batch edit refuse.
 */
export function audioClipRefs(doc: Y.Doc, refs: readonly ClipRef[]): ClipRef[] {
  return refs.filter((r) => readAudioClip(doc, r.trackId, r.clipId) !== undefined)
}

/** Moves the clips by `deltaTicks` (onto `toTrackId` when given); returns where they are now. */
export function moveAudio(
  doc: Y.Doc,
  me: UserOrigin,
  refs: readonly ClipRef[],
  deltaTicks: number,
  toTrackId?: string,
): ClipRef[] {
  if (refs.length === 0) return []
  const ids = moveAudioClips(doc, me, refs, toTrackId ? { deltaTicks, toTrackId } : { deltaTicks })
  return ids.map((clipId, i) => ({ trackId: toTrackId ?? refs[i]!.trackId, clipId }))
}

/** Copies the clips, `deltaTicks` later (default: right after them), onto `toTrackId` when given. */
export function duplicateAudio(
  doc: Y.Doc,
  me: UserOrigin,
  refs: readonly ClipRef[],
  at: { deltaTicks?: number; toTrackId?: string } = {},
): ClipRef[] {
  if (refs.length === 0) return []
  const ids = duplicateAudioClips(doc, me, refs, at)
  return ids.map((clipId, i) => ({ trackId: at.toTrackId ?? refs[i]!.trackId, clipId }))
}

export function deleteAudio(doc: Y.Doc, me: UserOrigin, refs: readonly ClipRef[]): void {
  if (refs.length > 0) deleteAudioClips(doc, me, refs)
}

/** Moves one edge of a clip to a song tick; the audio stays where it plays. */
export function trimAudioEdge(
  doc: Y.Doc,
  me: UserOrigin,
  ref: ClipRef,
  edge: 'left' | 'right',
  tick: number,
): void {
  trimAudioClip(doc, me, ref.trackId, ref.clipId, edge === 'left' ? { start: tick } : { end: tick })
}

/** Splits each clip the tick falls strictly inside; returns both halves of every clip it cut. */
export function splitAudioAt(doc: Y.Doc, me: UserOrigin, refs: readonly ClipRef[], at: number): ClipRef[] {
  const bpm = readMeta(doc).bpm
  return refs.flatMap((ref) => {
    const clip = readAudioClip(doc, ref.trackId, ref.clipId)
    if (!clip || at <= clip.start || at >= audioClipEnd(clip, bpm)) return []
    const { leftClipId, rightClipId } = splitAudioClip(doc, me, ref.trackId, ref.clipId, at)
    return [
      { trackId: ref.trackId, clipId: leftClipId },
      { trackId: ref.trackId, clipId: rightClipId },
    ]
  })
}
