import { LIVE_HOST_LOOP, type LiveNote, type LiveRun, type PluginNote, PPQ } from '@ensemble/core/plugin'
import type { PlayerStream } from './player-stream'

/*
 * The studio's host for one AI partner: the loop that asks the partner, window by window, for what it plays
 * next (core's LIVE_HOST_LOOP, as packages/plugins/src/live/rehearsal.ts models it), hands each note to the
 * audio clock as soon as it is planned (the transport schedules it at its beat), and remembers what it played
 * for "Keep".
 */

const { lookaheadBeats, tickBeats, marginMs } = LIVE_HOST_LOOP

export interface PartnerSessionOptions {
  run: LiveRun
  /** Where the song is, in beats; null while it is stopped (the partner only plays while the song plays). */
  beat(): number | null
  bpm(): number
  /** Sounds a note on the partner's track `inMs` from now (on the audio clock, not a timer). */
  play(note: LiveNote, inMs: number): void
}

export interface PartnerSession {
  /** Follows a player: the local one now, a jam's remote players later. Returns how to stop following. */
  followPlayer(stream: PlayerStream): () => void
  /** One step of the host's loop (the panel runs it every `tickBeats`; tests call it directly). */
  tick(): Promise<void>
  /** What the partner has played so far, in the song's beats; notes dropped as late are not in it. */
  played(): readonly LiveNote[]
  /** Windows late in the partner, or with notes that came too late to sound on their beat (dropped). */
  late(): number
  /** Windows planned so far, late ones included. */
  windows(): number
  stop(): void
}

export function createPartnerSession(options: PartnerSessionOptions): PartnerSession {
  let scheduledTo: number | null = null
  let busy = false
  let late = 0
  let windows = 0
  const played: LiveNote[] = []
  return {
    followPlayer(stream) {
      return stream.subscribe((event) => {
        try {
          options.run.hear([event])
        } catch {
          // A malformed event (a stray device value) is the player's, not a reason to stop the partner.
        }
      })
    },
    async tick() {
      const now = options.beat()
      if (now === null) {
        scheduledTo = null
        return
      }
      // One plan at a time: a slow one makes the next ask later, never two at once.
      if (busy) return
      const toBeat = now + lookaheadBeats
      // The first window is the last tick's worth, as every later one: one starting now would be due already.
      const fromBeat = Math.max(scheduledTo ?? toBeat - tickBeats, now)
      if (toBeat <= fromBeat) return
      const msPerBeat = 60_000 / options.bpm()
      busy = true
      try {
        const out = await options.run.plan({
          nowBeat: now,
          fromBeat,
          toBeat,
          deadlineMs: Math.max(0, (fromBeat - now) * msPerBeat - marginMs),
        })
        scheduledTo = toBeat
        windows++
        // The notes go to the audio clock now, each at its beat: a reply that comes after the window's
        // deadline (a busy page) still has its notes that are more than the margin ahead. Those due sooner
        // are dropped, never played late; a window that lost any counts as late.
        const at = options.beat() ?? now
        let dropped = out.late
        for (const note of out.notes) {
          const inMs = (note.beat - at) * msPerBeat
          if (inMs < marginMs) {
            dropped = true
            continue
          }
          played.push(note)
          options.play(note, inMs)
        }
        if (dropped) late++
      } finally {
        busy = false
      }
    },
    played: () => played,
    late: () => late,
    windows: () => windows,
    stop: () => options.run.stop(),
  }
}

/**
 * What "Keep" sends: the notes played in whole bars, from the bar of the first note to the bar after the
 * last one ends (ticks relative to `fromTick`, as a proposal holds them).
 */
export function takeForKeeping(
  notes: readonly LiveNote[],
  barTicks: number,
): { fromTick: number; toTick: number; notes: PluginNote[] } | null {
  if (notes.length === 0) return null
  const ticks = notes.map((n) => ({
    pitch: n.pitch,
    start: Math.round(n.beat * PPQ),
    duration: Math.max(1, Math.round(n.durationBeats * PPQ)),
    velocity: n.velocity,
  }))
  const fromTick = Math.floor(Math.min(...ticks.map((n) => n.start)) / barTicks) * barTicks
  const toTick = Math.ceil(Math.max(...ticks.map((n) => n.start + n.duration)) / barTicks) * barTicks
  return { fromTick, toTick, notes: ticks.map((n) => ({ ...n, start: n.start - fromTick })) }
}
