import { z } from 'zod'
import { KeySchema, TimeSignatureSchema } from '../music/schemas'
import { MAX_BPM, MIN_BPM, ticksPerBar } from '../music/time'

/** Far beyond any real song (about 10 000 bars of 4/4), low enough that tick arithmetic stays exact. */
export const MAX_TICK = ticksPerBar({ numerator: 4, denominator: 4 }) * 10_000

export const SONG_SCHEMA_VERSION = 1

/** How many earlier ids a clip remembers; a clip moved between tracks more often forgets the oldest. */
export const MAX_MOVED_FROM = 32

/**
 * Volume is a gain in decibels, as Tone.js and every mixer label it: 0 is unity, +6 the most boost, and
 * MIN_VOLUME_DB the fader's floor, which the audio engine plays as silence (-Infinity).
 */
export const MIN_VOLUME_DB = -60
export const MAX_VOLUME_DB = 6

const id = z.string().min(1).max(64)
const tick = z.int().min(0).max(MAX_TICK)
const positiveTicks = z.int().min(1).max(MAX_TICK)

/** Where an AI-written note came from; kept on the note so it survives moves, splits and copies. */
export const ProvenanceSchema = z.strictObject({
  pluginId: z.string().min(1).max(200),
  pluginVersion: z.string().min(1).max(64),
  modelHash: z.string().min(1).max(128),
  seed: z.int(),
  requestedBy: id,
  acceptedBy: id,
  /** The `ai_runs` row of the run, on the server that made it. */
  runId: id.optional(),
  /**
   * The server's signature over the run's fields (pluginId to runId; not `acceptedBy`): a client cannot write
   * provenance without it, so a note that claims a plugin, model and seed carries one the server made.
   */
  seal: z.string().min(1).max(128).optional(),
})
export type Provenance = z.infer<typeof ProvenanceSchema>

/** Start is relative to the clip start. A note is immutable: an edit replaces the whole value. */
export const NoteSchema = z.strictObject({
  id,
  pitch: z.int().min(0).max(127),
  start: tick,
  duration: positiveTicks,
  velocity: z.int().min(1).max(127),
  provenance: ProvenanceSchema.optional(),
})
export type Note = z.infer<typeof NoteSchema>

export const ClipSchema = z.strictObject({
  id,
  name: z.string().max(200),
  start: tick,
  length: positiveTicks,
  /** null: plays once; a number: the first `loopLength` ticks of notes repeat until the clip ends. */
  loopLength: positiveTicks.nullable(),
  /**
   * The ids this clip had before it was moved to other tracks, oldest first (a move between tracks re-creates
   * the clip under a new id; see moveClips). Comments anchored to an old id find the clip through it.
   */
  movedFrom: z.array(id).min(1).max(MAX_MOVED_FROM).readonly().optional(),
})
export type Clip = z.infer<typeof ClipSchema>

export const TrackKindSchema = z.enum(['instrument', 'drums', 'audio'])
export type TrackKind = z.infer<typeof TrackKindSchema>

export const ColourSchema = z.string().regex(/^#[0-9a-f]{6}$/, 'colour must be #rrggbb in lower case')

export const TrackSchema = z.strictObject({
  id,
  name: z.string().max(200),
  kind: TrackKindSchema,
  /** Preset id from the instrument catalogue; null for audio tracks and "no instrument yet". */
  instrument: z.string().min(1).max(200).nullable(),
  colour: ColourSchema,
  volumeDb: z.number().min(MIN_VOLUME_DB).max(MAX_VOLUME_DB),
  pan: z.number().min(-1).max(1),
  mute: z.boolean(),
  solo: z.boolean(),
  /** A fractional-indexing key; tracks sort by (order, id) so ties from concurrent inserts agree everywhere. */
  order: z.string().min(1).max(256),
})
export type Track = z.infer<typeof TrackSchema>

export const MetaSchema = z.strictObject({
  schemaVersion: z.int().min(1),
  title: z.string().max(200),
  bpm: z.number().min(MIN_BPM).max(MAX_BPM),
  timeSignature: TimeSignatureSchema,
  key: KeySchema,
})
export type Meta = z.infer<typeof MetaSchema>

export const DEFAULT_META: Omit<Meta, 'schemaVersion'> = {
  title: 'Untitled',
  bpm: 120,
  timeSignature: { numerator: 4, denominator: 4 },
  key: { tonic: 'C', mode: 'major' },
}

/** Read shapes: records with their children, sorted. These are what the UI and the AI flow see. */
export const ClipSnapshotSchema = ClipSchema.extend({ notes: z.array(NoteSchema).readonly() })
export type ClipSnapshot = z.infer<typeof ClipSnapshotSchema>

export const TrackSnapshotSchema = TrackSchema.extend({ clips: z.array(ClipSnapshotSchema).readonly() })
export type TrackSnapshot = z.infer<typeof TrackSnapshotSchema>

export const SongSnapshotSchema = z.strictObject({
  meta: MetaSchema,
  tracks: z.array(TrackSnapshotSchema).readonly(),
})
export type SongSnapshot = z.infer<typeof SongSnapshotSchema>
