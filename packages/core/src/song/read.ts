/*
 * Snapshot readers. Each returns plain, frozen-by-convention values, and a value is reused (same reference)
 * for as long as nothing under its Y type has changed. That structural sharing is what lets a store's
 * getSnapshot stay referentially stable and lets React skip every track, clip and note list that an edit
 * did not touch.
 */
import type * as Y from 'yjs'
import { laneKey } from './automation'
import {
  type AudioClip,
  type AutomationLane,
  type AutomationPoint,
  AutomationPointSchema,
  type Bus,
  type BusSnapshot,
  type ChainPreset,
  type ClipSnapshot,
  type DeviceSnapshot,
  MASTER,
  type Meta,
  type MixerSnapshot,
  type Note,
  type Send,
  type SongSnapshot,
  type TrackSnapshot,
} from './schema'
import {
  automationMap,
  automationTargetIn,
  busesMap,
  clipsOf,
  compareAudioClips,
  compareClips,
  compareNotes,
  compareOrdered,
  compareTracks,
  deviceOwner,
  devicesMap,
  isAudioClip,
  metaMap,
  notesOf,
  presetsMap,
  readAudioClipFields,
  readBusFields,
  readClipFields,
  readDeviceFields,
  readMetaFields,
  readTrackFields,
  sendsMap,
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

const deviceSnapshot = (doc: Y.Doc, id: string, device: YRecord): DeviceSnapshot =>
  cached(doc, device, () => readDeviceFields(id, device))

/** Every device by owner, each chain sorted; unchanged devices keep their snapshot. */
const chainsByOwner = (doc: Y.Doc): ReadonlyMap<string, readonly DeviceSnapshot[]> => {
  const devices = devicesMap(doc)
  return cached(doc, devices, () => {
    const byOwner = new Map<string, DeviceSnapshot[]>()
    for (const [id, device] of devices.entries()) {
      const owner = deviceOwner(device)
      if (owner === null) continue
      const chain = byOwner.get(owner)
      const snapshot = deviceSnapshot(doc, id, device)
      if (chain === undefined) byOwner.set(owner, [snapshot])
      else chain.push(snapshot)
    }
    for (const chain of byOwner.values()) chain.sort(compareOrdered)
    return byOwner
  })
}

const readBuses = (doc: Y.Doc): readonly Bus[] => {
  const buses = busesMap(doc)
  return cached(doc, buses, () =>
    [...buses.entries()]
      .map(([id, bus]) => cached(doc, bus, () => readBusFields(id, bus)))
      .sort(compareOrdered),
  )
}

const byId = <T extends { readonly id: string }>(a: T, b: T): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0

const readSends = (doc: Y.Doc): readonly Send[] => {
  const sends = sendsMap(doc)
  return cached(doc, sends, () => [...sends.values()].sort(byId))
}

const comparePoints = (a: AutomationPoint, b: AutomationPoint): number => a.tick - b.tick || byId(a, b)

const readLanes = (doc: Y.Doc): readonly AutomationLane[] => {
  const points = automationMap(doc)
  return cached(doc, points, () => {
    const lanes = new Map<string, AutomationLane & { points: AutomationPoint[] }>()
    for (const point of points.values()) {
      // Only points the server let through are here, but a lane must never throw on a stray value.
      if (!AutomationPointSchema.safeParse(point).success) continue
      const key = laneKey(point.target)
      const lane = lanes.get(key)
      if (lane === undefined) lanes.set(key, { key, target: point.target, points: [point] })
      else lane.points.push(point)
    }
    for (const lane of lanes.values()) lane.points.sort(comparePoints)
    return [...lanes.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  })
}

const readPresets = (doc: Y.Doc): readonly ChainPreset[] => {
  const presets = presetsMap(doc)
  return cached(doc, presets, () =>
    [...presets.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : byId(a, b))),
  )
}

interface MixerParts {
  readonly tracks: readonly TrackSnapshot[]
  readonly chains: ReadonlyMap<string, readonly DeviceSnapshot[]>
  readonly buses: readonly Bus[]
  readonly sends: readonly Send[]
  readonly lanes: readonly AutomationLane[]
  readonly presets: readonly ChainPreset[]
}

const mixers = new WeakMap<Y.Doc, { readonly parts: MixerParts; readonly mixer: MixerSnapshot }>()

/** Whether a lane's target is attached to something in the song (see MixerSnapshot). */

/** Effects, buses, sends, automation and presets: only what is attached to a track, a bus or the master. */
export const readMixer = (doc: Y.Doc): MixerSnapshot => {
  const parts: MixerParts = {
    tracks: readTracks(doc),
    chains: chainsByOwner(doc),
    buses: readBuses(doc),
    sends: readSends(doc),
    lanes: readLanes(doc),
    presets: readPresets(doc),
  }
  const previous = mixers.get(doc)
  if (
    previous !== undefined &&
    (Object.keys(parts) as (keyof MixerParts)[]).every((key) => previous.parts[key] === parts[key])
  )
    return previous.mixer
  const trackIds = new Set(parts.tracks.map((t) => t.id))
  const busIds = new Set(parts.buses.map((b) => b.id))
  const chains: Record<string, readonly DeviceSnapshot[]> = {}
  // In track order, so every replica builds the same object (a Y.Map iterates in local insertion order).
  for (const track of parts.tracks) {
    const chain = parts.chains.get(track.id)
    if (chain !== undefined) chains[track.id] = chain
  }
  const buses: BusSnapshot[] = parts.buses.map((bus) => ({ ...bus, devices: parts.chains.get(bus.id) ?? [] }))
  const master = parts.chains.get(MASTER) ?? []
  const sends = parts.sends.filter((s) => trackIds.has(s.from) && busIds.has(s.to))
  const owners = new Set([...trackIds, ...busIds])
  const devices = new Set(
    [...Object.values(chains), ...buses.map((b) => b.devices), master].flat().map((d) => d.id),
  )
  const sendIds = new Set(sends.map((s) => s.id))
  const automation = parts.lanes.filter((lane) => automationTargetIn(lane.target, owners, devices, sendIds))
  const mixer: MixerSnapshot = { chains, buses, master, sends, automation, presets: parts.presets }
  mixers.set(doc, { parts, mixer })
  return mixer
}

const songs = new WeakMap<Y.Doc, SongSnapshot>()

export const readSong = (doc: Y.Doc): SongSnapshot => {
  const meta = readMeta(doc)
  const tracks = readTracks(doc)
  const mixer = readMixer(doc)
  const previous = songs.get(doc)
  if (
    previous !== undefined &&
    previous.meta === meta &&
    previous.tracks === tracks &&
    previous.mixer === mixer
  )
    return previous
  const song = { meta, tracks, mixer }
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
