import type * as Y from 'yjs'
import type { EditOrigin } from './origins'
import { type Track, TrackSchema } from './schema'
import { commit, parse, requireTrack } from './ydoc'

type MixField = 'volumeDb' | 'pan' | 'mute' | 'solo' | 'instrument' | 'colour'

const setField = <K extends MixField>(
  doc: Y.Doc,
  origin: EditOrigin,
  trackId: string,
  field: K,
  value: Track[K],
): void => {
  const track = requireTrack(doc, trackId)
  const parsed = parse(TrackSchema.shape[field], value, field)
  commit(doc, origin, () => track.set(field, parsed))
}

/** Decibels, MIN_VOLUME_DB (silent) to MAX_VOLUME_DB. */
export const setVolume = (doc: Y.Doc, origin: EditOrigin, trackId: string, volumeDb: number) =>
  setField(doc, origin, trackId, 'volumeDb', volumeDb)

/** -1 is hard left, 1 hard right. */
export const setPan = (doc: Y.Doc, origin: EditOrigin, trackId: string, pan: number) =>
  setField(doc, origin, trackId, 'pan', pan)

export const setMute = (doc: Y.Doc, origin: EditOrigin, trackId: string, mute: boolean) =>
  setField(doc, origin, trackId, 'mute', mute)

export const setSolo = (doc: Y.Doc, origin: EditOrigin, trackId: string, solo: boolean) =>
  setField(doc, origin, trackId, 'solo', solo)

/** An instrument preset id, or null to clear it. */
export const setInstrument = (doc: Y.Doc, origin: EditOrigin, trackId: string, instrument: string | null) =>
  setField(doc, origin, trackId, 'instrument', instrument)

export const setColour = (doc: Y.Doc, origin: EditOrigin, trackId: string, colour: string) =>
  setField(doc, origin, trackId, 'colour', colour)
