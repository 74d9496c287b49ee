/*
 * The engine's brain, without Tone.js: from the previous and the next song snapshot to the smallest list of
 * actions that brings the audio graph up to date. The readers keep a snapshot's identity while nothing
 * under it changed, so an unchanged track or clip is skipped with one `===`, and an edit to one note yields
 * one `scheduleClip` for that note's clip and nothing else.
 */
import {
  type AudioClip,
  type ClipSnapshot,
  MIN_CLIP_GAIN_DB,
  playedNotes,
  type SongSnapshot,
  type TrackSnapshot,
} from '../song/index'
import { describeGraph, diffGraph, type GraphAction } from './graph'
import { audibleTracks } from './mix'
import { type PresetId, resolvePreset } from './presets'

/** One note as the scheduler sees it: absolute ticks (loops unrolled), velocity as 0..1 gain. */
export interface NoteEvent {
  readonly tick: number
  readonly duration: number
  readonly pitch: number
  readonly velocity: number
}

/**
 * One audio clip as the scheduler sees it: where it starts (ticks), which part of which asset it plays
 * (seconds), its gain as a linear factor and its fades (seconds, already fitted into the clip).
 */
export interface AudioClipEvent {
  readonly asset: string
  readonly tick: number
  readonly offset: number
  readonly length: number
  readonly gain: number
  readonly fadeIn: number
  readonly fadeOut: number
}

export type EngineAction =
  | { readonly type: 'tempo'; readonly bpm: number }
  | { readonly type: 'timeSignature'; readonly numerator: number; readonly denominator: number }
  | { readonly type: 'removeTrack'; readonly trackId: string }
  | { readonly type: 'removeClip'; readonly trackId: string; readonly clipId: string }
  | {
      readonly type: 'addTrack'
      readonly trackId: string
      readonly preset: PresetId | null
      /** Audio tracks keep a stereo recording's image through the channel; the instruments are mono. */
      readonly stereo: boolean
    }
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
  /** Effects, buses, sends and automation: see graph.ts. */
  | { readonly type: 'graph'; readonly action: GraphAction }
  | {
      readonly type: 'scheduleAudioClip'
      readonly trackId: string
      readonly clipId: string
      /** Replaces what the clip had scheduled. A clip that stops playing (a take not chosen) is removed. */
      readonly clip: AudioClipEvent
    }

export type EngineActionType = EngineAction['type']

const finite = (x: number): boolean => Number.isFinite(x)

/**
 * The clip as the engine plays it, or null when there is nothing to play: a take not chosen, or values no
 * operation writes (a hostile client's) that would make Web Audio throw.
 */
export const audioClipEvent = (clip: AudioClip): AudioClipEvent | null => {
  const { start, offset, length, gainDb } = clip
  if (!clip.active || ![start, offset, length, gainDb, clip.fadeIn, clip.fadeOut].every(finite)) return null
  if (start < 0 || offset < 0 || length <= 0) return null
  const fadeIn = Math.min(Math.max(0, clip.fadeIn), length)
  const fadeOut = Math.min(Math.max(0, clip.fadeOut), length - fadeIn)
  // As the track fader: the clip gain's floor is silence.
  const gain = gainDb <= MIN_CLIP_GAIN_DB ? 0 : 10 ** (gainDb / 20)
  return { asset: clip.asset, tick: start, offset, length, gain, fadeIn, fadeOut }
}

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

/** Schedules or removes audio clips that are new or changed between two lists of a track. */
const diffAudioClips = (
  trackId: string,
  before: readonly AudioClip[],
  after: readonly AudioClip[],
  removals: EngineAction[],
  clips: EngineAction[],
): void => {
  if (before === after) return
  const old = byId(before)
  const now = new Set(after.map((c) => c.id))
  for (const clip of before)
    if (!now.has(clip.id)) removals.push({ type: 'removeClip', trackId, clipId: clip.id })
  for (const clip of after) {
    const was = old.get(clip.id)
    if (was === clip) continue
    const event = audioClipEvent(clip)
    if (event !== null) clips.push({ type: 'scheduleAudioClip', trackId, clipId: clip.id, clip: event })
    else if (was !== undefined && audioClipEvent(was) !== null)
      removals.push({ type: 'removeClip', trackId, clipId: clip.id })
  }
}

const scheduleAction = (trackId: string, clip: ClipSnapshot): EngineAction => ({
  type: 'scheduleClip',
  trackId,
  clipId: clip.id,
  events: clipEvents(clip),
})

/**
 * Actions that turn the graph for `previous` (null: an empty graph) into the graph for `next`. Ordered so an
 * adapter can apply them one by one: transport first, then removals (freeing voices), then additions, the
 * mix, the effects graph (chains, buses, sends, automation) and finally the note schedules, which need their
 * track to exist.
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
      tracks.push({
        type: 'addTrack',
        trackId: track.id,
        preset: preset(track),
        stereo: track.kind === 'audio',
      })
      mixes.push(mixAction(track, audible))
      for (const clip of track.clips) if (clip.notes.length > 0) clips.push(scheduleAction(track.id, clip))
      diffAudioClips(track.id, [], track.audioClips, removals, clips)
      continue
    }
    // A solo elsewhere changes this track's audibility without changing its snapshot.
    if (old === track && heardBefore.has(track.id) === audible) continue
    if (preset(old) !== preset(track))
      tracks.push({ type: 'setPreset', trackId: track.id, preset: preset(track) })
    if (old.volumeDb !== track.volumeDb || old.pan !== track.pan || heardBefore.has(track.id) !== audible) {
      mixes.push(mixAction(track, audible))
    }
    diffAudioClips(track.id, old.audioClips, track.audioClips, removals, clips)
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
  const graph = diffGraph(previous === null ? null : describeGraph(previous), describeGraph(next)).map(
    (action): EngineAction => ({ type: 'graph', action }),
  )
  return [...transport, ...removals, ...tracks, ...mixes, ...graph, ...clips]
}
