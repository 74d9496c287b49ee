import { drumShortName, drumSound } from '@ensemble/core/audio/catalogue'

/**
 * The rows the step editor always shows: the drums a kit most often uses, top to bottom as drummers read
 * them (cymbals, hats, toms, snares, kick). What each note is called comes from core's drum map
 * (packages/core/src/music/drums.ts), the same map the kit plays.
 */
export interface DrumRow {
  readonly pitch: number
  readonly name: string
  readonly short: string
}

const row = (pitch: number): DrumRow => ({
  pitch,
  name: drumSound(pitch)?.name ?? drumShortName(pitch),
  short: drumShortName(pitch),
})

export const DRUM_ROWS: readonly DrumRow[] = [49, 51, 46, 42, 44, 50, 47, 43, 39, 37, 38, 36].map(row)

/** Rows for the notes a clip holds beyond the usual ones (a Groove MIDI file's hat edges, say), high to low. */
export const extraDrumRows = (pitches: Iterable<number>): DrumRow[] =>
  [...new Set(pitches)]
    .filter((p) => !DRUM_ROWS.some((r) => r.pitch === p))
    .sort((a, b) => b - a)
    .map(row)

/** The piano roll's label for a drum row: notes outside the drum map stay unlabelled there. */
export const drumRowName = (pitch: number): string | null => drumSound(pitch)?.short ?? null
