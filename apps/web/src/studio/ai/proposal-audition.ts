import { PPQ } from '@ensemble/core'
import type { GhostNote } from './ghost-notes'

/** What auditioning needs from the audio transport: notes on a voice (a track's instrument, or a preset). */
export interface NoteSink<V extends string = string> {
  noteOn(voice: V, pitch: number, velocity: number): void
  noteOff(voice: V, pitch: number): void
}

/** Notes for one voice; starts relative to the proposal's window. */
export interface AuditionPart<V extends string = string> {
  readonly voice: V
  readonly notes: readonly GhostNote[]
}

/** A proposal longer than this is auditioned only up to here: an audition is a taste, not a playback. */
const MAX_AUDITION_NOTES = 512

/**
 * Plays proposed parts together (an arranger's tracks each on their own voice) at the song's tempo,
 * without touching the song or the transport. Returns a stop function that silences what still sounds.
 */
export function auditionParts<V extends string>(
  sink: NoteSink<V>,
  parts: readonly AuditionPart<V>[],
  bpm: number,
  onEnd: () => void,
): () => void {
  const msPerTick = 60_000 / bpm / PPQ
  const all = parts.flatMap((part) => part.notes.map((note) => ({ voice: part.voice, note })))
  const first = Math.min(...all.map((n) => n.note.start))
  const timers: ReturnType<typeof setTimeout>[] = []
  // Per voice and pitch, how many notes sound now: two parts on one preset may share a pitch.
  const sounding = new Map<string, { voice: V; pitch: number; count: number }>()
  let end = 0
  for (const { voice, note: n } of all
    .sort((a, b) => a.note.start - b.note.start)
    .slice(0, MAX_AUDITION_NOTES)) {
    const on = (n.start - first) * msPerTick
    const off = on + Math.max(40, n.duration * msPerTick)
    const key = `${voice}\n${n.pitch}`
    end = Math.max(end, off)
    timers.push(
      setTimeout(() => {
        const s = sounding.get(key)
        if (s) s.count++
        else sounding.set(key, { voice, pitch: n.pitch, count: 1 })
        sink.noteOn(voice, n.pitch, n.velocity)
      }, on),
      setTimeout(() => {
        const s = sounding.get(key)
        if (s && --s.count <= 0) sounding.delete(key)
        sink.noteOff(voice, n.pitch)
      }, off),
    )
  }
  const stop = () => {
    for (const t of timers) clearTimeout(t)
    for (const s of sounding.values()) sink.noteOff(s.voice, s.pitch)
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

/** Plays proposed notes on one track's instrument (see auditionParts). */
export const auditionNotes = (
  sink: NoteSink,
  trackId: string,
  notes: readonly GhostNote[],
  bpm: number,
  onEnd: () => void,
): (() => void) => auditionParts(sink, [{ voice: trackId, notes }], bpm, onEnd)
