import type { LiveNoteEvent as PartnerEvent } from '@ensemble/core/plugin'
import { describe, expect, it } from 'vitest'
import type { JamNote, JamPlayer } from '../../wire/jam'
import { LiveNoteStream } from '../jam/live-notes'
import { createPartnerSession } from './partner-session'
import { remotePlayer } from './player-stream'
import { stillBassRun } from './test-support'

/*
 * The partner following a bandmate in the jam: the jam's live-note stream (the one the jam session feeds),
 * narrowed to one remote player, handed to `followPlayer`. Only that player's notes reach the partner, at the
 * beat where they sound here, and the real bass partner plays along with them.
 */
const me: JamPlayer = { id: 'me', name: 'Me' }
const alice: JamPlayer = { id: 'alice', name: 'Alice' }
const bob: JamPlayer = { id: 'bob', name: 'Bob' }

function note(player: JamPlayer, pitch: number, on: boolean, tick: number): JamNote {
  return { on, pitch, velocity: on ? 100 : 0, trackId: 't1', tick, at: 0, player }
}

/** As the jam session emits a bandmate's note: it sounds here one 1-bar interval after it was played. */
function remote(stream: LiveNoteStream, player: JamPlayer, pitch: number, on: boolean, tick: number) {
  stream.emit({
    note: note(player, pitch, on, tick),
    origin: 'remote',
    soundAt: 0,
    soundTick: tick + 1920,
    localAt: 0,
  })
}

describe('following a remote jam player', () => {
  it("hears only the chosen player's notes, received from the server, at the beat they sound here", () => {
    const stream = new LiveNoteStream(me)
    const heard: PartnerEvent[] = []
    const stop = remotePlayer(stream, 'alice').subscribe((e) => heard.push(e))
    remote(stream, alice, 60, true, 480)
    remote(stream, bob, 64, true, 480)
    // This browser's own notes are not the remote player's, even with the same id.
    stream.emit({ note: note(alice, 67, true, 0), origin: 'local', soundAt: 0, soundTick: 0, localAt: 0 })
    remote(stream, alice, 60, false, 960)
    stop()
    remote(stream, alice, 62, true, 1200)
    expect(heard).toEqual([
      { type: 'on', pitch: 60, velocity: 100, beat: 5 },
      { type: 'off', pitch: 60, velocity: 0, beat: 6 },
    ])
  })

  it('the bass partner plays along with a remote player through followPlayer', async () => {
    const stream = new LiveNoteStream(me)
    let tick = 0
    const run = stillBassRun()
    const session = createPartnerSession({ run, beat: () => tick / 480, bpm: () => 120, play: () => {} })
    const unfollow = session.followPlayer(remotePlayer(stream, 'alice'))
    // Alice's F major chord, played on bar 1 in interval mode: it sounds here from bar 2 (tick 1920) on.
    for (const p of [53, 57, 60]) remote(stream, alice, p, true, 0)
    // Bob plays an E major chord meanwhile: the partner is not following him.
    for (const p of [52, 56, 59]) remote(stream, bob, p, true, 0)
    for (let beat = 4; beat < 12; beat += 0.125) {
      tick = beat * 480
      await session.tick()
    }
    unfollow()
    const notes = session.played()
    expect(notes.length).toBeGreaterThanOrEqual(6)
    // From the chord's second beat here on, the bass plays Alice's F and C, never Bob's E, G# or B.
    for (const n of notes.filter((n) => n.beat >= 5)) expect([5, 0]).toContain(n.pitch % 12)
    expect(session.late()).toBe(0)
  })
})
