import { generateNKeysBetween } from 'fractional-indexing'
import type * as Y from 'yjs'
import { z } from 'zod'
import { copyAudioClips } from './audio-clips'
import { copyClip } from './clips'
import { SongError } from './errors'
import { newId } from './ids'
import type { EditOrigin } from './origins'
import { type Track, TrackSchema } from './schema'
import {
  clipsOf,
  commit,
  compareTracks,
  createTrackMap,
  midiClips,
  parse,
  readTrackFields,
  requireTrack,
  tracksMap,
} from './ydoc'

/** Cycled for new tracks so neighbours differ without the user choosing. */
export const TRACK_COLOURS = [
  '#e5484d',
  '#f76b15',
  '#ffc53d',
  '#46a758',
  '#12a594',
  '#0090ff',
  '#6e56cf',
  '#d6409f',
]

const AddTrackInput = TrackSchema.omit({ id: true, order: true })
  .partial()
  .extend({
    kind: TrackSchema.shape.kind,
    /** Position in the ordered track list; default is the end. */
    index: z.int().min(0).optional(),
  })
export type AddTrackInput = z.input<typeof AddTrackInput>

const orderedTracks = (doc: Y.Doc): Track[] =>
  [...tracksMap(doc).entries()].map(([id, y]) => readTrackFields(id, y)).sort(compareTracks)

interface Placement {
  /** `count` ascending keys for the tracks being placed. */
  readonly keys: readonly string[]
  /** Fresh keys for the other tracks, when the neighbours' keys left no room (a tie from concurrent inserts). */
  readonly rekey: ReadonlyMap<string, string>
}

/**
 * Finds order keys that put `count` tracks at `index` among the others. Two replicas inserting at the same
 * spot produce equal keys; the id tie-break keeps that deterministic, but nothing fits strictly between two
 * equal keys, so then every track gets a fresh, evenly spaced key in the same transaction.
 */
export const placeAt = (
  doc: Y.Doc,
  index: number | undefined,
  excludeId: string | null,
  count = 1,
): Placement => {
  const others = orderedTracks(doc).filter((t) => t.id !== excludeId)
  const at = index ?? others.length
  if (!Number.isInteger(at) || at < 0 || at > others.length) {
    throw new SongError('out_of_range', `Track index ${at} is outside 0..${others.length}`)
  }
  const prev = others[at - 1]?.order ?? null
  const next = others[at]?.order ?? null
  try {
    return { keys: generateNKeysBetween(prev, next, count), rekey: new Map() }
  } catch {
    const keys = generateNKeysBetween(null, null, others.length + count)
    const rekey = new Map(others.map((t, i) => [t.id, keys[i < at ? i : i + count]!]))
    return { keys: keys.slice(at, at + count), rekey }
  }
}

export const applyRekey = (doc: Y.Doc, rekey: ReadonlyMap<string, string>): void => {
  for (const [id, key] of rekey) tracksMap(doc).get(id)?.set('order', key)
}

export const addTrack = (doc: Y.Doc, origin: EditOrigin, input: AddTrackInput): string => {
  const { index, ...fields } = parse(AddTrackInput, input, 'track')
  const id = newId()
  const placement = placeAt(doc, index, null)
  const track = parse(
    TrackSchema,
    {
      name: fields.kind === 'drums' ? 'Drums' : 'Track',
      instrument: null,
      colour: TRACK_COLOURS[tracksMap(doc).size % TRACK_COLOURS.length],
      volumeDb: 0,
      pan: 0,
      mute: false,
      solo: false,
      ...fields,
      id,
      order: placement.keys[0]!,
    },
    'track',
  )
  commit(doc, origin, () => {
    applyRekey(doc, placement.rekey)
    tracksMap(doc).set(id, createTrackMap(track))
  })
  return id
}

export const renameTrack = (doc: Y.Doc, origin: EditOrigin, trackId: string, name: string): void => {
  const track = requireTrack(doc, trackId)
  const value = parse(TrackSchema.shape.name, name, 'track name')
  commit(doc, origin, () => track.set('name', value))
}

/** Moves a track to `index` in the ordered list (the index it will have afterwards). */
export const reorderTrack = (doc: Y.Doc, origin: EditOrigin, trackId: string, index: number): void => {
  const track = requireTrack(doc, trackId)
  const at = parse(z.int().min(0), index, 'track index')
  const placement = placeAt(doc, at, trackId)
  commit(doc, origin, () => {
    applyRekey(doc, placement.rekey)
    track.set('order', placement.keys[0]!)
  })
}

/** Copies a track, its clips and notes under new ids, right below the original. */
export const duplicateTrack = (
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
): { trackId: string; clipIds: string[] } => {
  const source = requireTrack(doc, trackId)
  const fields = readTrackFields(trackId, source)
  const index = orderedTracks(doc).findIndex((t) => t.id === trackId) + 1
  const placement = placeAt(doc, index, null)
  const id = newId()
  const copy: Track = { ...fields, id, name: `${fields.name} copy`.slice(0, 200), order: placement.keys[0]! }
  const clips = [
    ...midiClips(source).map(([clipId, clip]) => copyClip(clipId, clip, {})),
    ...copyAudioClips(source),
  ]
  commit(doc, origin, () => {
    applyRekey(doc, placement.rekey)
    const y = createTrackMap(copy)
    tracksMap(doc).set(id, y)
    for (const clip of clips) clipsOf(y).set(clip.id, clip.y)
  })
  return { trackId: id, clipIds: clips.map((c) => c.id) }
}

export const deleteTracks = (doc: Y.Doc, origin: EditOrigin, trackIds: readonly string[]): void => {
  if (!Array.isArray(trackIds)) throw new SongError('invalid_value', 'trackIds must be an array')
  for (const id of trackIds) requireTrack(doc, id)
  commit(doc, origin, () => {
    for (const id of trackIds) tracksMap(doc).delete(id)
  })
}

export const deleteTrack = (doc: Y.Doc, origin: EditOrigin, trackId: string): void =>
  deleteTracks(doc, origin, [trackId])
