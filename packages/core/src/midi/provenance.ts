/*
 * Where AI-made notes came from, kept in an exported MIDI file. MIDI notes have no room for it, so each run's
 * notes on a track become one text meta event in the conductor track, at the run's first note:
 *
 *   ensemble:ai {"track":1,"trackName":"Lead","fromTick":0,"toTick":1920,"notes":8,"at":[[0,60],...],"provenance":{...}}
 *
 * `track` is the MIDI track number (the conductor is 0); `at` lists the run's notes as [tick, pitch], so an
 * import gives the provenance back to exactly those notes (files written before `at` existed name only the
 * span and the count: their notes get it back when the span holds exactly that many). Any DAW shows the
 * line as a text event; `readMidiProvenance` reads the lines back. The JSON is written in ASCII (\u escapes)
 * because MIDI text is bytes and the writer stores one byte per character.
 */
import { z } from 'zod'
import { type PlacedNote, type Provenance, ProvenanceSchema } from '../song/index'
import { Midi } from './tonejs'

export const PROVENANCE_TEXT_PREFIX = 'ensemble:ai '

const MidiProvenanceSchema = z.strictObject({
  track: z.int().min(1),
  trackName: z.string(),
  fromTick: z.int().min(0),
  toTick: z.int().min(0),
  notes: z.int().min(1),
  at: z.array(z.tuple([z.int().min(0), z.int().min(0).max(127)])).optional(),
  provenance: ProvenanceSchema,
})
export type MidiProvenance = z.infer<typeof MidiProvenanceSchema>

const ascii = (json: string): string =>
  json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

/** One record per provenance among a track's played notes (a looping clip's repeats count as notes). */
export const provenanceRecords = (
  track: number,
  trackName: string,
  notes: readonly PlacedNote[],
): MidiProvenance[] => {
  const runs = new Map<string, MidiProvenance>()
  for (const note of notes) {
    if (note.provenance === undefined) continue
    const key = JSON.stringify(note.provenance)
    const end = note.start + note.duration
    const run = runs.get(key)
    if (run === undefined)
      runs.set(key, {
        track,
        trackName,
        fromTick: note.start,
        toTick: end,
        notes: 1,
        at: [[note.start, note.pitch]],
        provenance: note.provenance,
      })
    else {
      run.fromTick = Math.min(run.fromTick, note.start)
      run.toTick = Math.max(run.toTick, end)
      run.notes++
      run.at?.push([note.start, note.pitch])
    }
  }
  return [...runs.values()]
}

export const provenanceText = (record: MidiProvenance): string =>
  PROVENANCE_TEXT_PREFIX + ascii(JSON.stringify(record))

/**
 * The AI provenance lines of a MIDI file exported by Ensemble, by track then tick; lines that do not parse
 * are skipped.
 */
export const readMidiProvenance = (bytes: Uint8Array): MidiProvenance[] => provenanceOf(new Midi(bytes))

/** The provenance lines of a file already read. */
export const provenanceOf = (midi: Midi): MidiProvenance[] => {
  const records = midi.header.meta.flatMap((event) => {
    if (event.type !== 'text' || !event.text.startsWith(PROVENANCE_TEXT_PREFIX)) return []
    try {
      const parsed = MidiProvenanceSchema.safeParse(
        JSON.parse(event.text.slice(PROVENANCE_TEXT_PREFIX.length)),
      )
      return parsed.success ? [parsed.data] : []
    } catch {
      return []
    }
  })
  return records.sort((a, b) => a.track - b.track || a.fromTick - b.fromTick)
}

/** A note as the file holds it, before import gives it an id. */
interface FileNote {
  readonly pitch: number
  readonly start: number
  readonly duration: number
}

/**
 * Which provenance each of one file track's notes had, by the note's index in `notes`; `records` are that
 * track's lines, with ticks already in the song's resolution. A line that names notes the track lacks
 * restores what it finds; an old line (no `at`) restores only when its span holds exactly its count.
 */
export const provenanceByNote = (
  notes: readonly FileNote[],
  records: readonly MidiProvenance[],
): Map<number, Provenance> => {
  const found = new Map<number, Provenance>()
  for (const record of records) {
    if (record.at !== undefined) {
      for (const [tick, pitch] of record.at) {
        const i = notes.findIndex((n, k) => !found.has(k) && n.start === tick && n.pitch === pitch)
        if (i >= 0) found.set(i, record.provenance)
      }
      continue
    }
    const inSpan = notes.flatMap((n, k) =>
      !found.has(k) && n.start >= record.fromTick && n.start + n.duration <= record.toTick ? [k] : [],
    )
    if (inSpan.length === record.notes) for (const k of inSpan) found.set(k, record.provenance)
  }
  return found
}
