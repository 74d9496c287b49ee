import type * as Y from 'yjs'
import { SongError } from './errors'
import { type PlacedNote, playedNotes, readMeta, readTracks } from './read'
import { MAX_TICK, type Meta, type TrackKind } from './schema'

export interface WindowTrack {
  readonly id: string
  readonly name: string
  readonly kind: TrackKind
  readonly instrument: string | null
  readonly mute: boolean
  /**
   * Played notes sounding in the window, absolute ticks, cut to [fromTick, toTick): a chord held from before
   * the window shows up starting at fromTick. Sorted by start, then pitch.
   */
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
      notes: t.clips
        .filter((c) => c.start < toTick && c.start + c.length > fromTick)
        .flatMap(playedNotes)
        .filter((n) => n.start < toTick && n.start + n.duration > fromTick)
        .map((n) => {
          const start = Math.max(n.start, fromTick)
          return { ...n, start, duration: Math.min(n.start + n.duration, toTick) - start }
        })
        .sort((a, b) => a.start - b.start || a.pitch - b.pitch || (a.id < b.id ? -1 : 1)),
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
