import { SIXTEENTH } from '@ensemble/core/plugin'

/** The chorale grid's step: a 16th note in the song's ticks. */
export const TICKS_PER_16TH = SIXTEENTH

export interface Note {
  pitch: number
  /** Onset in ticks (the song's PPQ). */
  start: number
  /** Length in ticks. */
  duration: number
  /** Voice index (0 = S, 1 = A, 2 = T, 3 = B). */
  voice: number
  velocity: number
}

export interface GridOptions {
  startTick?: number
  ticksPerStep?: number
  velocity?: number
  /** Which voices (columns) to convert; default all. */
  voices?: number[]
}

/**
 * Converts a grid of steps (rows of pitches per voice, -1 = silent) to notes, merging a pitch held
 * over consecutive steps into one note. The chorale encoding cannot tell a held note from a repeated
 * one, so repeated same-pitch notes come out tied; that is a property of the training data.
 */
export function stepsToNotes(steps: ReadonlyArray<ReadonlyArray<number>>, opts: GridOptions = {}): Note[] {
  const start = opts.startTick ?? 0
  const tps = opts.ticksPerStep ?? TICKS_PER_16TH
  const velocity = opts.velocity ?? 80
  const width = steps[0]?.length ?? 0
  const voices = opts.voices ?? Array.from({ length: width }, (_, v) => v)
  const notes: Note[] = []
  for (const v of voices) {
    let onset = -1
    let pitch = -1
    const flush = (end: number) => {
      if (pitch >= 0 && onset >= 0) {
        notes.push({ pitch, start: start + onset * tps, duration: (end - onset) * tps, voice: v, velocity })
      }
    }
    steps.forEach((row, t) => {
      const p = row[v] ?? -1
      if (p !== pitch) {
        flush(t)
        pitch = p
        onset = t
      }
    })
    flush(steps.length)
  }
  return notes.sort((a, b) => a.start - b.start || a.voice - b.voice)
}

export interface MelodyNote {
  pitch: number
  start: number
  duration: number
}

/**
 * Samples a melody onto the 16th grid: at each step, the highest note sounding at the step's
 * midpoint (so a note a few ticks early or late still lands on its step), or -1.
 */
export function melodyToSteps(
  notes: ReadonlyArray<MelodyNote>,
  opts: { startTick: number; steps: number; ticksPerStep?: number },
): number[] {
  const tps = opts.ticksPerStep ?? TICKS_PER_16TH
  const out: number[] = new Array(opts.steps).fill(-1)
  for (let t = 0; t < opts.steps; t++) {
    const mid = opts.startTick + t * tps + tps / 2
    for (const n of notes) {
      if (n.start <= mid && n.start + n.duration > mid) out[t] = Math.max(out[t] ?? -1, n.pitch)
    }
  }
  return out
}
