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
import { SongError } from './errors'
import { AiAcceptedOrigin, type EditOrigin, RestoreOrigin, SystemOrigin, UserOrigin } from './origins'
import {
  type AudioAsset,
  type AudioClip,
  type Clip,
  DEFAULT_META,
  MAX_MOVED_FROM,
  type Meta,
  type Note,
  SONG_SCHEMA_VERSION,
  type Track,
} from './schema'

export type YRecord = Y.Map<unknown>

export const META = 'meta'
export const TRACKS = 'tracks'
export const ASSETS = 'assets'

export const metaMap = (doc: Y.Doc): YRecord => doc.getMap<unknown>(META)
export const tracksMap = (doc: Y.Doc): Y.Map<YRecord> => doc.getMap<YRecord>(TRACKS)
export const clipsOf = (track: YRecord): Y.Map<YRecord> => track.get('clips') as Y.Map<YRecord>
export const notesOf = (clip: YRecord): Y.Map<Note> => clip.get('notes') as Y.Map<Note>
export const assetsMap = (doc: Y.Doc): Y.Map<AudioAsset> => doc.getMap<AudioAsset>(ASSETS)

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
  return Array.isArray(movedFrom) ? { ...fields, movedFrom: movedFrom as string[] } : fields
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
export const compareTracks = (a: Track, b: Track): number =>
  a.order < b.order ? -1 : a.order > b.order ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
