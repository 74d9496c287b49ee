import {
  createLiveHostLoop,
  LIVE_HOST_LOOP,
  type LiveNote,
  type LiveRun,
  type PluginNote,
  PPQ,
} from '@ensemble/core/plugin'
import type { PlayerStream } from './player-stream'

/*
 * The studio's side of one AI partner: it follows a player, sounds each planned note on the audio clock as
 * soon as it arrives (the transport schedules it at its beat), and remembers what was played for "Keep". Who
 * runs the host loop (core's host-loop.ts) depends on the partner: a model partner's worker runs it on its own
 * timer and song clock (worker-host-loop.ts, driven from worker-live-run.ts); the bass, with no model, runs
 * in the page and the panel ticks it (`createPartnerSession`).
 */

export interface PartnerSession {
  /** Follows a player: the local one now, a jam's remote players later. Returns how to stop following. */
  followPlayer(stream: PlayerStream): () => void
  /** What the partner has played so far, in the song's beats; notes dropped as late are not in it. */
  played(): readonly LiveNote[]
  /** Windows late in the partner, or with notes that came too late to sound on their beat (dropped). */
  late(): number
  /** Windows planned so far, late ones included. */
  windows(): number
  stop(): void
}

/** Sounds a note on the partner's track `inMs` from now (on the audio clock, not a timer). */
export type PlayNote = (note: LiveNote, inMs: number) => void

/** What the page did with the partner's windows: the notes it sounded and the windows that lost notes. */
export interface PartnerTake {
  /**
   * One planned window's notes, each `inMs` before it sounds. Those due within the margin the audio engine
   * is given are dropped, never played late; a window that lost any (or was `late` already) counts as late.
   */
  deliver(notes: readonly { note: LiveNote; inMs: number }[], late: boolean): void
  played(): readonly LiveNote[]
  late(): number
  windows(): number
}

export function createPartnerTake(play: PlayNote): PartnerTake {
  const played: LiveNote[] = []
  let late = 0
  let windows = 0
  return {
    deliver(notes, wasLate) {
      windows++
      let dropped = wasLate
      for (const { note, inMs } of notes) {
        if (inMs < LIVE_HOST_LOOP.marginMs) {
          dropped = true
          continue
        }
        played.push(note)
        play(note, inMs)
      }
      if (dropped) late++
    },
    played: () => played,
    late: () => late,
    windows: () => windows,
  }
}

/** Hands a player's events to the partner as they come. Returns how to stop following. */
export function followInto(stream: PlayerStream, partner: Pick<LiveRun, 'hear'>): () => void {
  return stream.subscribe((event) => {
    try {
      partner.hear([event])
    } catch {
      // A malformed event (a stray device value) is the player's, not a reason to stop the partner.
    }
  })
}

export interface PartnerSessionOptions {
  run: LiveRun
  /** Where the song is, in beats; null while it is stopped (the partner only plays while the song plays). */
  beat(): number | null
  bpm(): number
  play: PlayNote
}

export interface InPagePartnerSession extends PartnerSession {
  /** One step of the host's loop (the panel runs it every `tickBeats`; tests call it directly). */
  tick(): Promise<void>
}

/** A partner whose host loop runs in the page: the bass, whose plans take no model time. */
export function createPartnerSession(options: PartnerSessionOptions): InPagePartnerSession {
  const loop = createLiveHostLoop(options.run)
  const take = createPartnerTake(options.play)
  return {
    followPlayer: (stream) => followInto(stream, options.run),
    async tick() {
      const out = await loop.step(options)
      if (!out) return
      // The notes are placed from where the music is as the answer is handled: a late reply keeps the notes
      // still ahead (docs/BENCHMARKS.md "AI partner in the studio").
      const msPerBeat = 60_000 / options.bpm()
      const inMs = (note: LiveNote) => (note.beat - out.answeredAtBeat) * msPerBeat
      take.deliver(
        out.notes.map((note) => ({ note, inMs: inMs(note) })),
        out.late,
      )
    },
    played: take.played,
    late: take.late,
    windows: take.windows,
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
