/*
 * MIDI into a song: one track per MIDI track with notes (channel 10 becomes a drums track; the notes stay as
 * the file has them, music/drums.ts says what each one is), one clip per track spanning its notes on whole
 * bars, the file's tempo, meter and key, and the provenance an Ensemble export wrote for AI-made notes. A
 * song without tracks yet takes the file's title too: its name meta, else the file name. It writes only through core's
 * operations; they nest into one outer transaction with the caller's origin, so the whole import is one
 * undo step and collaborators receive it as one update.
 */
import type * as Y from 'yjs'
import { ticksPerBar } from '../music/time'
import {
  addClip,
  addTrack,
  type EditOrigin,
  MetaSchema,
  readTracks,
  setKey,
  setTempo,
  setTimeSignature,
  setTitle,
} from '../song/index'
import type { Provenance } from '../song/schema'
import { type ParsedMidi, type ParsedTrack, parseMidi } from './parse'

export interface MidiImportOptions {
  /** Also take the file's tempo, time signature and key, and its title into an empty song (default true). */
  readonly meta?: boolean
  /** The file's name, the title of last resort for an empty song ("night-drive.mid" gives "night-drive"). */
  readonly fileName?: string
  /**
   * Which of the file's AI provenance the notes keep (default all). A shared song keeps only what its server
   * sealed: a line without a seal (an older export, another tool) would be refused by the collab server, so
   * the studio drops it and the notes come in as anyone's.
   */
  readonly keepProvenance?: (provenance: Provenance) => boolean
}

export interface MidiImportResult {
  readonly trackIds: readonly string[]
  readonly clipIds: readonly string[]
  readonly parsed: ParsedMidi
}

/** Whole bars from the bar of the first note to the bar after the last note's end. */
/** The title a song without tracks takes from a file: the file's own name meta, else its file name. */
export const titleOf = (parsed: ParsedMidi, fileName: string | undefined): string | null => {
  const base = fileName?.replace(/\.(mid|midi|smf|kar)$/i, '').trim() ?? ''
  const title = (parsed.name || base).slice(0, MetaSchema.shape.title.maxLength ?? 200)
  return title === '' ? null : title
}

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
  const bar = ticksPerBar(parsed.timeSignature)
  const trackIds: string[] = []
  const clipIds: string[] = []
  doc.transact(() => {
    if (options.meta ?? true) {
      const title = titleOf(parsed, options.fileName)
      if (title !== null && readTracks(doc).length === 0) setTitle(doc, origin, title)
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
        notes: track.notes.map(({ provenance, ...n }) => ({
          ...n,
          start: n.start - span.start,
          ...(provenance !== undefined && (options.keepProvenance?.(provenance) ?? true)
            ? { provenance }
            : {}),
        })),
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
