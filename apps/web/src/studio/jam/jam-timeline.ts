import { PPQ } from '@ensemble/core'
import type { JamStart } from '../../wire/jam'

/**
 * A running jam's map between a clock and the song (the server's clock, or a browser's own once the jam's
 * start is converted to it): bar `startBar` begins at server time
 * `startAt`, and the song runs at the jam's tempo from there (tempo changes inside the song are not followed
 * during a jam; the loop is ignored). Every member computes the same map from the same jam state, so the same
 * server time is the same song tick everywhere. Pure.
 */

export interface JamTimeline {
  readonly startTick: number
  readonly ticksPerMs: number
  /** Ticks in one interval (interval mode): `intervalBars` bars. */
  readonly intervalTicks: number
  /** The song tick at time `server` (before the start: before `startTick`). */
  tickAt(server: number): number
  /** The time at which song tick `tick` sounds. */
  timeOf(tick: number): number
}

export function jamTimeline(jam: JamStart): JamTimeline {
  const barTicks = jam.beatsPerBar * PPQ
  const startTick = jam.startBar * barTicks
  const ticksPerMs = (jam.bpm / 60_000) * PPQ
  return {
    startTick,
    ticksPerMs,
    intervalTicks: jam.intervalBars * barTicks,
    tickAt: (server) => startTick + (server - jam.startAt) * ticksPerMs,
    timeOf: (tick) => jam.startAt + (tick - startTick) / ticksPerMs,
  }
}

/**
 * Interval mode (as NINJAM does): a note played at tick T sounds at every bandmate at tick T + one interval,
 * on the beat it was played on, one interval later, whatever the network's delay (up to an interval). Returns
 * the time to sound it at (on the timeline's clock), or null when that moment has already passed at `now` (the network took
 * longer than an interval; sounding it late would be off the beat, so it is dropped).
 */
export function intervalTime(timeline: JamTimeline, tick: number, now: number): number | null {
  const at = timeline.timeOf(tick + timeline.intervalTicks)
  return at < now ? null : at
}
