import type { LiveNote } from '@ensemble/core/plugin'
import { describe, expect, it } from 'vitest'
import { createPartnerSession, takeForKeeping } from './partner-session'
import { createLocalPlayer } from './player-stream'
import { stillBassRun } from './test-support'

/*
 * The studio's partner host with the real bass partner and the local player's stream, on a clock the test
 * moves: notes are asked for before their beat, sounded with the right delay, and kept as whole bars.
 */
describe('the partner session', () => {
  it('follows the local player and schedules each note before its beat', async () => {
    let tick = 0
    const player = createLocalPlayer(() => tick)
    const run = stillBassRun()
    const sounded: { note: LiveNote; inMs: number; at: number }[] = []
    const session = createPartnerSession({
      run,
      beat: () => tick / 480,
      bpm: () => 120,
      play: (note, inMs) => sounded.push({ note, inMs, at: tick / 480 }),
    })
    session.followPlayer(player)
    // An F major chord held from beat 0 to beat 7.5, played with the computer keys.
    for (const p of [53, 57, 60]) player.noteOn(p, 100)
    for (let beat = 0; beat < 8; beat += 0.125) {
      tick = beat * 480
      if (beat === 7.5) for (const p of [53, 57, 60]) player.noteOff(p)
      await session.tick()
    }
    const notes = session.played()
    expect(notes.length).toBeGreaterThanOrEqual(6)
    for (const s of sounded) {
      expect(s.note.beat).toBeGreaterThan(s.at)
      expect(s.inMs).toBeCloseTo((s.note.beat - s.at) * 500, 5)
    }
    // From the chord's second beat on, the bass plays F and C.
    for (const n of notes.filter((n) => n.beat >= 1)) expect([5, 0]).toContain(n.pitch % 12)
    expect(session.late()).toBe(0)

    const kept = takeForKeeping(notes, 1920)!
    expect(kept.fromTick).toBe(0)
    expect(kept.toTick % 1920).toBe(0)
    expect(kept.toTick).toBeGreaterThanOrEqual(
      Math.max(...notes.map((n) => (n.beat + n.durationBeats) * 480)),
    )
    expect(kept.notes).toHaveLength(notes.length)
    for (const n of kept.notes) expect(n.start + n.duration).toBeLessThanOrEqual(kept.toTick - kept.fromTick)
  })

  it('a plan answered after its deadline keeps the notes still ahead and drops those due, never playing late', async () => {
    let beat = 4
    const sounded: { note: LiveNote; inMs: number }[] = []
    const session = createPartnerSession({
      // The partner answers while the music moves on (a busy page handles the reply late): by the time it
      // is handled the song is at beat 4.3, past the first note (4.25) and 7.5 ms short of the second.
      run: {
        hear: () => {},
        async plan(window) {
          beat = 4.3
          const at = (b: number): LiveNote => ({ pitch: 60, beat: b, durationBeats: 0.1, velocity: 90 })
          return { notes: [at(window.fromBeat), at(4.315), at(4.36)], late: false }
        },
        stop: () => {},
      },
      beat: () => beat,
      bpm: () => 120,
      play: (note, inMs) => sounded.push({ note, inMs }),
    })
    await session.tick()
    // 4.315 is 7.5 ms ahead at 120 bpm, less than the margin the audio engine is given: dropped too.
    expect(sounded.map((s) => s.note.beat)).toEqual([4.36])
    expect(sounded[0]?.inMs).toBeCloseTo(30, 5)
    expect(session.played().map((n) => n.beat)).toEqual([4.36])
    expect(session.late()).toBe(1)
    expect(session.windows()).toBe(1)
  })
})
