import { z } from 'zod'
import { KeySchema, TimeSignatureSchema } from '../music/schemas'
import { MAX_BPM, MIN_BPM, ticksPerBar } from '../music/time'
import { parameterProblem } from '../plugin/parameters'
import { EffectKindSchema, effectParameter } from './effects/catalogue'

/** Far beyond any real song (about 10 000 bars of 4/4), low enough that tick arithmetic stays exact. */
export const MAX_TICK = ticksPerBar({ numerator: 4, denominator: 4 }) * 10_000

/**
 * 2: tracks may hold audio clips (kind 'audio' records beside the MIDI clips) and the song asset records.
 * 3: effect devices, buses, sends, automation points and chain presets (top-level maps; see ydoc.ts).
 */
export const SONG_SCHEMA_VERSION = 3

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

/**
 * A take played live in a jam: who played it and when. On the clip, not on each note (a take is one
 * performance); like `movedFrom`, only clips that were played live have it.
 */
export const LiveTakeSchema = z.strictObject({
  /** The player's user id (the server's verified one, as the jam relayed it). */
  playedBy: id,
  /** The player's display name when the take was played. */
  playerName: z.string().max(200),
  /** ISO 8601 time the take started. */
  playedAt: z.iso.datetime({ offset: true }),
})
export type LiveTake = z.infer<typeof LiveTakeSchema>

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
  /** "Played live by": the clip is a take recorded from a live jam (`LiveTakeSchema`). */
  liveTake: LiveTakeSchema.optional(),
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

/** Lower-case hex SHA-256 of an audio file's original bytes: the asset's name everywhere (song, server, cache). */
export const AssetHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'an asset hash is 64 lower-case hex digits')

/** File formats the server accepts (sniffed by magic bytes there); OGG covers Vorbis and Opus, M4A covers MP4. */
export const AUDIO_FORMATS = ['wav', 'aiff', 'flac', 'mp3', 'ogg', 'm4a'] as const
export const AudioFormatSchema = z.enum(AUDIO_FORMATS)
export type AudioFormat = z.infer<typeof AudioFormatSchema>

/** Longer than any take or import the studio accepts (six hours), so second arithmetic stays far from limits. */
export const MAX_AUDIO_SECONDS = 6 * 60 * 60

/**
 * What a song knows about one audio file, kept once per hash at song level so clips, takes and split halves
 * all point at it instead of repeating it. Immutable: the hash names the bytes, and these describe them.
 */
export const AudioAssetSchema = z.strictObject({
  hash: AssetHashSchema,
  /** The file name the user gave it (or the recorder's take name), for display only; never a path. */
  name: z.string().max(200),
  format: AudioFormatSchema,
  sampleRate: z.int().min(8_000).max(384_000),
  channels: z.int().min(1).max(32),
  frames: z
    .int()
    .min(1)
    .max(MAX_AUDIO_SECONDS * 384_000),
  durationSeconds: z.number().positive().max(MAX_AUDIO_SECONDS),
})
export type AudioAsset = z.infer<typeof AudioAssetSchema>

/** Who recorded an audio clip, when, on which input, and the latency already compensated for. */
export const RecordingProvenanceSchema = z.strictObject({
  kind: z.literal('recording'),
  recordedBy: id,
  /** ISO 8601 time the take started. */
  recordedAt: z.iso.datetime({ offset: true }),
  /** The input device's label as the browser gave it (may be empty where labels are hidden). */
  input: z.string().max(200),
  /** How far the take was shifted earlier to land where it was played, in ms (0: not compensated). */
  latencyMs: z.number().min(0).max(2_000),
})

/** A clip made from a dropped or picked file. */
export const ImportProvenanceSchema = z.strictObject({
  kind: z.literal('import'),
  fileName: z.string().max(200),
  importedBy: id,
})

/** Where an audio clip's audio came from; it travels with the clip through moves, trims, splits and copies. */
export const AudioProvenanceSchema = z.discriminatedUnion('kind', [
  RecordingProvenanceSchema,
  ImportProvenanceSchema,
])
export type AudioProvenance = z.infer<typeof AudioProvenanceSchema>

/** Clip gain: as the track fader's range, with more boost for quiet takes. */
export const MIN_CLIP_GAIN_DB = MIN_VOLUME_DB
export const MAX_CLIP_GAIN_DB = 24

const seconds = z.number().min(0).max(MAX_AUDIO_SECONDS)

/**
 * A region of an audio asset placed on an audio track. It never holds audio: `asset` names the file, and
 * `offset`/`length` pick the part that plays, in seconds of audio, so a tempo change moves the clip's start
 * (ticks) but never stretches it. `start + length` is where it ends at the song's tempo.
 *
 * Every clip belongs to a take group: passes recorded over the same region share `takeGroupId`, numbered by
 * `takeIndex`, and `active` says which of them play (the chosen take, or per region when comping).
 */
export const AudioClipSchema = z.strictObject({
  id,
  name: z.string().max(200),
  asset: AssetHashSchema,
  /** Where the clip sits on the timeline, in ticks. */
  start: tick,
  /** Seconds into the asset where the clip's audio begins. */
  offset: seconds,
  /** Seconds of audio the clip plays. */
  length: seconds.refine((s) => s > 0, 'length must be more than 0 seconds'),
  gainDb: z.number().min(MIN_CLIP_GAIN_DB).max(MAX_CLIP_GAIN_DB),
  fadeIn: seconds,
  fadeOut: seconds,
  takeGroupId: id,
  takeIndex: z.int().min(0).max(9_999),
  /** Whether this clip plays: false for the takes of its group that were not chosen here. */
  active: z.boolean(),
  provenance: AudioProvenanceSchema,
  /** As on MIDI clips: the ids it had before moves between tracks, oldest first. */
  movedFrom: z.array(id).min(1).max(MAX_MOVED_FROM).readonly().optional(),
})
export type AudioClip = z.infer<typeof AudioClipSchema>

/** The master chain's owner: a device whose `owner` is this sits on the master, after every bus. */
export const MASTER = 'master'

/** More than any mix uses on one channel; a chain of hundreds would only be a way to make everyone's CPU stall. */
export const MAX_CHAIN_DEVICES = 16
export const MAX_BUSES = 16
/** Per lane: about one point per 16th note over ten minutes at 120 bpm, ample for drawn curves. */
export const MAX_LANE_POINTS = 4_096
export const MAX_CHAIN_PRESETS = 200

/** A track id, a bus id, or MASTER. */
const owner = id

const ParameterValueSchema = z.union([z.number(), z.boolean(), z.string().max(64)])

/**
 * One effect in a chain. Sorted by (order, id) like tracks; `kind` is written once. Parameter values not
 * stored read as the descriptor's default, so a device holds only what somebody changed.
 */
export const DeviceFieldsSchema = z.strictObject({
  id,
  owner,
  kind: EffectKindSchema,
  order: z.string().min(1).max(256),
  bypass: z.boolean(),
  params: z.record(z.string().max(64), ParameterValueSchema),
})

/** A device whose every stored parameter belongs to its effect and lies in the declared range. */
export const DeviceSchema = DeviceFieldsSchema.superRefine((device, ctx) => {
  for (const [param, value] of Object.entries(device.params)) {
    const spec = effectParameter(device.kind, param)
    const problem =
      spec === undefined ? `${device.kind} has no parameter ${param}` : parameterProblem(spec, value)
    if (problem !== null) ctx.addIssue({ code: 'custom', path: ['params', param], message: problem })
  }
})
export type Device = z.infer<typeof DeviceSchema>

/** A return track: sends feed it, its chain processes the sum, its fader feeds the master. */
export const BusSchema = z.strictObject({
  id,
  name: z.string().max(200),
  volumeDb: z.number().min(MIN_VOLUME_DB).max(MAX_VOLUME_DB),
  pan: z.number().min(-1).max(1),
  mute: z.boolean(),
  order: z.string().min(1).max(256),
})
export type Bus = z.infer<typeof BusSchema>

/** At most one send from a track to a bus: its id is `sendId(from, to)`, so two users adding it agree. */
export const SendSchema = z.strictObject({
  id: z.string().min(1).max(160),
  from: id,
  to: id,
  levelDb: z.number().min(MIN_VOLUME_DB).max(MAX_VOLUME_DB),
  /** Pre-fader: taken after the inserts, before volume and pan; post-fader: after them. */
  preFader: z.boolean(),
})
export type Send = z.infer<typeof SendSchema>

/**
 * What an automation lane moves: a fader (track or bus), a send's level, a device parameter, or an instrument
 * parameter of a track (song/instrument-parameters.ts).
 */
export const AutomationTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('volume'), owner: id }),
  z.strictObject({ kind: z.literal('pan'), owner: id }),
  z.strictObject({ kind: z.literal('send'), send: SendSchema.shape.id }),
  z.strictObject({ kind: z.literal('device'), device: id, param: z.string().min(1).max(64) }),
  z.strictObject({ kind: z.literal('instrument'), track: id, param: z.string().min(1).max(64) }),
])
export type AutomationTarget = z.infer<typeof AutomationTargetSchema>

/** How the value travels from a point to the next one. */
export const AutomationCurveSchema = z.enum(['linear', 'exponential', 'step'])
export type AutomationCurve = z.infer<typeof AutomationCurveSchema>

/** One breakpoint, immutable like a note: at `tick` (song timeline) the target is `value`, in its real units. */
export const AutomationPointSchema = z.strictObject({
  id,
  target: AutomationTargetSchema,
  tick,
  value: z.number(),
  curve: AutomationCurveSchema,
})
export type AutomationPoint = z.infer<typeof AutomationPointSchema>

export const PresetDeviceSchema = z.strictObject({
  kind: EffectKindSchema,
  bypass: z.boolean(),
  params: z.record(z.string().max(64), ParameterValueSchema),
})
export type PresetDevice = z.infer<typeof PresetDeviceSchema>

/** A saved chain, kept in the project: applying it replaces a chain with fresh devices of these settings. */
export const ChainPresetSchema = z.strictObject({
  id,
  name: z.string().min(1).max(200),
  devices: z.array(PresetDeviceSchema).max(MAX_CHAIN_DEVICES),
})
export type ChainPreset = z.infer<typeof ChainPresetSchema>

/** Read shapes: records with their children, sorted. These are what the UI and the AI flow see. */
export const ClipSnapshotSchema = ClipSchema.extend({ notes: z.array(NoteSchema).readonly() })
export type ClipSnapshot = z.infer<typeof ClipSnapshotSchema>

export const TrackSnapshotSchema = TrackSchema.extend({
  clips: z.array(ClipSnapshotSchema).readonly(),
  /** Audio clips sorted by start, then take index, then id; empty on instrument and drum tracks. */
  audioClips: z.array(AudioClipSchema).readonly(),
})
export type TrackSnapshot = z.infer<typeof TrackSnapshotSchema>

/** A device as read: every parameter present (stored value, or the descriptor's default). */
export const DeviceSnapshotSchema = z.strictObject({
  id,
  kind: EffectKindSchema,
  order: z.string(),
  bypass: z.boolean(),
  params: z.record(z.string(), ParameterValueSchema).readonly(),
})
export type DeviceSnapshot = z.infer<typeof DeviceSnapshotSchema>

export const BusSnapshotSchema = BusSchema.extend({ devices: z.array(DeviceSnapshotSchema).readonly() })
export type BusSnapshot = z.infer<typeof BusSnapshotSchema>

/** One lane: its target and its points sorted by tick (then id). `key` is `laneKey(target)`. */
export const AutomationLaneSchema = z.strictObject({
  key: z.string(),
  target: AutomationTargetSchema,
  points: z.array(AutomationPointSchema).readonly(),
})
export type AutomationLane = z.infer<typeof AutomationLaneSchema>

/**
 * Effects and routing. Only what is attached to something that exists: a device, send or lane whose owner
 * was deleted while it was being added (two users at once) stays in the doc but is not part of the song.
 */
export const MixerSnapshotSchema = z.strictObject({
  /** Insert chains by track id (tracks without devices are absent), each in chain order. */
  chains: z.record(z.string(), z.array(DeviceSnapshotSchema).readonly()).readonly(),
  buses: z.array(BusSnapshotSchema).readonly(),
  master: z.array(DeviceSnapshotSchema).readonly(),
  /** Sorted by id. */
  sends: z.array(SendSchema).readonly(),
  /** Sorted by key. */
  automation: z.array(AutomationLaneSchema).readonly(),
  /** The project's saved chains, sorted by name then id. */
  presets: z.array(ChainPresetSchema).readonly(),
})
export type MixerSnapshot = z.infer<typeof MixerSnapshotSchema>

export const EMPTY_MIXER: MixerSnapshot = {
  chains: {},
  buses: [],
  master: [],
  sends: [],
  automation: [],
  presets: [],
}

export const SongSnapshotSchema = z.strictObject({
  meta: MetaSchema,
  tracks: z.array(TrackSnapshotSchema).readonly(),
  mixer: MixerSnapshotSchema,
})
export type SongSnapshot = z.infer<typeof SongSnapshotSchema>
