/*
 * Snapshot readers. Each returns plain, frozen-by-convention values, and a value is reused (same reference)
 * for as long as nothing under its Y type has changed. That structural sharing is what lets a store's
 * getSnapshot stay referentially stable and lets React skip every track, clip and note list that an edit
 * did not touch.
 */
import type * as Y from 'yjs'
import type { AudioClip, ClipSnapshot, Meta, Note, SongSnapshot, TrackSnapshot } from './schema'
import {
  clipsOf,
  compareAudioClips,
  compareClips,
  compareNotes,
  compareTracks,
  isAudioClip,
  metaMap,
  notesOf,
  readAudioClipFields,
  readClipFields,
  readMetaFields,
  readTrackFields,
  tracksMap,
  type YRecord,
} from './ydoc'

type AnyType = Y.AbstractType<unknown>

class SnapshotCache {
  readonly values = new WeakMap<object, unknown>()
  constructor(doc: Y.Doc) {
    // beforeObserverCalls runs before any observer, so no subscriber can read a stale entry.
    doc.on('beforeObserverCalls', (tr: Y.Transaction) => {
      for (const type of tr.changed.keys()) {
        let t: AnyType | null = type as AnyType
        while (t !== null) {
          this.values.delete(t)
          t = t.parent as AnyType | null
        }
      }
    })
  }
}

const caches = new WeakMap<Y.Doc, SnapshotCache>()

/** Memoizes `compute` per Y type until a transaction changes that type or anything under it. */
export const cached = <T>(doc: Y.Doc, type: object, compute: () => T): T => {
  // Mid-transaction the cache may be behind the doc (invalidation happens at commit), so read directly.
  if (doc._transaction !== null) return compute()
  let cache = caches.get(doc)
  if (cache === undefined) {
    cache = new SnapshotCache(doc)
    caches.set(doc, cache)
  }
  if (cache.values.has(type)) return cache.values.get(type) as T
  const value = compute()
  cache.values.set(type, value)
  return value
}

const notesSnapshot = (doc: Y.Doc, notes: Y.Map<Note>): readonly Note[] =>
  cached(doc, notes, () => [...notes.values()].sort(compareNotes))

const clipSnapshot = (doc: Y.Doc, id: string, clip: YRecord): ClipSnapshot =>
  cached(doc, clip, () => ({ ...readClipFields(id, clip), notes: notesSnapshot(doc, notesOf(clip)) }))

const audioClipSnapshot = (doc: Y.Doc, id: string, clip: YRecord): AudioClip =>
  cached(doc, clip, () => readAudioClipFields(id, clip))

/** MIDI and audio clips share the track's clips map; each list keeps its identity while its clips do. */
interface ClipLists {
  readonly clips: readonly ClipSnapshot[]
  readonly audioClips: readonly AudioClip[]
}

const previousLists = new WeakMap<object, ClipLists>()

const sameItems = <T>(a: readonly T[], b: readonly T[]): boolean =>
  a.length === b.length && a.every((item, i) => item === b[i])

const clipLists = (doc: Y.Doc, track: YRecord): ClipLists => {
  const map = clipsOf(track)
  return cached(doc, map, () => {
    const clips: ClipSnapshot[] = []
    const audioClips: AudioClip[] = []
    for (const [clipId, clip] of map.entries()) {
      if (isAudioClip(clip)) audioClips.push(audioClipSnapshot(doc, clipId, clip))
      else clips.push(clipSnapshot(doc, clipId, clip))
    }
    clips.sort(compareClips)
    audioClips.sort(compareAudioClips)
    const before = previousLists.get(map)
    const lists = {
      clips: before !== undefined && sameItems(before.clips, clips) ? before.clips : clips,
      audioClips:
        before !== undefined && sameItems(before.audioClips, audioClips) ? before.audioClips : audioClips,
    }
    previousLists.set(map, lists)
    return lists
  })
}

const trackSnapshot = (doc: Y.Doc, id: string, track: YRecord): TrackSnapshot =>
  cached(doc, track, () => ({ ...readTrackFields(id, track), ...clipLists(doc, track) }))

export const readMeta = (doc: Y.Doc): Meta => {
  const meta = metaMap(doc)
  return cached(doc, meta, () => readMetaFields(meta))
}

/** Tracks in display order: by fractional order key, ties by id. */
export const readTracks = (doc: Y.Doc): readonly TrackSnapshot[] => {
  const tracks = tracksMap(doc)
  return cached(doc, tracks, () =>
    [...tracks.entries()].map(([id, track]) => trackSnapshot(doc, id, track)).sort(compareTracks),
  )
}

export const readTrack = (doc: Y.Doc, trackId: string): TrackSnapshot | undefined => {
  const track = tracksMap(doc).get(trackId)
  return track === undefined ? undefined : trackSnapshot(doc, trackId, track)
}

/** A clip with its notes sorted by start, then pitch (then id, so equal notes still sort the same). */
export const readClip = (doc: Y.Doc, trackId: string, clipId: string): ClipSnapshot | undefined => {
  const track = tracksMap(doc).get(trackId)
  const clip = track === undefined ? undefined : clipsOf(track).get(clipId)
  return clip === undefined || isAudioClip(clip) ? undefined : clipSnapshot(doc, clipId, clip)
}

export const readAudioClip = (doc: Y.Doc, trackId: string, clipId: string): AudioClip | undefined => {
  const track = tracksMap(doc).get(trackId)
  const clip = track === undefined ? undefined : clipsOf(track).get(clipId)
  return clip === undefined || !isAudioClip(clip) ? undefined : audioClipSnapshot(doc, clipId, clip)
}

const songs = new WeakMap<Y.Doc, SongSnapshot>()

export const readSong = (doc: Y.Doc): SongSnapshot => {
  const meta = readMeta(doc)
  const tracks = readTracks(doc)
  const previous = songs.get(doc)
  if (previous !== undefined && previous.meta === meta && previous.tracks === tracks) return previous
  const song = { meta, tracks }
  songs.set(doc, song)
  return song
}

/** A note placed on the song timeline: `start` is absolute, and it says which clip it came from. */
export interface PlacedNote extends Note {
  readonly clipId: string
}

/**
 * The notes a clip actually plays, on the song timeline: repeats of a looping clip are unrolled, notes are
 * cut at the clip end (and at the loop end when looping), and notes past the end are dropped.
 */
export const playedNotes = (clip: ClipSnapshot): PlacedNote[] => {
  const period = clip.loopLength ?? clip.length
  const out: PlacedNote[] = []
  for (let offset = 0; offset < clip.length; offset += period) {
    for (const note of clip.notes) {
      if (note.start >= period) continue
      const at = offset + note.start
      if (at >= clip.length) continue
      const end = Math.min(at + note.duration, offset + period, clip.length)
      out.push({ ...note, start: clip.start + at, duration: end - at, clipId: clip.id })
    }
  }
  return out
}

/** Played notes of a track that start in [fromTick, toTick), sorted by start then pitch. */
export const readNotesInRange = (
  doc: Y.Doc,
  trackId: string,
  fromTick: number,
  toTick: number,
): PlacedNote[] => {
  const track = readTrack(doc, trackId)
  if (track === undefined) return []
  return track.clips
    .filter((c) => c.start < toTick && c.start + c.length > fromTick)
    .flatMap(playedNotes)
    .filter((n) => n.start >= fromTick && n.start < toTick)
    .sort(compareNotes)
}
