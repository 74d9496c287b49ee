import { PPQ } from '@ensemble/core'
import type { GhostNote } from './ghost-notes'

/** What auditioning needs from the audio transport: notes on a track's instrument. */
export interface NoteSink {
  noteOn(trackId: string, pitch: number, velocity: number): void
  noteOff(trackId: string, pitch: number): void
}

/** A proposal longer than this is auditioned only up to here: an audition is a taste, not a playback. */
const MAX_AUDITION_NOTES = 512

/**
 * Plays proposed notes (starts relative to the window) on a track's instrument at the song's tempo,
 * without touching the song or the transport. Returns a stop function that silences what still sounds.
 */
export function auditionNotes(
  sink: NoteSink,
  trackId: string,
  notes: readonly GhostNote[],
  bpm: number,
  onEnd: () => void,
): () => void {
  const msPerTick = 60_000 / bpm / PPQ
  const first = Math.min(...notes.map((n) => n.start))
  const timers: ReturnType<typeof setTimeout>[] = []
  const sounding = new Set<number>()
  let end = 0
  for (const n of notes.slice(0, MAX_AUDITION_NOTES)) {
    const on = (n.start - first) * msPerTick
    const off = on + Math.max(40, n.duration * msPerTick)
    end = Math.max(end, off)
    timers.push(
      setTimeout(() => {
        sounding.add(n.pitch)
        sink.noteOn(trackId, n.pitch, n.velocity)
      }, on),
      setTimeout(() => {
        sounding.delete(n.pitch)
        sink.noteOff(trackId, n.pitch)
      }, off),
    )
  }
  const stop = () => {
    for (const t of timers) clearTimeout(t)
    for (const pitch of sounding) sink.noteOff(trackId, pitch)
    sounding.clear()
  }
  timers.push(
    setTimeout(() => {
      stop()
      onEnd()
    }, end + 20),
  )
  return stop
}
