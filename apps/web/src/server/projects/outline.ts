import { readSong, ticksPerBar } from '@ensemble/core'
import * as Y from 'yjs'

/**
 * What the song list draws of a song: each track's clips as blocks on one timeline, in the track's
 * colour. No notes and no names, and bounded, so a big song costs the list no more than a small one.
 */
export interface SongOutline {
  /** Ticks in one bar of the song's time signature, for bar lines. */
  readonly barTicks: number
  /** Where the last clip ends (0 without clips). */
  readonly endTick: number
  readonly tracks: readonly OutlineTrack[]
}

export interface OutlineTrack {
  readonly colour: string
  readonly clips: readonly { readonly start: number; readonly length: number }[]
}

/** A thumbnail shows no more than this; the rest of a large song is left out. */
const MAX_TRACKS = 8
const MAX_CLIPS = 64

export function songOutline(state: Uint8Array): SongOutline {
  const doc = new Y.Doc()
  try {
    Y.applyUpdate(doc, state)
    const song = readSong(doc)
    const tracks = song.tracks.slice(0, MAX_TRACKS).map((t) => ({
      colour: t.colour,
      clips: t.clips.slice(0, MAX_CLIPS).map((c) => ({ start: c.start, length: c.length })),
    }))
    const endTick = tracks.reduce(
      (end, t) => t.clips.reduce((e, c) => Math.max(e, c.start + c.length), end),
      0,
    )
    return { barTicks: ticksPerBar(song.meta.timeSignature), endTick, tracks }
  } finally {
    doc.destroy()
  }
}
