/**
 * A dense band arrangement built through core's operations, for the studio benchmarks: 16 tracks (drums,
 * bass, keys, pads, plucks, leads) playing for the whole song, one clip a track. `bars` at 120 bpm in 4/4
 * (90 bars = 3 minutes). Deterministic: the same arguments give the same song.
 */
import {
  type AddTrackInput,
  addClip,
  addTrack,
  createSongDoc,
  type EditOrigin,
  GM_DRUM,
  type NoteInput,
  PPQ,
  ticksPerBar,
  UserOrigin,
} from '@ensemble/core'
import type * as Y from 'yjs'

const BAR = ticksPerBar({ numerator: 4, denominator: 4 })
const user = new UserOrigin('bench')

/** A minor-ish progression, as chord roots in semitones above the key's tonic (C). */
const ROOTS = [0, 9, 5, 7]
const TRIAD = [0, 4, 7]

type Part = (bar: number, root: number) => NoteInput[]

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

const parts: Record<string, Part> = {
  // Kick on 1 and 3, snare on 2 and 4, closed hats on every 8th, a crash every 8 bars.
  drums: (bar) => [
    ...[0, 2].map((b) => ({ pitch: GM_DRUM.kick, start: b * PPQ, duration: 60, velocity: 110 })),
    ...[1, 3].map((b) => ({ pitch: GM_DRUM.snare, start: b * PPQ, duration: 60, velocity: 100 })),
    ...range(8).map((i) => ({
      pitch: GM_DRUM.closedHat,
      start: (i * PPQ) / 2,
      duration: 30,
      velocity: 70 + (i % 2) * 20,
    })),
    ...(bar % 8 === 0 ? [{ pitch: GM_DRUM.crash, start: 0, duration: 60, velocity: 100 }] : []),
  ],
  percussion: () => [
    ...range(16).map((i) => ({ pitch: GM_DRUM.pedalHat, start: (i * PPQ) / 4, duration: 20, velocity: 60 })),
    ...[1.5, 3.5].map((b) => ({ pitch: GM_DRUM.clap, start: b * PPQ, duration: 40, velocity: 90 })),
  ],
  bass: (_bar, root) =>
    range(8).map((i) => ({
      pitch: 36 + root + (i % 4 === 3 ? 7 : 0),
      start: (i * PPQ) / 2,
      duration: PPQ / 2 - 20,
      velocity: 100,
    })),
  keys: (_bar, root) =>
    range(4).flatMap((b) =>
      TRIAD.map((t) => ({ pitch: 60 + root + t, start: b * PPQ, duration: PPQ - 40, velocity: 80 })),
    ),
  pad: (_bar, root) => TRIAD.map((t) => ({ pitch: 52 + root + t, start: 0, duration: BAR, velocity: 70 })),
  pluck: (bar, root) =>
    range(8).map((i) => ({
      pitch: 72 + root + TRIAD[(i + bar) % 3]!,
      start: (i * PPQ) / 2,
      duration: PPQ / 2,
      velocity: 85,
    })),
  lead: (bar, root) =>
    range(4).map((i) => ({
      pitch: 76 + root + TRIAD[(i * 2 + bar) % 3]!,
      start: i * PPQ,
      duration: PPQ,
      velocity: 90,
    })),
}

const TRACKS: readonly (readonly [string, AddTrackInput['kind'], string | null, number])[] = [
  ['drums', 'drums', 'drum-kit', -2],
  ['percussion', 'drums', 'drum-kit', -8],
  ['bass', 'instrument', 'bass', -2],
  ['bass', 'instrument', 'bass', -10],
  ['keys', 'instrument', 'piano', -6],
  ['keys', 'instrument', 'piano', -10],
  ['keys', 'instrument', 'piano', -12],
  ['pad', 'instrument', 'pad', -6],
  ['pad', 'instrument', 'pad', -10],
  ['pluck', 'instrument', 'pluck', -8],
  ['pluck', 'instrument', 'pluck', -12],
  ['pluck', 'instrument', 'pluck', -14],
  ['lead', 'instrument', 'lead', -6],
  ['lead', 'instrument', 'lead', -12],
  ['keys', 'instrument', 'piano', -14],
  ['pad', 'instrument', 'pad', -14],
]

export interface DenseSong {
  readonly doc: Y.Doc
  readonly notes: number
  readonly tracks: number
}

/**
 * Adds the arrangement's tracks to `doc` (a song already open elsewhere, e.g. a collab client's copy) as
 * `origin`; the song's tempo is left as it is. `only` keeps the tracks of one preset; null keeps all 16.
 */
export function addDenseArrangement(
  doc: Y.Doc,
  origin: EditOrigin,
  bars: number,
  only: string | null = null,
): { readonly notes: number; readonly tracks: number } {
  let notes = 0
  let tracks = 0
  for (const [part, kind, instrument, volumeDb] of TRACKS) {
    if (only !== null && instrument !== only) continue
    const trackId = addTrack(doc, origin, { kind, name: `${part} ${tracks + 1}`, instrument, volumeDb })
    const clipNotes = range(bars).flatMap((bar) =>
      parts[part]!(bar, ROOTS[Math.floor(bar / 2) % ROOTS.length]!).map((n) => ({
        ...n,
        start: n.start + bar * BAR,
      })),
    )
    addClip(doc, origin, trackId, { start: 0, length: bars * BAR, notes: clipNotes })
    notes += clipNotes.length
    tracks++
  }
  return { notes, tracks }
}

/** The arrangement in a new song at 120 bpm; `only` as for `addDenseArrangement`. */
export function buildDenseSong(bars: number, only: string | null = null): DenseSong {
  const doc = createSongDoc({ bpm: 120 })
  return { doc, ...addDenseArrangement(doc, user, bars, only) }
}
