/*
 * The engine's brain, without Tone.js: from the previous and the next song snapshot to the smallest list of
 * actions that brings the audio graph up to date. The readers keep a snapshot's identity while nothing
 * under it changed, so an unchanged track or clip is skipped with one `===`, and an edit to one note yields
 * one `scheduleClip` for that note's clip and nothing else.
 */
import { type ClipSnapshot, playedNotes, type SongSnapshot, type TrackSnapshot } from '../song/index'
import { audibleTracks } from './mix'
import { type PresetId, resolvePreset } from './presets'

/** One note as the scheduler sees it: absolute ticks (loops unrolled), velocity as 0..1 gain. */
export interface NoteEvent {
  readonly tick: number
  readonly duration: number
  readonly pitch: number
  readonly velocity: number
}

export type EngineAction =
  | { readonly type: 'tempo'; readonly bpm: number }
  | { readonly type: 'timeSignature'; readonly numerator: number; readonly denominator: number }
  | { readonly type: 'removeTrack'; readonly trackId: string }
  | { readonly type: 'removeClip'; readonly trackId: string; readonly clipId: string }
  | { readonly type: 'addTrack'; readonly trackId: string; readonly preset: PresetId | null }
  | { readonly type: 'setPreset'; readonly trackId: string; readonly preset: PresetId | null }
  | {
      readonly type: 'mix'
      readonly trackId: string
      readonly volumeDb: number
      readonly pan: number
      /** After mute and solo of every track: false means the channel is silenced. */
      readonly audible: boolean
    }
  | {
      readonly type: 'scheduleClip'
      readonly trackId: string
      readonly clipId: string
      /** Replaces whatever the clip had scheduled. */
      readonly events: readonly NoteEvent[]
    }

export type EngineActionType = EngineAction['type']

export const clipEvents = (clip: ClipSnapshot): NoteEvent[] =>
  playedNotes(clip).map((n) => ({
    tick: n.start,
    duration: n.duration,
    pitch: n.pitch,
    velocity: n.velocity / 127,
  }))

const byId = <T extends { readonly id: string }>(items: readonly T[]): Map<string, T> =>
  new Map(items.map((item) => [item.id, item]))

const preset = (track: TrackSnapshot) => resolvePreset(track.kind, track.instrument)

const mixAction = (track: TrackSnapshot, audible: boolean): EngineAction => ({
  type: 'mix',
  trackId: track.id,
  volumeDb: track.volumeDb,
  pan: track.pan,
  audible,
})

const scheduleAction = (trackId: string, clip: ClipSnapshot): EngineAction => ({
  type: 'scheduleClip',
  trackId,
  clipId: clip.id,
  events: clipEvents(clip),
})

/**
 * Actions that turn the graph for `previous` (null: an empty graph) into the graph for `next`. Ordered so an
 * adapter can apply them one by one: transport first, then removals (freeing voices), then additions, the
 * mix and finally the note schedules, which need their track to exist.
 */
export const diffSong = (previous: SongSnapshot | null, next: SongSnapshot): EngineAction[] => {
  if (previous === next) return []
  const transport: EngineAction[] = []
  const removals: EngineAction[] = []
  const tracks: EngineAction[] = []
  const mixes: EngineAction[] = []
  const clips: EngineAction[] = []

  const pm = previous?.meta
  if (pm === undefined || pm.bpm !== next.meta.bpm) transport.push({ type: 'tempo', bpm: next.meta.bpm })
  const ts = next.meta.timeSignature
  if (
    pm === undefined ||
    pm.timeSignature.numerator !== ts.numerator ||
    pm.timeSignature.denominator !== ts.denominator
  ) {
    transport.push({ type: 'timeSignature', numerator: ts.numerator, denominator: ts.denominator })
  }

  const before = byId(previous?.tracks ?? [])
  const after = byId(next.tracks)
  const heardBefore = audibleTracks(previous?.tracks ?? [])
  const heardAfter = audibleTracks(next.tracks)

  for (const id of before.keys()) if (!after.has(id)) removals.push({ type: 'removeTrack', trackId: id })

  for (const track of next.tracks) {
    const old = before.get(track.id)
    const audible = heardAfter.has(track.id)
    if (old === undefined) {
      tracks.push({ type: 'addTrack', trackId: track.id, preset: preset(track) })
      mixes.push(mixAction(track, audible))
      for (const clip of track.clips) if (clip.notes.length > 0) clips.push(scheduleAction(track.id, clip))
      continue
    }
    // A solo elsewhere changes this track's audibility without changing its snapshot.
    if (old === track && heardBefore.has(track.id) === audible) continue
    if (preset(old) !== preset(track))
      tracks.push({ type: 'setPreset', trackId: track.id, preset: preset(track) })
    if (old.volumeDb !== track.volumeDb || old.pan !== track.pan || heardBefore.has(track.id) !== audible) {
      mixes.push(mixAction(track, audible))
    }
    if (old.clips === track.clips) continue
    const oldClips = byId(old.clips)
    const newClips = byId(track.clips)
    for (const id of oldClips.keys()) {
      if (!newClips.has(id)) removals.push({ type: 'removeClip', trackId: track.id, clipId: id })
    }
    for (const clip of track.clips) {
      const was = oldClips.get(clip.id)
      if (was === clip) continue
      // A clip that had nothing scheduled and still has no notes needs no work.
      if (was === undefined && clip.notes.length === 0) continue
      clips.push(scheduleAction(track.id, clip))
    }
  }
  return [...transport, ...removals, ...tracks, ...mixes, ...clips]
}
