import type * as Y from 'yjs'
import { z } from 'zod'
import { copyAudioClips } from './audio-clips'
import { copyClip } from './clips'
import { SongError } from './errors'
import { newId } from './ids'
import { type Placement, placeAmong } from './order'
import type { EditOrigin } from './origins'
import { type Track, TrackSchema } from './schema'
import {
  chainOf,
  clipsOf,
  commit,
  compareTracks,
  createDeviceMap,
  createTrackMap,
  deleteAttached,
  devicesMap,
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

/** Order keys that put `count` tracks at `index` among the others (see placeAmong). */
export const placeAt = (
  doc: Y.Doc,
  index: number | undefined,
  excludeId: string | null,
  count = 1,
): Placement =>
  placeAmong(
    orderedTracks(doc).filter((t) => t.id !== excludeId),
    index,
    'Track',
    count,
  )

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

/** Copies a track, its clips, notes and insert chain under new ids, right below the original. */
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
  // The copy sounds like the original: its insert chain comes along (new device ids, same settings).
  const devices = chainOf(doc, trackId).map((d) => ({
    ...d,
    id: newId(),
    owner: id,
    params: { ...d.params },
  }))
  commit(doc, origin, () => {
    applyRekey(doc, placement.rekey)
    const y = createTrackMap(copy)
    tracksMap(doc).set(id, y)
    for (const clip of clips) clipsOf(y).set(clip.id, clip.y)
    for (const device of devices) devicesMap(doc).set(device.id, createDeviceMap(device))
  })
  return { trackId: id, clipIds: clips.map((c) => c.id) }
}

export const deleteTracks = (doc: Y.Doc, origin: EditOrigin, trackIds: readonly string[]): void => {
  if (!Array.isArray(trackIds)) throw new SongError('invalid_value', 'trackIds must be an array')
  for (const id of trackIds) requireTrack(doc, id)
  commit(doc, origin, () => {
    deleteAttached(doc, new Set(trackIds))
    for (const id of trackIds) tracksMap(doc).delete(id)
  })
}

export const deleteTrack = (doc: Y.Doc, origin: EditOrigin, trackId: string): void =>
  deleteTracks(doc, origin, [trackId])
