import { addAudioClip, audioClipEnd, readMeta, readTrack, type UserOrigin } from '@ensemble/core'
import type * as Y from 'yjs'
import type { AssetRecord } from './asset-publish'

/*
 * Where the studio writes audio clips into the song: core's `addAudioClip`, with the asset's record in the
 * same transaction, under the user's origin like every edit (one undo step; provenance stamped by core).
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
