/*
 * The only module that knows how the song is laid out in Yjs. Internal to core: index.ts does not export it,
 * so nothing outside core can reach a Y type and write around the operations.
 *
 *   doc.getMap('meta')    schemaVersion, title, bpm, timeSignature, key        (plain values)
 *   doc.getMap('tracks')  trackId -> Y.Map { name, kind, instrument, colour, volumeDb, pan, mute, solo,
 *                                            order, clips: Y.Map }
 *   clips                 clipId  -> Y.Map { name, start, length, loopLength, movedFrom?, notes: Y.Map }
 *                                    or, an audio clip, Y.Map { kind: 'audio', name, asset, span, gainDb,
 *                                    fadeIn, fadeOut, takeGroupId, takeIndex, active, provenance, movedFrom? }
 *   notes                 noteId  -> Note (plain, immutable)
 *   span                  { start, offset, length } (plain): written whole, so a move racing a trim yields
 *                         one of the two, never a start from one and an offset from the other (audio that
 *                         would sound shifted against where either user put it)
 *   doc.getMap('assets')  hash    -> AudioAsset (plain, immutable; outside undo and restore: a record
 *                                    nobody points at costs nothing, and one a restored clip needs stays)
 *   doc.getMap('devices') deviceId -> Y.Map { owner, kind, order, bypass, params: Y.Map<paramId -> value> }
 *   doc.getMap('buses')   busId   -> Y.Map { name, volumeDb, pan, mute, order }
 *   doc.getMap('sends')   sendId(from, to) -> Send (plain; written whole)
 *   doc.getMap('automation') pointId -> AutomationPoint (plain, immutable; its target names its lane)
 *   doc.getMap('presets') presetId -> ChainPreset (plain, immutable)
 *
 * Effects and routing live in top-level maps, not inside the tracks, for the same reason audio clips share
 * the clips map: a top-level map exists on every replica without anyone creating it, so no migration has to
 * add a `devices` map to every track and no two replicas can race to create one (the loser's devices would
 * vanish). A device names its owner (a track id, a bus id or MASTER); deleting a track or bus deletes its
 * devices, sends and lanes in the same transaction, and a device added to a track that a bandmate deleted
 * at the same moment stays behind unattached: the readers leave it out, identically everywhere.
 *
 * Chains are ordered like tracks, by fractional `order` key with the id as tie-break, so two users moving
 * devices of one chain at once each move their own device and the chain converges to one order. A device's
 * parameters are one map key each: two users turning different knobs of one device both win, two turning
 * the same knob converge on one value. Automation points are plain values keyed by their own id, so a lane
 * is never created (nothing to race on): it is the points that share a target.
 *
 * Audio clips share their track's `clips` map with MIDI clips (a track of one kind holds only its kind), so
 * every song, old or new, already has the map they go in: no migration has to create one, and no two
 * replicas can race to. `requireClip` and `midiClips` see MIDI clips only; the audio modules use
 * `requireAudioClip` and `audioClipsOf`.
 *
 * Notes live inside their clip and clips inside their track, so deleting a parent takes its children with
 * it on every replica: there is no way to leave an orphan behind, even when a delete races an insert.
 */
import * as Y from 'yjs'
import type { z } from 'zod'
import { PPQ } from '../music/index'
import { effectValues, isEffectKind } from './effects/catalogue'
import { SongError } from './errors'
import { AiAcceptedOrigin, type EditOrigin, RestoreOrigin, SystemOrigin, UserOrigin } from './origins'
import {
  type AudioAsset,
  type AudioClip,
  type AutomationPoint,
  type AutomationTarget,
  type Bus,
  type ChainPreset,
  type Clip,
  DEFAULT_META,
  type Device,
  type DeviceSnapshot,
  LiveTakeSchema,
  MASTER,
  MAX_MOVED_FROM,
  type Meta,
  type Note,
  type Send,
  SONG_SCHEMA_VERSION,
  type Track,
} from './schema'

export type YRecord = Y.Map<unknown>

export const META = 'meta'
export const TRACKS = 'tracks'
export const ASSETS = 'assets'
export const DEVICES = 'devices'
export const BUSES = 'buses'
export const SENDS = 'sends'
export const AUTOMATION = 'automation'
export const PRESETS = 'presets'

export const metaMap = (doc: Y.Doc): YRecord => doc.getMap<unknown>(META)
export const tracksMap = (doc: Y.Doc): Y.Map<YRecord> => doc.getMap<YRecord>(TRACKS)
export const clipsOf = (track: YRecord): Y.Map<YRecord> => track.get('clips') as Y.Map<YRecord>
export const notesOf = (clip: YRecord): Y.Map<Note> => clip.get('notes') as Y.Map<Note>
export const assetsMap = (doc: Y.Doc): Y.Map<AudioAsset> => doc.getMap<AudioAsset>(ASSETS)
export const devicesMap = (doc: Y.Doc): Y.Map<YRecord> => doc.getMap<YRecord>(DEVICES)
export const paramsOf = (device: YRecord): Y.Map<unknown> => device.get('params') as Y.Map<unknown>
export const busesMap = (doc: Y.Doc): Y.Map<YRecord> => doc.getMap<YRecord>(BUSES)
export const sendsMap = (doc: Y.Doc): Y.Map<Send> => doc.getMap<Send>(SENDS)
export const automationMap = (doc: Y.Doc): Y.Map<AutomationPoint> => doc.getMap<AutomationPoint>(AUTOMATION)
export const presetsMap = (doc: Y.Doc): Y.Map<ChainPreset> => doc.getMap<ChainPreset>(PRESETS)

/**
 * The Y types that make up the song: what undo, restore and the stores watch. Assets stay out (see above);
 * proposals too (they are nobody's edit until accepted).
 */
export const songTypes = (doc: Y.Doc): Y.Map<unknown>[] =>
  [META, TRACKS, DEVICES, BUSES, SENDS, AUTOMATION, PRESETS].map((name) => doc.getMap<unknown>(name))

/** Audio clip records carry kind 'audio', written once at creation (never overwritten, so never emptied). */
export const isAudioClip = (clip: YRecord): boolean => clip.get('kind') === 'audio'

/** The track's MIDI clips, as [id, record] pairs. */
export const midiClips = (track: YRecord): [string, YRecord][] =>
  [...clipsOf(track).entries()].filter(([, clip]) => !isAudioClip(clip))

/** The track's audio clips, as [id, record] pairs. */
export const audioClipsOf = (track: YRecord): [string, YRecord][] =>
  [...clipsOf(track).entries()].filter(([, clip]) => isAudioClip(clip))

/** Validates with zod and turns failure into a SongError naming what was wrong. */
export const parse = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> => {
  const result = schema.safeParse(value)
  if (!result.success) {
    const detail = result.error.issues
      .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
      .join('; ')
    throw new SongError('invalid_value', `Invalid ${what}: ${detail}`, result.error.issues)
  }
  return result.data
}

export const requireTrack = (doc: Y.Doc, trackId: string): YRecord => {
  const track = typeof trackId === 'string' ? tracksMap(doc).get(trackId) : undefined
  if (track === undefined) throw new SongError('track_not_found', `No track with id ${String(trackId)}`)
  return track
}

export const requireClip = (doc: Y.Doc, trackId: string, clipId: string): YRecord => {
  const clip = typeof clipId === 'string' ? clipsOf(requireTrack(doc, trackId)).get(clipId) : undefined
  if (clip === undefined || isAudioClip(clip)) {
    throw new SongError('clip_not_found', `No clip with id ${String(clipId)} on track ${trackId}`)
  }
  return clip
}

export const requireAudioTrack = (doc: Y.Doc, trackId: string): YRecord => {
  const track = requireTrack(doc, trackId)
  const kind = readTrackFields(trackId, track).kind
  if (kind !== 'audio') throw new SongError('unsupported', `Track ${trackId} is an ${kind} track, not audio`)
  return track
}

export const requireAudioClip = (doc: Y.Doc, trackId: string, clipId: string): YRecord => {
  const clip = typeof clipId === 'string' ? clipsOf(requireTrack(doc, trackId)).get(clipId) : undefined
  if (clip === undefined || !isAudioClip(clip)) {
    throw new SongError('clip_not_found', `No audio clip with id ${String(clipId)} on track ${trackId}`)
  }
  return clip
}

export const requireNotes = (clip: YRecord, noteIds: readonly string[]): Note[] => {
  if (!Array.isArray(noteIds)) throw new SongError('invalid_value', 'noteIds must be an array')
  const notes = notesOf(clip)
  const seen = new Set<string>()
  return noteIds.map((id) => {
    const note = notes.get(id)
    if (note === undefined)
      throw new SongError('note_not_found', `No note with id ${String(id)} in this clip`)
    if (seen.has(id)) throw new SongError('invalid_value', `Note ${id} is listed twice`)
    seen.add(id)
    return note
  })
}

/**
 * Runs already-validated writes as one transaction. Callers validate everything before calling this, so the
 * body never throws and a refused operation leaves the doc untouched.
 */
export const commit = (doc: Y.Doc, origin: EditOrigin, body: () => void): void => {
  const editing =
    origin instanceof UserOrigin ||
    origin instanceof AiAcceptedOrigin ||
    origin instanceof RestoreOrigin ||
    origin instanceof SystemOrigin
  if (!editing) {
    throw new SongError(
      'invalid_value',
      'Song edits need a UserOrigin, AiAcceptedOrigin, RestoreOrigin or SystemOrigin',
    )
  }
  doc.transact(body, origin)
}

/** The ids a clip re-created on another track remembers: its own last, the oldest dropped past the bound. */
export const movedFromAfter = (clipId: string, movedFrom: readonly string[] | undefined): string[] =>
  [...(movedFrom ?? []), clipId].slice(-MAX_MOVED_FROM)

/** One clip's move, every check passed: it stays on its track, or it is re-created (`copy`) on the target. */
export interface PlannedClipMove {
  readonly trackId: string
  readonly clipId: string
  /** Writes the new position in place: the clip keeps its track and id. */
  readonly stay: () => void
  readonly copy: { readonly id: string; readonly y: YRecord } | null
}

/**
 * Applies planned moves as one transaction (MIDI and audio clips move the same way; see moveClips for why a
 * clip that changes track gets a new id). Returns each clip's id afterwards, in plan order.
 */
export const applyClipMoves = (
  doc: Y.Doc,
  origin: EditOrigin,
  target: YRecord | null,
  plan: readonly PlannedClipMove[],
): string[] => {
  commit(doc, origin, () => {
    for (const move of plan) {
      if (move.copy === null || target === null) move.stay()
      else {
        clipsOf(requireTrack(doc, move.trackId)).delete(move.clipId)
        clipsOf(target).set(move.copy.id, move.copy.y)
      }
    }
  })
  return plan.map((move) => move.copy?.id ?? move.clipId)
}

/*
 * A field can end up with no value at all: Y.UndoManager deletes a user's map value on undo but refuses to
 * restore the value it replaced when a collaborator wrote the same key concurrently (Yjs cannot tell whose
 * write should win). Every replica then sees the key empty, so reading it as its default keeps replicas
 * identical and snapshots valid; the next edit of that field writes a real value again.
 */
const field = <T>(y: YRecord, key: string, fallback: T): T => {
  const value = y.get(key)
  return value === undefined ? fallback : (value as T)
}

export const MISSING_TRACK: Omit<Track, 'id'> = {
  name: '',
  kind: 'instrument',
  instrument: null,
  colour: '#8b8d98',
  volumeDb: 0,
  pan: 0,
  mute: false,
  solo: false,
  order: 'a0',
}

export const MISSING_CLIP: Omit<Clip, 'id'> = { name: '', start: 0, length: PPQ * 4, loopLength: null }

export const readMetaFields = (meta: YRecord): Meta => ({
  schemaVersion: field(meta, 'schemaVersion', SONG_SCHEMA_VERSION),
  title: field(meta, 'title', DEFAULT_META.title),
  bpm: field(meta, 'bpm', DEFAULT_META.bpm),
  timeSignature: field(meta, 'timeSignature', DEFAULT_META.timeSignature),
  key: field(meta, 'key', DEFAULT_META.key),
})

export const readTrackFields = (id: string, track: YRecord): Track => ({
  id,
  name: field(track, 'name', MISSING_TRACK.name),
  kind: field(track, 'kind', MISSING_TRACK.kind),
  instrument: field(track, 'instrument', MISSING_TRACK.instrument),
  colour: field(track, 'colour', MISSING_TRACK.colour),
  volumeDb: field(track, 'volumeDb', MISSING_TRACK.volumeDb),
  pan: field(track, 'pan', MISSING_TRACK.pan),
  mute: field(track, 'mute', MISSING_TRACK.mute),
  solo: field(track, 'solo', MISSING_TRACK.solo),
  order: field(track, 'order', MISSING_TRACK.order),
})

export const readClipFields = (id: string, clip: YRecord): Clip => {
  const fields: Clip = {
    id,
    name: field(clip, 'name', MISSING_CLIP.name),
    start: field(clip, 'start', MISSING_CLIP.start),
    length: field(clip, 'length', MISSING_CLIP.length),
    loopLength: field(clip, 'loopLength', MISSING_CLIP.loopLength),
  }
  // Only clips that were moved between tracks have it: the others read as they always did. Comments search
  // it, so something other than a list (a hostile client's write) reads as no list rather than breaking them.
  const movedFrom: unknown = clip.get('movedFrom')
  const withMoves = Array.isArray(movedFrom) ? { ...fields, movedFrom: movedFrom as string[] } : fields
  // Likewise only takes played live have it; one that does not parse reads as none.
  const liveTake = LiveTakeSchema.safeParse(clip.get('liveTake'))
  return liveTake.success ? { ...withMoves, liveTake: liveTake.data } : withMoves
}

/** The part of an audio clip written as one value (see `span` above). */
export interface AudioSpan {
  readonly start: number
  readonly offset: number
  readonly length: number
}

const MISSING_SPAN: AudioSpan = { start: 0, offset: 0, length: 1 }

const readSpan = (clip: YRecord): AudioSpan => {
  const span: unknown = clip.get('span')
  if (typeof span !== 'object' || span === null) return MISSING_SPAN
  const { start, offset, length } = span as Record<string, unknown>
  // A hostile client could write anything here; a span that is not three numbers reads as the default.
  return typeof start === 'number' && typeof offset === 'number' && typeof length === 'number'
    ? { start, offset, length }
    : MISSING_SPAN
}

export const readAudioClipFields = (id: string, clip: YRecord): AudioClip => {
  const { start, offset, length } = readSpan(clip)
  const fields: AudioClip = {
    id,
    name: field(clip, 'name', ''),
    asset: field(clip, 'asset', ''),
    start,
    offset,
    length,
    gainDb: field(clip, 'gainDb', 0),
    fadeIn: field(clip, 'fadeIn', 0),
    fadeOut: field(clip, 'fadeOut', 0),
    takeGroupId: field(clip, 'takeGroupId', id),
    takeIndex: field(clip, 'takeIndex', 0),
    active: field(clip, 'active', true),
    provenance: field(clip, 'provenance', { kind: 'import', fileName: '', importedBy: 'unknown' }),
  }
  const movedFrom: unknown = clip.get('movedFrom')
  return Array.isArray(movedFrom) ? { ...fields, movedFrom: movedFrom as string[] } : fields
}

export const createAudioClipMap = (clip: AudioClip): YRecord => {
  const y = new Y.Map<unknown>()
  const { id: _id, start, offset, length, ...fields } = clip
  y.set('kind', 'audio')
  y.set('span', { start, offset, length })
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) y.set(key, value)
  return y
}

export const writeAudioSpan = (clip: YRecord, span: AudioSpan): void => {
  clip.set('span', { start: span.start, offset: span.offset, length: span.length })
}

/** Audio clips sort by start, then take (stacked passes in recording order), then id. */
export const compareAudioClips = (a: AudioClip, b: AudioClip): number =>
  a.start - b.start || a.takeIndex - b.takeIndex || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Builds a track's Y.Map; insert it into the tracks map in the same transaction. */
export const createTrackMap = (track: Track): YRecord => {
  const y = new Y.Map<unknown>()
  const { id: _id, ...fields } = track
  for (const [key, value] of Object.entries(fields)) y.set(key, value)
  y.set('clips', new Y.Map<YRecord>())
  return y
}

export const createClipMap = (clip: Clip, notes: readonly Note[]): YRecord => {
  const y = new Y.Map<unknown>()
  const { id: _id, ...fields } = clip
  for (const [key, value] of Object.entries(fields)) y.set(key, value)
  const notesMap = new Y.Map<Note>()
  for (const note of notes) notesMap.set(note.id, note)
  y.set('notes', notesMap)
  return y
}

export const compareNotes = (a: Note, b: Note): number =>
  a.start - b.start || a.pitch - b.pitch || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

export const compareClips = (a: Clip, b: Clip): number =>
  a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Tracks sort by fractional key, ties (two replicas inserting at the same spot) by id: same on every replica. */
export const compareTracks = (a: Track, b: Track): number => compareOrdered(a, b)

export const requireDevice = (doc: Y.Doc, deviceId: string): YRecord => {
  const device = typeof deviceId === 'string' ? devicesMap(doc).get(deviceId) : undefined
  if (device === undefined) throw new SongError('device_not_found', `No device with id ${String(deviceId)}`)
  return device
}

export const requireBus = (doc: Y.Doc, busId: string): YRecord => {
  const bus = typeof busId === 'string' ? busesMap(doc).get(busId) : undefined
  if (bus === undefined) throw new SongError('bus_not_found', `No bus with id ${String(busId)}`)
  return bus
}

export const createDeviceMap = (device: Device): YRecord => {
  const y = new Y.Map<unknown>()
  y.set('owner', device.owner)
  y.set('kind', device.kind)
  y.set('order', device.order)
  y.set('bypass', device.bypass)
  const params = new Y.Map<unknown>()
  for (const [key, value] of Object.entries(device.params)) params.set(key, value)
  y.set('params', params)
  return y
}

/** The device's owner, or null for a record that is not a device (a hostile write) and so belongs nowhere. */
export const deviceOwner = (device: YRecord): string | null => {
  const owner = device.get('owner')
  return typeof owner === 'string' && isEffectKind(device.get('kind')) ? owner : null
}

export const readDeviceFields = (id: string, device: YRecord): DeviceSnapshot => {
  const kind = device.get('kind')
  const params = paramsOf(device)
  const stored = params instanceof Y.Map ? Object.fromEntries(params.entries()) : {}
  return {
    id,
    kind: isEffectKind(kind) ? kind : 'eq3',
    order: field(device, 'order', 'a0'),
    bypass: field(device, 'bypass', false),
    params: effectValues(isEffectKind(kind) ? kind : 'eq3', stored),
  }
}

export const MISSING_BUS: Omit<Bus, 'id'> = { name: '', volumeDb: 0, pan: 0, mute: false, order: 'a0' }

export const createBusMap = (bus: Bus): YRecord => {
  const y = new Y.Map<unknown>()
  const { id: _id, ...fields } = bus
  for (const [key, value] of Object.entries(fields)) y.set(key, value)
  return y
}

export const readBusFields = (id: string, bus: YRecord): Bus => ({
  id,
  name: field(bus, 'name', MISSING_BUS.name),
  volumeDb: field(bus, 'volumeDb', MISSING_BUS.volumeDb),
  pan: field(bus, 'pan', MISSING_BUS.pan),
  mute: field(bus, 'mute', MISSING_BUS.mute),
  order: field(bus, 'order', MISSING_BUS.order),
})

/** Chains, like tracks, sort by fractional key with the id as tie-break. */
export const compareOrdered = (
  a: { readonly order: string; readonly id: string },
  b: { readonly order: string; readonly id: string },
): number => (a.order < b.order ? -1 : a.order > b.order ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/**
 * Whether an automation target (a point's or a lane's; anything, as a replica may hold a malformed value)
 * points at one of the given owners, devices or sends.
 */
export const automationTargetIn = (
  target: AutomationTarget | null | undefined,
  owners: ReadonlySet<string>,
  devices: ReadonlySet<string>,
  sends: ReadonlySet<string>,
): boolean => {
  if (typeof target !== 'object' || target === null) return false
  switch (target.kind) {
    case 'volume':
    case 'pan':
      return owners.has(target.owner)
    case 'send':
      return sends.has(target.send)
    case 'device':
      return devices.has(target.device)
    case 'instrument':
      return owners.has(target.track)
    default:
      return false
  }
}

/**
 * Deletes what hangs off the given tracks or buses (their devices, the sends from or to them, and every
 * automation point of those), and of the given devices and sends. Call inside the transaction that deletes
 * the owners, so one undo brings everything back.
 */
export const deleteAttached = (
  doc: Y.Doc,
  owners: ReadonlySet<string>,
  deviceIds: ReadonlySet<string> = new Set(),
  sendIds: ReadonlySet<string> = new Set(),
): void => {
  const devices = new Set(deviceIds)
  for (const [id, device] of devicesMap(doc)) {
    const owner = device.get('owner')
    if (typeof owner === 'string' && owners.has(owner)) devices.add(id)
  }
  const sends = new Set(sendIds)
  for (const [id, send] of sendsMap(doc)) if (owners.has(send?.from) || owners.has(send?.to)) sends.add(id)
  for (const [id, point] of automationMap(doc))
    if (automationTargetIn(point?.target, owners, devices, sends)) automationMap(doc).delete(id)
  for (const id of devices) devicesMap(doc).delete(id)
  for (const id of sends) sendsMap(doc).delete(id)
}

/** A chain's owner must be a track, a bus or the master. */
export const requireChainOwner = (doc: Y.Doc, owner: string): void => {
  if (owner === MASTER) return
  if (typeof owner === 'string' && (tracksMap(doc).has(owner) || busesMap(doc).has(owner))) return
  throw new SongError('track_not_found', `No track or bus with id ${String(owner)}`)
}

/** The owner's devices, in chain order. */
export const chainOf = (doc: Y.Doc, owner: string): DeviceSnapshot[] =>
  [...devicesMap(doc).entries()]
    .filter(([, device]) => deviceOwner(device) === owner)
    .map(([id, device]) => readDeviceFields(id, device))
    .sort(compareOrdered)
