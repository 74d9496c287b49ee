import type { LiveNoteEvent } from '@ensemble/core/plugin'

/*
 * Played material for the partners' tests and bench/jam/partner.ts: notes as `[pitch, beat, beats]` and the
 * events a player makes playing them, so the test and the benchmark time the same phrase.
 */

export type PlayedNote = readonly [pitch: number, beat: number, beats: number]

/** Two bars in D major, 8ths and quarters: D E F# G A F# D | E G F# E D (a folk tune's first phrase). */
export const D_MAJOR_PHRASE: readonly PlayedNote[] = [
  [62, 0, 0.5],
  [64, 0.5, 0.5],
  [66, 1, 0.5],
  [67, 1.5, 0.5],
  [69, 2, 1],
  [66, 3, 0.5],
  [62, 3.5, 0.5],
  [64, 4, 1],
  [67, 5, 0.5],
  [66, 5.5, 0.5],
  [64, 6, 1],
  [62, 7, 1],
]

/** Each key released at 90 % of its length, as hands do. */
export const RELEASE = 0.9

export function playedEvents(notes: readonly PlayedNote[], velocity = 90): LiveNoteEvent[] {
  return notes.flatMap(([pitch, beat, beats]) => [
    { type: 'on' as const, pitch, velocity, beat },
    { type: 'off' as const, pitch, velocity: 0, beat: beat + beats * RELEASE },
  ])
}
