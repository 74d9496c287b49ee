import type * as Y from 'yjs'
import { SongError } from './errors'
import { type PlacedNote, readMeta, readNotesInRange, readTracks } from './read'
import { MAX_TICK, type Meta, type TrackKind } from './schema'

export interface WindowTrack {
  readonly id: string
  readonly name: string
  readonly kind: TrackKind
  readonly instrument: string | null
  readonly mute: boolean
  /** Played notes starting in the window, absolute ticks, sorted by start then pitch. */
  readonly notes: readonly PlacedNote[]
}

/** What an AI plugin gets to see: the target track's window, and every other track in it as context. */
export interface SongWindow {
  readonly fromTick: number
  readonly toTick: number
  readonly meta: Meta
  readonly track: WindowTrack
  /** The other tracks, in display order (audio tracks included, with no notes). */
  readonly context: readonly WindowTrack[]
}

/** Reads [fromTick, toTick) of a track, plus the other tracks over the same span. */
export const readWindow = (doc: Y.Doc, trackId: string, fromTick: number, toTick: number): SongWindow => {
  const valid =
    Number.isInteger(fromTick) &&
    Number.isInteger(toTick) &&
    fromTick >= 0 &&
    fromTick < toTick &&
    toTick <= MAX_TICK
  if (!valid) throw new SongError('out_of_range', `Window [${fromTick}, ${toTick}) is not a valid tick range`)
  const tracks = readTracks(doc)
  if (!tracks.some((t) => t.id === trackId))
    throw new SongError('track_not_found', `No track with id ${trackId}`)
  const windowed = tracks.map(
    (t): WindowTrack => ({
      id: t.id,
      name: t.name,
      kind: t.kind,
      instrument: t.instrument,
      mute: t.mute,
      notes: readNotesInRange(doc, t.id, fromTick, toTick),
    }),
  )
  return {
    fromTick,
    toTick,
    meta: readMeta(doc),
    track: windowed.find((t) => t.id === trackId)!,
    context: windowed.filter((t) => t.id !== trackId),
  }
}
