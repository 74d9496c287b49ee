import { LIVE_HOST_LOOP } from '@ensemble/core/plugin'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { FromPartnerWorker, TimedNote } from './partner-protocol'
import { createPartnerTake } from './partner-session'
import { stillBassRun } from './test-support'
import { startWorkerHostLoop } from './worker-host-loop'

/*
 * The partner worker's host loop with the real bass partner, on timers the test moves: it keeps the song
 * clock it was anchored to and plans every window on its own timer, so a page that handles nothing for
 * almost two seconds (a stalled main thread) still gets every window, each note well before it sounds.
 */

const MS_PER_BEAT = 500
/** How long the page is blocked: the beat-4 note is planned by then and still ahead. */
const BLOCKED_MS = 1900
type Posted = { at: number; message: Extract<FromPartnerWorker, { type: 'planned' | 'failed' }> }

function worker() {
  const posted: Posted[] = []
  const run = stillBassRun()
  const host = startWorkerHostLoop({
    run,
    post: (message) => posted.push({ at: Date.now(), message }),
    now: () => Date.now(),
    takeModelMs: () => 0,
  })
  const planned = () =>
    posted.flatMap((p) => (p.message.type === 'planned' ? [{ at: p.at, ...p.message }] : []))
  return { host, run, posted, planned }
}

describe('the partner worker’s host loop', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('delivers every window ahead of its beat while the page is blocked', async () => {
    const { host, planned } = worker()
    const start = Date.now()
    // The page's last acts before it stalls: the transport starts (the anchor) and the player holds an F major chord.
    host.anchor({ beat: 0, atMs: start, bpm: 120 })
    host.hear([53, 57, 60].map((pitch) => ({ type: 'on' as const, pitch, velocity: 100, beat: 0 })))
    // Almost four beats in which the page handles no message and sends none: only the worker's timers run.
    await vi.advanceTimersByTimeAsync(BLOCKED_MS)
    const beats = BLOCKED_MS / MS_PER_BEAT
    const windows = planned()
    // A window every 1/8 beat, none late, covering the song from the first window on.
    expect(windows.length).toBeGreaterThanOrEqual(Math.floor(beats / LIVE_HOST_LOOP.tickBeats) - 1)
    expect(windows.every((w) => !w.late)).toBe(true)
    // Back to back from the first window's start (a quarter beat in) to a lookahead past the last tick.
    const covered = windows.reduce((sum, w) => sum + w.beats, 0)
    expect(covered).toBeGreaterThanOrEqual(beats - LIVE_HOST_LOOP.tickBeats)
    const notes: (TimedNote & { postedAt: number })[] = windows.flatMap((w) =>
      w.notes.map((n) => ({ ...n, postedAt: w.at })),
    )
    expect(notes.length).toBeGreaterThanOrEqual(3)
    for (const n of notes) {
      // On the song clock the worker was given, and posted a quarter beat or more before it sounds.
      expect(n.atMs).toBeCloseTo(start + n.note.beat * MS_PER_BEAT, 5)
      expect(n.atMs - n.postedAt).toBeGreaterThanOrEqual(
        (LIVE_HOST_LOOP.lookaheadBeats - LIVE_HOST_LOOP.tickBeats) * MS_PER_BEAT,
      )
    }
    for (const n of notes.filter((n) => n.note.beat >= 1)) expect([5, 0]).toContain(n.note.pitch % 12)

    // The page wakes up and handles the backlog: the notes already past are dropped (never played
    // late), those still ahead sound on their beat.
    const sounded: number[] = []
    const take = createPartnerTake((note) => sounded.push(note.beat))
    const woke = Date.now()
    for (const w of windows)
      take.deliver(
        w.notes.map(({ note, atMs }) => ({ note, inMs: atMs - woke })),
        w.late,
      )
    expect(sounded.length).toBeGreaterThan(0)
    for (const beat of sounded) expect(beat * MS_PER_BEAT + start).toBeGreaterThanOrEqual(woke)
    host.stop()
  })

  it('follows the anchors: a stop halts it, a jump and a new tempo restart the windows there', async () => {
    const { host, planned } = worker()
    host.anchor({ beat: 0, atMs: Date.now(), bpm: 120 })
    await vi.advanceTimersByTimeAsync(500)
    host.anchor(null)
    const atStop = planned().length
    expect(atStop).toBeGreaterThan(0)
    await vi.advanceTimersByTimeAsync(1000)
    expect(planned()).toHaveLength(atStop)

    // Playing again from beat 16 at 60 bpm (1000 ms a beat).
    const restart = Date.now()
    host.hear([{ type: 'on', pitch: 48, velocity: 100, beat: 16 }])
    host.anchor({ beat: 16, atMs: restart, bpm: 60 })
    await vi.advanceTimersByTimeAsync(2000)
    const after = planned().slice(atStop)
    expect(after.length).toBeGreaterThanOrEqual(2 / LIVE_HOST_LOOP.tickBeats - 1)
    for (const n of after.flatMap((w) => w.notes)) {
      expect(n.note.beat).toBeGreaterThanOrEqual(16)
      expect(n.atMs).toBeCloseTo(restart + (n.note.beat - 16) * 1000, 5)
    }
    host.stop()
    await vi.advanceTimersByTimeAsync(1000)
    expect(planned().length).toBe(atStop + after.length)
  })
})
