/*
 * MIDI into a song: one track per MIDI track with notes (channel 10 becomes a drums track), one clip per
 * track spanning its notes on whole bars, and the file's tempo, meter and key. It writes only through core's
 * operations; they nest into one outer transaction with the caller's origin, so the whole import is one
 * undo step and collaborators receive it as one update.
 */
import type * as Y from 'yjs'
import { barTicks } from '../audio/timing'
import { addClip, addTrack, type EditOrigin, setKey, setTempo, setTimeSignature } from '../song/index'
import { type ParsedMidi, type ParsedTrack, parseMidi } from './parse'

export interface MidiImportOptions {
  /** Also take the file's tempo, time signature and key (default true). */
  readonly meta?: boolean
}

export interface MidiImportResult {
  readonly trackIds: readonly string[]
  readonly clipIds: readonly string[]
  readonly parsed: ParsedMidi
}

/** Whole bars from the bar of the first note to the bar after the last note's end. */
const clipSpan = (track: ParsedTrack, bar: number): { start: number; length: number } => {
  let first = Number.POSITIVE_INFINITY
  let last = 0
  for (const note of track.notes) {
    first = Math.min(first, note.start)
    last = Math.max(last, note.start + note.duration)
  }
  const start = Math.floor(first / bar) * bar
  return { start, length: Math.max(bar, Math.ceil(last / bar) * bar - start) }
}

export const importParsedMidi = (
  doc: Y.Doc,
  origin: EditOrigin,
  parsed: ParsedMidi,
  options: MidiImportOptions = {},
): MidiImportResult => {
  const bar = barTicks(parsed.timeSignature)
  const trackIds: string[] = []
  const clipIds: string[] = []
  doc.transact(() => {
    if (options.meta ?? true) {
      setTempo(doc, origin, parsed.bpm)
      setTimeSignature(doc, origin, parsed.timeSignature)
      if (parsed.key !== null) setKey(doc, origin, parsed.key)
    }
    for (const track of parsed.tracks) {
      const trackId = addTrack(doc, origin, {
        name: track.name,
        kind: track.kind,
        instrument: track.instrument,
      })
      const span = clipSpan(track, bar)
      const { clipId } = addClip(doc, origin, trackId, {
        ...span,
        notes: track.notes.map((n) => ({ ...n, start: n.start - span.start })),
      })
      trackIds.push(trackId)
      clipIds.push(clipId)
    }
  }, origin)
  return { trackIds, clipIds, parsed }
}

/** Reads a .mid file (as dropped or picked in the browser, or read from disk) into the song. */
export const importMidi = (
  doc: Y.Doc,
  origin: EditOrigin,
  bytes: ArrayBuffer | Uint8Array,
  options: MidiImportOptions = {},
): MidiImportResult => importParsedMidi(doc, origin, parseMidi(bytes), options)
