import { createSongDoc, PPQ, UserOrigin } from '@ensemble/core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { JamLink, JamLinkEvents } from '../../client/collab/jam-link'
import type { JamNote, JamState } from '../../wire/jam'
import { createJamSession, type JamSession, type JamTransport } from './jam-session'
import { jamTimeline } from './jam-timeline'

/**
 * Two members' sessions on one simulated server: each browser's clock is offset from the server's, every
 * message takes `delay()` ms each way; the server stamps the player as the real one does. Checks what each
 * browser's transport is asked to do, and when (its local time), against the jam's timeline.
 */

let localNow = 0
const SERVER_AHEAD = [123_456, 98_765] // server minus browser clock, per browser

function band(delay: () => number) {
  const links: { emit: <K extends keyof JamLinkEvents>(k: K, ...a: Parameters<JamLinkEvents[K]>) => void }[] =
    []
  const deliver = (fn: () => void) => setTimeout(fn, delay())
  const makeLink = (index: number, player: { id: string; name: string }): JamLink => {
    const listeners = new Map<string, Set<(...a: unknown[]) => void>>()
    const link: JamLink = {
      open: () => true,
      ping(id, clientSent) {
        setTimeout(() => {
          const server = localNow + (SERVER_AHEAD[index] as number)
          deliver(() =>
            links[index]?.emit(
              'pong',
              { id, clientSent, serverReceived: server, serverSent: server },
              localNow,
            ),
          )
        }, delay())
      },
      sendState(state: JamState) {
        setTimeout(() => {
          const stamped = state.running ? { ...state, by: player } : state
          for (let i = 0; i < links.length; i++) deliver(() => links[i]?.emit('state', stamped, localNow))
        }, delay())
      },
      sendNote(note: JamNote) {
        setTimeout(() => {
          for (let i = 0; i < links.length; i++)
            if (i !== index) deliver(() => links[i]?.emit('note', { ...note, player }, localNow))
        }, delay())
      },
      on(event, listener) {
        const set = listeners.get(event) ?? new Set()
        listeners.set(event, set)
        set.add(listener as (...a: unknown[]) => void)
        return () => set.delete(listener as (...a: unknown[]) => void)
      },
      destroy() {},
    }
    links[index] = {
      emit: (k, ...a) => {
        for (const l of listeners.get(k) ?? []) l(...a)
      },
    }
    return link
  }
  const doc = createSongDoc()
  const members = [0, 1].map((i) => {
    const player = { id: `p${i}`, name: `P${i}` }
    const calls: { kind: string; tick?: number; pitch?: number; atMs?: number }[] = []
    const transport: JamTransport = {
      startAt: (tick, atMs) => calls.push({ kind: 'start', tick, atMs }),
      stop: () => calls.push({ kind: 'stop' }),
      playing: () => false,
      position: () => PPQ * 4 * 2 + 100, // in bar 2
      noteOn: (_t, pitch, _v, atMs) =>
        calls.push({ kind: 'on', pitch, ...(atMs === undefined ? {} : { atMs }) }),
      noteOff: (_t, pitch, atMs) =>
        calls.push({ kind: 'off', pitch, ...(atMs === undefined ? {} : { atMs }) }),
    }
    const session = createJamSession({
      link: makeLink(i, player),
      transport,
      doc,
      self: player,
      canPlay: true,
      origin: new UserOrigin(player.id),
      now: () => localNow,
    })
    return { session, calls }
  })
  return members
}

/** Advances the fake clocks together: timers and the sessions' `now`. */
function advance(ms: number) {
  for (let i = 0; i < ms; i++) {
    localNow += 1
    vi.advanceTimersByTime(1)
  }
}

describe('jam session', () => {
  let members: {
    session: JamSession
    calls: { kind: string; tick?: number; pitch?: number; atMs?: number }[]
  }[]
  beforeEach(() => {
    vi.useFakeTimers()
    localNow = 1000
  })
  afterEach(() => {
    for (const m of members) m.session.destroy()
    vi.useRealTimers()
  })

  it('starts every member from the same bar at the same server moment, whatever their clocks', () => {
    members = band(() => 20)
    advance(500)
    members[0]?.session.start({ mode: 'live', intervalBars: 1 })
    advance(2500)
    const starts = members.map((m, i) => {
      const start = m.calls.find((c) => c.kind === 'start')
      return { tick: start?.tick, server: (start?.atMs ?? 0) + (SERVER_AHEAD[i] as number) }
    })
    expect(starts[0]?.tick).toBe(PPQ * 4 * 2)
    expect(starts[1]?.tick).toBe(PPQ * 4 * 2)
    // Symmetric 20 ms legs: the estimates are exact, so the moments agree to float precision.
    expect(Math.abs((starts[0]?.server ?? 0) - (starts[1]?.server ?? 1))).toBeLessThan(0.001)
  })

  it('interval mode: a bandmate hears a note exactly one interval after it was played, through jittery delay', () => {
    let n = 0
    // 150 ms ± 50 ms, deterministic spread; probes see the same link.
    members = band(() => 150 + 50 * Math.sin(n++ * 1.7))
    advance(3000)
    members[0]?.session.start({ mode: 'interval', intervalBars: 1 })
    advance(2000)
    const state = members[1]?.session.status().state
    expect(state?.running).toBe(true)
    if (!state?.running) return
    // B's own frame: its transport started the jam's bar at its local `atMs`; beats follow from there. (A
    // better clock estimate later moves the jam's grid under the transport by less than 3 ms, see below.)
    const started = members[1]?.calls.findLast((c) => c.kind === 'start')
    const timeline = jamTimeline({ ...state, startAt: started?.atMs ?? 0 })
    const played: { tick: number }[] = []
    members[0]?.session.notes.subscribe((e) => played.push({ tick: e.note.tick }), { origin: 'local' })
    for (let i = 0; i < 8; i++) {
      members[0]?.session.play('keys', 60 + i, 100)
      advance(250)
    }
    advance(3000)
    const heard = members[1]?.calls.filter((c) => c.kind === 'on') ?? []
    expect(heard).toHaveLength(8)
    for (const [i, call] of heard.entries()) {
      const wanted = timeline.timeOf((played[i]?.tick ?? 0) + timeline.intervalTicks)
      // On the beat it was played on, one bar later, on B's transport (restarted when the grid moved 3 ms).
      expect(Math.abs((call.atMs ?? 0) - wanted)).toBeLessThan(3)
    }
  })

  it('interval mode: a jam started on a rough clock estimate still lands on the shared beat once it improves', () => {
    let n = 0
    // 150 ms ± 50 ms, legs uncorrelated: the first probes' offsets are off by up to tens of ms.
    members = band(() => 150 + 50 * Math.sin(n++ * 2.3))
    advance(300)
    members[0]?.session.start({ mode: 'interval', intervalBars: 1 })
    // The fast probes go on for 20 s; notes played after that are judged on the machine's one clock.
    advance(21_000)
    const pressed: number[] = []
    members[0]?.session.notes.subscribe(() => pressed.push(localNow), { origin: 'local' })
    for (let i = 0; i < 6; i++) {
      members[0]?.session.play('keys', 60 + i, 100)
      advance(300)
    }
    advance(3000)
    const heard = members[1]?.calls.filter((c) => c.kind === 'on') ?? []
    expect(heard).toHaveLength(6)
    const intervalMs = 2000 // one 4/4 bar at 120 bpm
    for (const [i, call] of heard.entries()) {
      // Server time of the key at A, and of the sound at B: one interval apart, within the 5 ms goal.
      const playedAt = (pressed[i] ?? 0) + (SERVER_AHEAD[0] as number)
      const soundsAt = (call.atMs ?? 0) + (SERVER_AHEAD[1] as number)
      expect(Math.abs(soundsAt - playedAt - intervalMs)).toBeLessThan(5)
    }
  })

  it('live mode: notes sound after the jitter buffer, keeping their spacing', () => {
    let n = 0
    members = band(() => 5 + (n++ % 3) * 4)
    advance(1000)
    members[0]?.session.start({ mode: 'live', intervalBars: 1 })
    advance(2000)
    for (let i = 0; i < 16; i++) {
      members[0]?.session.play('keys', 60, 100)
      advance(125)
    }
    advance(200)
    const heard = (members[1]?.calls.filter((c) => c.kind === 'on') ?? []).map((c) => c.atMs ?? 0)
    expect(heard).toHaveLength(16)
    const gaps = heard.slice(8).map((at, i) => at - (heard[i + 7] as number))
    for (const gap of gaps) expect(Math.abs(gap - 125)).toBeLessThan(3)
  })
})
