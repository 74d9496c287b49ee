/*
 * What an edit changed, in the song's own terms: "added a clip to Drums", "tempo 96 → 100", "accepted the
 * Harmonizer's proposal". The server classifies each logged update with `listChanges` (the doc before it,
 * plus the update) and summarises a member's missed edits with `summariseChanges`; nothing here diffs Yjs
 * internals, only the snapshot readers' values, whose structural sharing makes an untouched track or clip
 * cost one identity check.
 *
 * A change is plain JSON with a zod schema: the server stores classified changes (see the web app's
 * `server/changes/`) and validates them when it reads them back.
 */
import * as Y from 'yjs'
import { z } from 'zod'
import { KeySchema, TimeSignatureSchema } from '../music/schemas'
import { audioClipEnd } from './audio-span'
import { type Proposal, readProposals } from './proposals'
import { readMeta, readMixer, readTracks } from './read'
import {
  type AudioClip,
  type ClipSnapshot,
  type DeviceSnapshot,
  MASTER,
  type Meta,
  MetaSchema,
  type MixerSnapshot,
  type TrackSnapshot,
} from './schema'

const id = z.string().min(1).max(64)
const tick = z.int().min(0)
/** Note ids kept per change for highlighting; a bigger edit highlights its range instead. */
export const MAX_HIGHLIGHTED_NOTES = 200

const trackRef = { trackId: id, trackName: z.string().max(200) }
const clipRef = { ...trackRef, clipId: id, clipName: z.string().max(200), start: tick, end: tick }

export const MIXER_FIELDS = ['volumeDb', 'pan', 'mute', 'solo', 'instrument', 'colour'] as const
export type MixerField = (typeof MIXER_FIELDS)[number]
const mixerValue = z.union([z.number(), z.boolean(), z.string(), z.null()])

const proposalRef = {
  proposalId: id,
  ...trackRef,
  pluginId: z.string().min(1).max(200),
  pluginName: z.string().min(1).max(200),
  runId: id.nullable(),
  requestedBy: id,
  start: tick,
  end: tick,
}

export const SongChangeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('title'), from: MetaSchema.shape.title, to: MetaSchema.shape.title }),
  z.strictObject({ kind: z.literal('tempo'), from: MetaSchema.shape.bpm, to: MetaSchema.shape.bpm }),
  z.strictObject({ kind: z.literal('time-signature'), from: TimeSignatureSchema, to: TimeSignatureSchema }),
  z.strictObject({ kind: z.literal('key'), from: KeySchema, to: KeySchema }),
  z.strictObject({ kind: z.literal('track-added'), ...trackRef }),
  z.strictObject({ kind: z.literal('track-removed'), ...trackRef }),
  z.strictObject({ kind: z.literal('track-renamed'), ...trackRef, from: z.string().max(200) }),
  z.strictObject({
    kind: z.literal('mixer'),
    ...trackRef,
    field: z.enum(MIXER_FIELDS),
    from: mixerValue,
    to: mixerValue,
  }),
  z.strictObject({ kind: z.literal('clip-added'), ...clipRef, notes: z.int().min(0) }),
  z.strictObject({ kind: z.literal('clip-removed'), ...clipRef }),
  /** Moved in time, or to another track (`fromTrackId`: core re-creates a clip that changes track). */
  z.strictObject({ kind: z.literal('clip-moved'), ...clipRef, fromStart: tick, fromTrackId: id.nullable() }),
  z.strictObject({ kind: z.literal('clip-resized'), ...clipRef, fromEnd: tick }),
  z.strictObject({ kind: z.literal('clip-renamed'), ...clipRef, from: z.string().max(200) }),
  /** Notes added, removed or changed in one clip; `start`/`end` span them on the song timeline. */
  z.strictObject({
    kind: z.literal('notes'),
    ...clipRef,
    added: z.int().min(0),
    removed: z.int().min(0),
    changed: z.int().min(0),
    noteIds: z.array(id).max(MAX_HIGHLIGHTED_NOTES),
  }),
  /**
   * A chain's effects added, removed or changed (parameters, bypass, order). `trackId` names the chain's
   * owner: a track, a bus, or MASTER; `trackName` is that track's or bus's name, or "Master".
   */
  z.strictObject({
    kind: z.literal('effects'),
    ...trackRef,
    added: z.int().min(0),
    removed: z.int().min(0),
    changed: z.int().min(0),
  }),
  z.strictObject({ kind: z.literal('proposal-accepted'), ...proposalRef }),
  z.strictObject({ kind: z.literal('proposal-discarded'), ...proposalRef }),
])
export type SongChange = z.infer<typeof SongChangeSchema>
export type SongChangeKind = SongChange['kind']

/** What the classifier compares: the snapshot readers' values (shared while unchanged). */
export interface SongState {
  readonly meta: Meta
  readonly tracks: readonly TrackSnapshot[]
  readonly proposals: readonly Proposal[]
  readonly mixer: MixerSnapshot
}

export const readSongState = (doc: Y.Doc): SongState => ({
  meta: readMeta(doc),
  tracks: readTracks(doc),
  proposals: readProposals(doc),
  mixer: readMixer(doc),
})

/**
 * Applies `update` to `doc` (which must hold the song as it was just before it) and lists what it changed.
 * `origin` is the transaction origin the update is applied with.
 */
export const listChanges = (doc: Y.Doc, update: Uint8Array, origin: unknown = null): SongChange[] => {
  const before = readSongState(doc)
  Y.applyUpdate(doc, update, origin)
  return diffSongStates(before, readSongState(doc))
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

export const diffSongStates = (before: SongState, after: SongState): SongChange[] => {
  const changes: SongChange[] = []
  if (before.meta !== after.meta) diffMeta(before.meta, after.meta, changes)
  if (before.tracks !== after.tracks) diffTracks(before.tracks, after.tracks, after.meta.bpm, changes)
  if (before.proposals !== after.proposals) diffProposals(before, after, changes)
  if (before.mixer !== after.mixer) diffChains(before, after, changes)
  return changes
}

/** Every chain by owner id, with the name a person knows its owner by. */
const chainsOf = (state: SongState): Map<string, { name: string; devices: readonly DeviceSnapshot[] }> => {
  const chains = new Map<string, { name: string; devices: readonly DeviceSnapshot[] }>()
  for (const [owner, devices] of Object.entries(state.mixer.chains))
    chains.set(owner, { name: state.tracks.find((t) => t.id === owner)?.name ?? '', devices })
  for (const bus of state.mixer.buses) chains.set(bus.id, { name: bus.name, devices: bus.devices })
  chains.set(MASTER, { name: 'Master', devices: state.mixer.master })
  return chains
}

/**
 * Effects per chain: devices added, removed, and changed (a parameter, the bypass switch or the position).
 * A chain that goes with its track or bus is not listed: removing the track says it.
 */
function diffChains(before: SongState, after: SongState, out: SongChange[]): void {
  const old = chainsOf(before)
  const owners = new Set([...after.tracks.map((t) => t.id), ...after.mixer.buses.map((b) => b.id), MASTER])
  for (const [owner, chain] of chainsOf(after)) {
    const was = old.get(owner)
    old.delete(owner)
    if (was?.devices === chain.devices) continue
    const previous = new Map((was?.devices ?? []).map((d) => [d.id, d]))
    let added = 0
    let changed = 0
    for (const device of chain.devices) {
      const then = previous.get(device.id)
      previous.delete(device.id)
      if (then === undefined) added++
      else if (then !== device && !sameJson(then, device)) changed++
    }
    const removed = previous.size
    if (added + removed + changed > 0)
      out.push({ kind: 'effects', trackId: owner, trackName: chain.name, added, removed, changed })
  }
  // Chains emptied whose owner is still there (the snapshot leaves a track without devices out).
  for (const [owner, chain] of old)
    if (owners.has(owner) && chain.devices.length > 0)
      out.push({
        kind: 'effects',
        trackId: owner,
        trackName: after.tracks.find((t) => t.id === owner)?.name ?? chain.name,
        added: 0,
        removed: chain.devices.length,
        changed: 0,
      })
}

function diffMeta(a: Meta, b: Meta, out: SongChange[]): void {
  if (a.title !== b.title) out.push({ kind: 'title', from: a.title, to: b.title })
  if (a.bpm !== b.bpm) out.push({ kind: 'tempo', from: a.bpm, to: b.bpm })
  if (!sameJson(a.timeSignature, b.timeSignature))
    out.push({ kind: 'time-signature', from: a.timeSignature, to: b.timeSignature })
  if (!sameJson(a.key, b.key)) out.push({ kind: 'key', from: a.key, to: b.key })
}

const clipFields = (track: TrackSnapshot, clip: ClipSnapshot) => ({
  trackId: track.id,
  trackName: track.name,
  clipId: clip.id,
  clipName: clip.name,
  start: clip.start,
  end: clip.start + clip.length,
})

/** Audio clips end at their length in seconds at the song's tempo, rounded up to a whole tick. */
const audioClipFields = (track: TrackSnapshot, clip: AudioClip, bpm: number) => ({
  trackId: track.id,
  trackName: track.name,
  clipId: clip.id,
  clipName: clip.name,
  start: clip.start,
  end: Math.ceil(audioClipEnd(clip, bpm)),
})

/**
 * Audio clips as clip changes (an added clip has no notes): "added a clip to Vocals". Take choices, gain and
 * fades are not listed; a comp shows as the clips its cuts resized and added.
 */
function diffAudioClips(
  was: TrackSnapshot | undefined,
  track: TrackSnapshot,
  bpm: number,
  out: SongChange[],
): void {
  const old = new Map((was?.audioClips ?? []).map((c) => [c.id, c]))
  for (const clip of track.audioClips) {
    const before = old.get(clip.id)
    old.delete(clip.id)
    if (before === clip) continue
    const fields = audioClipFields(track, clip, bpm)
    if (before === undefined) {
      out.push({ kind: 'clip-added', ...fields, notes: 0 })
      continue
    }
    if (before.name !== clip.name) out.push({ kind: 'clip-renamed', ...fields, from: before.name })
    if (before.start !== clip.start)
      out.push({ kind: 'clip-moved', ...fields, fromStart: before.start, fromTrackId: null })
    if (before.length !== clip.length)
      out.push({ kind: 'clip-resized', ...fields, fromEnd: audioClipFields(track, before, bpm).end })
  }
  if (was !== undefined)
    for (const clip of old.values()) out.push({ kind: 'clip-removed', ...audioClipFields(was, clip, bpm) })
}

function diffTracks(
  a: readonly TrackSnapshot[],
  b: readonly TrackSnapshot[],
  bpm: number,
  out: SongChange[],
): void {
  const old = new Map(a.map((t) => [t.id, t]))
  const removedClips: { track: TrackSnapshot; clip: ClipSnapshot }[] = []
  const addedClips: { track: TrackSnapshot; clip: ClipSnapshot }[] = []
  for (const track of b) {
    const was = old.get(track.id)
    old.delete(track.id)
    if (was === track) continue
    const ref = { trackId: track.id, trackName: track.name }
    if (was === undefined) {
      out.push({ kind: 'track-added', ...ref })
      for (const clip of track.clips) addedClips.push({ track, clip })
      diffAudioClips(undefined, track, bpm, out)
      continue
    }
    if (was.name !== track.name) out.push({ kind: 'track-renamed', ...ref, from: was.name })
    for (const field of MIXER_FIELDS) {
      if (was[field] !== track[field])
        out.push({ kind: 'mixer', ...ref, field, from: was[field], to: track[field] })
    }
    if (was.clips !== track.clips) diffClips(was, track, out, removedClips, addedClips)
    if (was.audioClips !== track.audioClips) diffAudioClips(was, track, bpm, out)
  }
  for (const track of old.values())
    out.push({ kind: 'track-removed', trackId: track.id, trackName: track.name })
  // A clip that changed track is deleted and re-created under a new id in one transaction (core's
  // moveClips): pair such deletions and additions back into moves. A move names the old id last in
  // `movedFrom`; an undone move brings the old clip back without it, so it pairs by likeness.
  for (const added of addedClips) {
    const other = (r: { track: TrackSnapshot }) => r.track.id !== added.track.id
    const named = removedClips.findIndex((r) => other(r) && added.clip.movedFrom?.at(-1) === r.clip.id)
    const i =
      named !== -1
        ? named
        : removedClips.findIndex(
            (r) =>
              other(r) &&
              r.clip.name === added.clip.name &&
              r.clip.length === added.clip.length &&
              r.clip.notes.length === added.clip.notes.length,
          )
    if (i === -1) {
      out.push({ kind: 'clip-added', ...clipFields(added.track, added.clip), notes: added.clip.notes.length })
      continue
    }
    const [from] = removedClips.splice(i, 1)
    out.push({
      kind: 'clip-moved',
      ...clipFields(added.track, added.clip),
      fromStart: from!.clip.start,
      fromTrackId: from!.track.id,
    })
  }
  // Only clips of tracks that are still there: a removed track's clips go with it, and it says so.
  for (const { track, clip } of removedClips) out.push({ kind: 'clip-removed', ...clipFields(track, clip) })
}

function diffClips(
  was: TrackSnapshot,
  track: TrackSnapshot,
  out: SongChange[],
  removed: { track: TrackSnapshot; clip: ClipSnapshot }[],
  added: { track: TrackSnapshot; clip: ClipSnapshot }[],
): void {
  const old = new Map(was.clips.map((c) => [c.id, c]))
  for (const clip of track.clips) {
    const before = old.get(clip.id)
    old.delete(clip.id)
    if (before === clip) continue
    if (before === undefined) {
      added.push({ track, clip })
      continue
    }
    const fields = clipFields(track, clip)
    if (before.name !== clip.name) out.push({ kind: 'clip-renamed', ...fields, from: before.name })
    if (before.start !== clip.start)
      out.push({ kind: 'clip-moved', ...fields, fromStart: before.start, fromTrackId: null })
    const wasEnd = before.start + before.length
    if (before.length !== clip.length || before.loopLength !== clip.loopLength)
      out.push({ kind: 'clip-resized', ...fields, fromEnd: wasEnd })
    if (before.notes !== clip.notes) diffNotes(before, clip, fields, out)
  }
  for (const clip of old.values()) removed.push({ track: was, clip })
}

function diffNotes(
  before: ClipSnapshot,
  clip: ClipSnapshot,
  fields: ReturnType<typeof clipFields>,
  out: SongChange[],
): void {
  const old = new Map(before.notes.map((n) => [n.id, n]))
  let added = 0
  let changed = 0
  let from = Number.POSITIVE_INFINITY
  let to = 0
  const noteIds: string[] = []
  const span = (start: number, duration: number) => {
    from = Math.min(from, clip.start + start)
    to = Math.max(to, clip.start + start + duration)
  }
  for (const note of clip.notes) {
    const was = old.get(note.id)
    old.delete(note.id)
    // A note is an immutable value: an untouched one is the very same object.
    if (was !== undefined && (was === note || sameJson(was, note))) continue
    if (was === undefined) added++
    else {
      changed++
      span(was.start, was.duration)
    }
    span(note.start, note.duration)
    if (noteIds.length < MAX_HIGHLIGHTED_NOTES) noteIds.push(note.id)
  }
  for (const note of old.values()) span(note.start, note.duration)
  const removed = old.size
  if (added + removed + changed === 0) return
  out.push({ kind: 'notes', ...fields, start: from, end: to, added, removed, changed, noteIds })
}

function diffProposals(before: SongState, after: SongState, out: SongChange[]): void {
  const open = new Set(after.proposals.map((p) => p.id))
  const trackName = (trackId: string) =>
    (after.tracks.find((t) => t.id === trackId) ?? before.tracks.find((t) => t.id === trackId))?.name ?? ''
  for (const proposal of before.proposals) {
    if (open.has(proposal.id)) continue
    // Accepting writes the notes (or tracks) and closes the proposal in one transaction: a closed
    // proposal whose update also changed tracks was accepted; one that closed alone was discarded.
    // (A proposal pushed out by a newer one, MAX_OPEN_PROPOSALS, closes alone too.)
    const accepted = before.tracks !== after.tracks
    out.push({
      kind: accepted ? 'proposal-accepted' : 'proposal-discarded',
      proposalId: proposal.id,
      trackId: proposal.trackId,
      trackName: trackName(proposal.trackId),
      pluginId: proposal.pluginId,
      pluginName: proposal.pluginName,
      runId: proposal.run.runId ?? null,
      requestedBy: proposal.run.requestedBy,
      start: proposal.fromTick,
      end: proposal.toTick,
    })
  }
}
