import { describe, expect, it } from 'vitest'
import { melodyToSteps, stepsToNotes, TICKS_PER_16TH } from './notes.js'

describe('grid <-> notes', () => {
  it('merges held pitches into notes at 120 ticks per 16th', () => {
    const steps = [
      [72, 60],
      [72, 60],
      [74, -1],
      [74, 62],
    ]
    const notes = stepsToNotes(steps, { startTick: 960 })
    expect(TICKS_PER_16TH).toBe(120)
    expect(notes).toEqual([
      { pitch: 72, start: 960, duration: 240, voice: 0, velocity: 80 },
      { pitch: 60, start: 960, duration: 240, voice: 1, velocity: 80 },
      { pitch: 74, start: 1200, duration: 240, voice: 0, velocity: 80 },
      { pitch: 62, start: 1320, duration: 120, voice: 1, velocity: 80 },
    ])
  })

  it('samples a melody onto the grid, keeping the highest sounding note', () => {
    const steps = melodyToSteps(
      [
        { pitch: 67, start: 0, duration: 240 },
        { pitch: 64, start: 0, duration: 480 },
        { pitch: 69, start: 250, duration: 100 },
      ],
      { startTick: 0, steps: 5 },
    )
    expect(steps).toEqual([67, 67, 69, 64, -1])
  })
})
