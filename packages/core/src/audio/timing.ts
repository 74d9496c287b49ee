/*
 * Tick and second arithmetic for a song with one tempo (the song model has no tempo map). Pure, so the
 * render length, the transport and the tests all use the same numbers.
 */
import { PPQ, type SongSnapshot, type TimeSignature } from '../song/index'

/** A span of the song timeline in ticks, `start` inclusive, `end` exclusive. */
export interface TickRange {
  readonly start: number
  readonly end: number
}

export const ticksToSeconds = (ticks: number, bpm: number): number => (ticks * 60) / (bpm * PPQ)

export const secondsToTicks = (seconds: number, bpm: number): number => (seconds * bpm * PPQ) / 60

/** Ticks in one beat: the time signature's denominator says which note value a beat is. */
export const beatTicks = (timeSignature: TimeSignature): number => (PPQ * 4) / timeSignature.denominator

export const barTicks = (timeSignature: TimeSignature): number =>
  beatTicks(timeSignature) * timeSignature.numerator

/** Where the last clip ends (0 for a song without clips). */
export const songEndTick = (song: SongSnapshot): number => {
  let end = 0
  for (const track of song.tracks)
    for (const clip of track.clips) end = Math.max(end, clip.start + clip.length)
  return end
}

/** MIDI note number to frequency in Hz, A4 (69) = 440 Hz, equal temperament. */
export const midiToFrequency = (pitch: number): number => 440 * 2 ** ((pitch - 69) / 12)
