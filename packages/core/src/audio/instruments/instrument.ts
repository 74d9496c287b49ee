import type { ToneNode } from '../tone'

/**
 * What the engine needs from any instrument, melodic or drums: schedule a note, play live notes from a
 * keyboard, and silence everything. Times are AudioContext seconds, velocity is 0..1, pitch a MIDI number.
 */
export interface Instrument {
  readonly output: ToneNode
  play(pitch: number, time: number, durationSeconds: number, velocity: number): void
  noteOn(pitch: number, time: number, velocity: number): void
  noteOff(pitch: number, time: number): void
  /**
   * Builds whatever these pitches will need ahead of time, so the first note does not construct nodes on
   * the audio clock. Optional: instruments without per-pitch parts do nothing.
   */
  prepare?(pitches: Iterable<number>): void
  releaseAll(time?: number): void
  dispose(): void
}
