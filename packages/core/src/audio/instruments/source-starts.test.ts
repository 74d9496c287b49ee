import { describe, expect, it } from 'vitest'
import { SourceStarts, START_GAP_SECONDS } from './source-starts'

describe('SourceStarts', () => {
  it('reports a second trigger on one instant, and starts each source strictly after its last start', () => {
    const starts = new SourceStarts<string>()
    expect(starts.repeats('hat', 1)).toBe(false)
    expect(starts.start('hat', 1, 0)).toBe(1)
    expect(starts.repeats('hat', 1)).toBe(true)
    expect(starts.repeats('kick', 1)).toBe(false)
    expect(starts.start('hat', 1, 0)).toBe(1 + START_GAP_SECONDS)
    expect(starts.start('kick', 1, 0)).toBe(1)
    expect(starts.start('hat', 2, 0)).toBe(2)
  })

  it('moves late triggers to now, one after the other, never onto one instant', () => {
    const starts = new SourceStarts<string>()
    // Two hits a busy main thread ran after their time: Tone would move both to the context's clock.
    const first = starts.start('click', 1, 1.5)
    const second = starts.start('click', 1.25, 1.5)
    expect(first).toBe(1.5)
    expect(second).toBeGreaterThan(first)
  })
})
