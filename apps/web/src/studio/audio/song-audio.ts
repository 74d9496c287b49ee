import type { UserOrigin } from '@ensemble/core'
import type * as Y from 'yjs'
import type { AssetRecord } from './asset-publish'

/*
 * Where the studio writes audio clips into the song: core's `addAudioClip` (with the asset's record in
 * the same transaction), under the user's origin like every edit. Kept behind this one module while the
 * song model for audio (the "audiocore" branch) is being merged.
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
  _doc: Y.Doc,
  _me: UserOrigin,
  _clip: NewAudioClip,
): { clipId: string; takeGroupId: string } {
  throw new Error('Audio clips need the song model for audio, which this build does not have yet')
}

/** The take group a new pass starting at `tick` joins: the one whose active take is playing there, if any. */
export function takeGroupAt(_doc: Y.Doc, _trackId: string, _tick: number): string | null {
  return null
}
