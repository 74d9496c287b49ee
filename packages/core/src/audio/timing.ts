/*
 * Spans of a song's timeline: where it ends and what a render covers. The tick and second arithmetic itself
 * is core's music module's (music/time.ts).
 */
import type { SongSnapshot } from '../song/index'

/** A span of the song timeline in ticks, `start` inclusive, `end` exclusive. */
export interface TickRange {
  readonly start: number
  readonly end: number
}

/** Where the last clip ends (0 for a song without clips). */
export const songEndTick = (song: SongSnapshot): number => {
  let end = 0
  for (const track of song.tracks)
    for (const clip of track.clips) end = Math.max(end, clip.start + clip.length)
  return end
}
