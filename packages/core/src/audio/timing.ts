/*
 * Spans of a song's timeline: where it ends and what a render covers. The tick and second arithmetic itself
 * is core's music module's (music/time.ts).
 */
import { audioClipEnd, type SongSnapshot } from '../song/index'

/** A span of the song timeline in ticks, `start` inclusive, `end` exclusive. */
export interface TickRange {
  readonly start: number
  readonly end: number
}

/** Where the last clip ends, MIDI or audio (0 for a song without clips); audio ends at the song's tempo. */
export const songEndTick = (song: SongSnapshot): number => {
  let end = 0
  for (const track of song.tracks) {
    for (const clip of track.clips) end = Math.max(end, clip.start + clip.length)
    for (const clip of track.audioClips)
      if (clip.active) end = Math.max(end, Math.ceil(audioClipEnd(clip, song.meta.bpm)))
  }
  return end
}
