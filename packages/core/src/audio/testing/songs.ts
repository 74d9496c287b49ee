/* Small songs for the audio tests, built through core's public operations. Not exported by core. */
import type * as Y from 'yjs'
import { ticksPerBar } from '../../music/index'
import {
  type AddTrackInput,
  addClip,
  addTrack,
  createSongDoc,
  type NoteInput,
  UserOrigin,
} from '../../song/index'

export const BAR = ticksPerBar({ numerator: 4, denominator: 4 })
export const user = new UserOrigin('audio-test')

export interface TestTrack {
  readonly track: Omit<AddTrackInput, 'kind'> & { kind?: AddTrackInput['kind'] }
  /** Clips as [start, length, notes]. */
  readonly clips: readonly (readonly [number, number, readonly NoteInput[]])[]
}

export const buildSong = (
  bpm: number,
  tracks: readonly TestTrack[],
): { doc: Y.Doc; trackIds: string[]; clipIds: string[][] } => {
  const doc = createSongDoc({ bpm })
  const trackIds: string[] = []
  const clipIds: string[][] = []
  for (const t of tracks) {
    const id = addTrack(doc, user, { kind: 'instrument', ...t.track })
    trackIds.push(id)
    clipIds.push(
      t.clips.map(([start, length, notes]) => addClip(doc, user, id, { start, length, notes }).clipId),
    )
  }
  return { doc, trackIds, clipIds }
}

/** RMS of channel samples in [fromSeconds, toSeconds). */
export const rms = (
  samples: Float32Array,
  sampleRate: number,
  fromSeconds: number,
  toSeconds: number,
): number => {
  const from = Math.max(0, Math.floor(fromSeconds * sampleRate))
  const to = Math.min(samples.length, Math.floor(toSeconds * sampleRate))
  let sum = 0
  for (let i = from; i < to; i++) sum += (samples[i] ?? 0) ** 2
  return to > from ? Math.sqrt(sum / (to - from)) : 0
}

/** First time at or after `fromSeconds` where the signal's magnitude exceeds `threshold`, or null. */
export const onsetAfter = (
  samples: Float32Array,
  sampleRate: number,
  fromSeconds: number,
  threshold = 0.002,
): number | null => {
  for (let i = Math.floor(fromSeconds * sampleRate); i < samples.length; i++) {
    if (Math.abs(samples[i] ?? 0) > threshold) return i / sampleRate
  }
  return null
}
