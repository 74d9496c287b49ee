/*
 * A .mid file read into plain, already-valid song values: ticks rescaled to our 480 PPQ, velocities as 1-127,
 * tempo and meter clamped to what the song model accepts. Validating everything here, before any write, is
 * what lets the import run as one transaction that cannot fail half-way.
 */
import type { PresetId } from '../audio/presets'
import {
  type Key,
  KeySchema,
  MAX_BPM,
  MIN_BPM,
  PPQ,
  type TimeSignature,
  TimeSignatureSchema,
} from '../music/index'
import { MAX_TICK, type Provenance, SongError } from '../song/index'
import { keyFromMidi } from './keys'
import { DRUM_CHANNEL, presetForProgram } from './programs'
import { provenanceByNote, provenanceOf } from './provenance'
import { Midi } from './tonejs'

/** A note on the song timeline: absolute ticks at 480 PPQ. */
export interface ParsedNote {
  readonly pitch: number
  readonly start: number
  readonly duration: number
  readonly velocity: number
  /** Where an AI-made note came from, as an Ensemble export wrote it (provenance.ts). */
  readonly provenance?: Provenance
}

export interface ParsedTrack {
  readonly name: string
  readonly kind: 'instrument' | 'drums'
  readonly instrument: PresetId
  /** The GM program the file asked for (0 for drums). */
  readonly program: number
  readonly notes: readonly ParsedNote[]
}

export interface ParsedMidi {
  readonly name: string
  readonly bpm: number
  readonly timeSignature: TimeSignature
  readonly key: Key | null
  readonly tracks: readonly ParsedTrack[]
}

const DEFAULT_BPM = 120
const DEFAULT_TIME_SIGNATURE: TimeSignature = { numerator: 4, denominator: 4 }

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value))

const readFile = (bytes: ArrayBuffer | Uint8Array): Midi => {
  try {
    return new Midi(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))
  } catch (error) {
    throw new SongError('invalid_value', `Not a readable MIDI file: ${(error as Error).message}`)
  }
}

/**
 * The song has one tempo and one meter, so the file's first ones are kept. Positions stay right in beats
 * either way (they are ticks), only a later tempo change is lost.
 */
const firstAt = <T extends { readonly ticks: number }>(events: readonly T[]): T | undefined =>
  [...events].sort((a, b) => a.ticks - b.ticks)[0]

export const parseMidi = (bytes: ArrayBuffer | Uint8Array): ParsedMidi => {
  const midi = readFile(bytes)
  const ppq = midi.header.ppq > 0 ? midi.header.ppq : PPQ
  const toTicks = (ticks: number) => Math.round((ticks * PPQ) / ppq)

  const tempo = firstAt(midi.header.tempos)
  // MIDI stores microseconds per beat; two decimals undo that rounding for any tempo a person would type.
  const bpm = tempo ? clamp(Math.round(tempo.bpm * 100) / 100, MIN_BPM, MAX_BPM) : DEFAULT_BPM
  const meter = firstAt(midi.header.timeSignatures)
  const parsedMeter = TimeSignatureSchema.safeParse({
    numerator: meter?.timeSignature[0],
    denominator: meter?.timeSignature[1],
  })
  const key = firstAt(midi.header.keySignatures)
  const parsedKey = KeySchema.safeParse(keyFromMidi(key?.key, key?.scale))

  const provenance = provenanceOf(midi).map((r) => ({
    ...r,
    fromTick: toTicks(r.fromTick),
    toTick: toTicks(r.toTick),
    at: r.at?.map(([tick, pitch]): [number, number] => [toTicks(tick), pitch]),
  }))

  const tracks: ParsedTrack[] = []
  for (const [index, track] of midi.tracks.entries()) {
    const drums = track.channel === DRUM_CHANNEL || track.instrument.percussion
    let notes: ParsedNote[] = []
    for (const note of track.notes) {
      const start = toTicks(note.ticks)
      const end = toTicks(note.ticks + note.durationTicks)
      if (start < 0 || start >= MAX_TICK) continue
      notes.push({
        pitch: clamp(Math.round(note.midi), 0, 127),
        start,
        duration: clamp(end - start, 1, MAX_TICK - start),
        velocity: clamp(Math.round(note.velocity * 127), 1, 127),
      })
    }
    if (notes.length === 0) continue
    // The file's track 0 is the conductor, so the lines name this track as index + 1.
    const made = provenanceByNote(
      notes,
      provenance.filter((r) => r.track === index + 1),
    )
    notes = notes.map((n, i) => {
      const p = made.get(i)
      return p === undefined ? n : { ...n, provenance: p }
    })
    notes.sort((a, b) => a.start - b.start || a.pitch - b.pitch)
    const program = drums ? 0 : track.instrument.number
    const fallback = drums ? 'Drums' : track.instrument.name || `Track ${tracks.length + 1}`
    tracks.push({
      name: (track.name.trim() || fallback).slice(0, 200),
      kind: drums ? 'drums' : 'instrument',
      instrument: drums ? 'drum-kit' : presetForProgram(program),
      program,
      notes,
    })
  }
  return {
    name: midi.header.name.trim().slice(0, 200),
    bpm,
    timeSignature: parsedMeter.success ? parsedMeter.data : DEFAULT_TIME_SIGNATURE,
    key: parsedKey.success ? parsedKey.data : null,
    tracks,
  }
}
