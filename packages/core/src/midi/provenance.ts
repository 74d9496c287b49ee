/*
 * Where AI-made notes came from, kept in an exported MIDI file. MIDI notes have no room for it, so each run's
 * notes on a track become one text meta event in the conductor track, at the run's first note:
 *
 *   ensemble:ai {"track":1,"trackName":"Lead","fromTick":0,"toTick":1920,"notes":8,"provenance":{...}}
 *
 * `track` is the MIDI track number (the conductor is 0). Any DAW shows the line as a text event;
 * `readMidiProvenance` reads the lines back. The JSON is written in ASCII (\u escapes) because MIDI text is
 * bytes and the writer stores one byte per character.
 */
import { z } from 'zod'
import { type PlacedNote, ProvenanceSchema } from '../song/index'
import { Midi } from './tonejs'

export const PROVENANCE_TEXT_PREFIX = 'ensemble:ai '

const MidiProvenanceSchema = z.strictObject({
  track: z.int().min(1),
  trackName: z.string(),
  fromTick: z.int().min(0),
  toTick: z.int().min(0),
  notes: z.int().min(1),
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
        provenance: note.provenance,
      })
    else {
      run.fromTick = Math.min(run.fromTick, note.start)
      run.toTick = Math.max(run.toTick, end)
      run.notes++
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
export const readMidiProvenance = (bytes: Uint8Array): MidiProvenance[] => {
  const midi = new Midi(bytes)
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
