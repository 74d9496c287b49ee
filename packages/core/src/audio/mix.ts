/*
 * Who is heard: the mute/solo rule, kept pure so the UI (greyed-out tracks) and the engine agree.
 */
import type { Track } from '../song/index'

type MixState = Pick<Track, 'id' | 'mute' | 'solo'>

/**
 * A track is heard unless it is muted, or some track is soloed and it is not. Solo wins over the track's own
 * mute only in the sense DAWs agree on: a muted, soloed track stays silent (mute is the stronger switch).
 */
export const audibleTracks = (tracks: readonly MixState[]): ReadonlySet<string> => {
  const anySolo = tracks.some((t) => t.solo)
  return new Set(tracks.filter((t) => !t.mute && (!anySolo || t.solo)).map((t) => t.id))
}
