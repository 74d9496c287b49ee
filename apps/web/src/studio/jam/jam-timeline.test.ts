import { PPQ } from '@ensemble/core'
import { describe, expect, it } from 'vitest'
import { intervalTime, jamTimeline } from './jam-timeline'

const jam = {
  startAt: 1_000_000,
  startBar: 4,
  bpm: 120,
  beatsPerBar: 4,
  mode: 'interval' as const,
  intervalBars: 2 as const,
}

describe('jam timeline', () => {
  it('maps server time to song ticks from the jam start, both ways', () => {
    const t = jamTimeline(jam)
    expect(t.tickAt(jam.startAt)).toBe(4 * 4 * PPQ)
    // 120 bpm: a beat every 500 ms.
    expect(t.tickAt(jam.startAt + 500)).toBeCloseTo(4 * 4 * PPQ + PPQ, 9)
    expect(t.timeOf(t.tickAt(jam.startAt + 1234.5))).toBeCloseTo(jam.startAt + 1234.5, 9)
  })

  it('interval mode: a note sounds one interval later on the beat it was played on', () => {
    const t = jamTimeline(jam)
    const played = t.startTick + 5 * PPQ + PPQ / 2 // beat 2 of bar 2 of the jam, an eighth late
    const at = intervalTime(t, played, jam.startAt + 3000)
    // Two bars of 4/4 at 120 bpm: 4 s later.
    expect(at).toBeCloseTo(t.timeOf(played) + 4000, 9)
    expect(t.tickAt(at as number) - t.intervalTicks).toBeCloseTo(played, 9)
  })

  it('interval mode: a note whose interval already went by is dropped, not played off the beat', () => {
    const t = jamTimeline(jam)
    expect(intervalTime(t, t.startTick, jam.startAt + 4001)).toBeNull()
  })
})
