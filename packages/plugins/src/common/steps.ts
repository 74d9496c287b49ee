import {
  type PluginNote,
  SIXTEENTH,
  type SongContext,
  type SongKey,
  type Theory,
} from '@ensemble/core/plugin'

/*
 * Plugin-side helpers shared by the first-party plugins: the conv-input history a step model needs
 * (see step-runtime.ts), grids of 16th/frame steps, and the note conversions at the contract's boundary.
 */

/**
 * The conv inputs of every past step, and the `past` input step t needs (block i reads t - d_i). One stacked
 * [2n, C] input and output rather than 2n of [C]: each model input and output is a tensor the host builds or
 * reads back, which cost more per step than the step's arithmetic (see step-runtime.ts).
 */
export class ConvHistory {
  private readonly states: (readonly number[])[] = []
  private readonly zeros: readonly number[]

  constructor(
    private readonly dilations: readonly number[],
    readonly channels: number,
  ) {
    this.zeros = new Array<number>(2 * dilations.length * channels).fill(0)
  }

  /** 2n rows of [C], flat: rows 2i and 2i+1 are block i's conv inputs at t - d_i (zeros before step 0). */
  past(t: number): number[] {
    const C = this.channels
    const out: number[] = []
    this.dilations.forEach((d, i) => {
      const state = this.states[t - d] ?? this.zeros
      for (let j = 2 * i * C; j < (2 * i + 2) * C; j++) out.push(state[j]!)
    })
    return out
  }

  /** The step's conv inputs at t ([2n, C], the step model's first output). */
  push(state: readonly number[]): void {
    if (state.length !== this.rows * this.channels)
      throw new Error(`a step returned ${state.length} state values, expected ${this.rows * this.channels}`)
    this.states.push(state)
  }

  /** As a `ctx.models.run` input. */
  pastInput(t: number): { shape: number[]; data: readonly number[] } {
    return { shape: [this.rows, this.channels], data: this.past(t) }
  }

  get rows(): number {
    return 2 * this.dilations.length
  }

  /** Steps pushed so far. */
  get length(): number {
    return this.states.length
  }

  /** An independent copy that shares the past (states are never changed once pushed). */
  fork(): ConvHistory {
    const copy = new ConvHistory(this.dilations, this.channels)
    copy.states.push(...this.states)
    return copy
  }
}

/** The step grids' cell: a 16th note in the song's ticks. */
export const TICKS_PER_16TH = SIXTEENTH

/** Uniforms for one step, drawn from the contract's seeded source. */
export function uniforms(random: () => number, n: number): number[] {
  return Array.from({ length: n }, () => random())
}

/**
 * Cells of a grid to note events: `grid[t]` lists the pitches on at step t; a pitch on over consecutive
 * steps is one held note (a piano roll cannot tell held from repeated, like the training data).
 */
export function gridToNotes(
  grid: readonly (readonly number[])[],
  opts: { startTick: number; ticksPerStep: number; velocity: number; legato?: boolean },
): PluginNote[] {
  const notes: PluginNote[] = []
  const open = new Map<number, number>()
  const close = (pitch: number, end: number) => {
    const onset = open.get(pitch)
    if (onset === undefined) return
    open.delete(pitch)
    notes.push({
      pitch,
      start: opts.startTick + onset * opts.ticksPerStep,
      duration: (end - onset) * opts.ticksPerStep,
      velocity: opts.velocity,
    })
  }
  grid.forEach((cell, t) => {
    const now = new Set(cell)
    for (const pitch of [...open.keys()]) if (!now.has(pitch) || opts.legato === false) close(pitch, t)
    for (const pitch of now) if (!open.has(pitch)) open.set(pitch, t)
  })
  for (const pitch of [...open.keys()]) close(pitch, grid.length)
  return notes.sort((a, b) => a.start - b.start || a.pitch - b.pitch)
}

/** Pitches sounding at the middle of each step (a note a few ticks early or late still lands on its step). */
export function notesToGrid(
  notes: readonly PluginNote[],
  opts: { startTick: number; steps: number; ticksPerStep: number },
): number[][] {
  const grid: number[][] = Array.from({ length: opts.steps }, () => [])
  for (const n of notes) {
    const first = Math.max(0, Math.ceil((n.start - opts.startTick) / opts.ticksPerStep - 0.5))
    for (let t = first; t < opts.steps; t++) {
      const mid = opts.startTick + (t + 0.5) * opts.ticksPerStep
      if (mid < n.start) continue
      if (mid >= n.start + n.duration) break
      if (!grid[t]!.includes(n.pitch)) grid[t]!.push(n.pitch)
    }
  }
  return grid
}

/** Steps per bar on a grid of `ticksPerStep`, for the song's metre. */
export function stepsPerBar(song: SongContext, theory: Theory, ticksPerStep: number): number {
  return Math.max(1, Math.round(theory.ticksPerBar(song.timeSignature) / ticksPerStep))
}

/** Pitch classes allowed when the plugin keeps to the key. */
export function keyClasses(key: SongKey, theory: Theory): Set<number> {
  return new Set(theory.scalePitchClasses(key))
}

export function clampVelocity(v: number): number {
  return Math.min(127, Math.max(1, Math.round(v)))
}
