/*
 * The song's side of a plugin run, both ways. `toSuggestInput` turns a window of the song into what a plugin
 * reads (note starts relative to the window, as the plugin contract has them); the accept operations turn what
 * a plugin returned (the same relative starts) back into notes on the timeline, in one transaction under the
 * AiAcceptedOrigin, so the accepting user undoes an acceptance in one step and every note carries the run's
 * provenance.
 */
import type * as Y from 'yjs'
import { z } from 'zod'
import { ticksPerBar } from '../music/index'
import { type ContextTrack, MAX_CONTEXT_TRACKS, type PluginNote, type SuggestInput } from '../plugin/index'
import { SongError } from './errors'
import { newId } from './ids'
import { stampNotes } from './notes'
import { AiAcceptedOrigin } from './origins'
import { readMeta } from './read'
import { type Clip, ClipSchema, MAX_TICK, type Note, NoteSchema, type Track, TrackSchema } from './schema'
import { applyRekey, placeAt, TRACK_COLOURS } from './tracks'
import type { SongWindow, WindowTrack } from './window'
import {
  clipsOf,
  commit,
  compareClips,
  createClipMap,
  createTrackMap,
  midiClips,
  notesOf,
  parse,
  readClipFields,
  requireTrack,
  tracksMap,
  type YRecord,
} from './ydoc'

/** How a run is asked for, besides the window: the plugin's parameters, the seed and the deadline it gets. */
export interface RunSettings {
  readonly parameters: Record<string, number | boolean | string>
  readonly seed: number
  readonly variations: number
  readonly deadlineMs: number
}

/** A track's notes in the window, starting from the window's start; `readWindow` cut them to it, so none is < 0. */
const relative = (track: WindowTrack, fromTick: number): PluginNote[] =>
  track.notes.map((n) => ({
    pitch: n.pitch,
    start: n.start - fromTick,
    duration: n.duration,
    velocity: n.velocity,
  }))

/**
 * A window of the song (`readWindow`) as the plugin contract's input: the target track's notes, and the
 * tracks heard beside it as context. `fromTick`/`toTick` stay absolute; the inverse is `acceptNotesSuggestion`.
 */
export const toSuggestInput = (window: SongWindow, settings: RunSettings): SuggestInput => {
  const { meta, track, fromTick, toTick } = window
  const context: ContextTrack[] = window.context
    // Muted and audio tracks are not heard, so they should not steer the suggestion.
    .filter((t) => !t.mute && t.kind !== 'audio')
    .map((t) => ({
      trackId: t.id,
      name: t.name,
      kind: t.kind,
      instrument: t.instrument,
      notes: relative(t, fromTick),
    }))
    // The contract caps context; the first tracks in display order are the ones a musician arranged first.
    .slice(0, MAX_CONTEXT_TRACKS)
  return {
    song: {
      bpm: meta.bpm,
      timeSignature: {
        numerator: meta.timeSignature.numerator,
        denominator: meta.timeSignature.denominator,
      },
      key: { tonic: meta.key.tonic, mode: meta.key.mode },
    },
    target: { trackId: track.id, kind: track.kind, fromTick, toTick, notes: relative(track, fromTick) },
    context,
    parameters: settings.parameters,
    seed: settings.seed,
    variations: settings.variations,
    deadlineMs: settings.deadlineMs,
  }
}

const SuggestedNote = NoteSchema.pick({ pitch: true, start: true, duration: true, velocity: true })
export type SuggestedNote = z.infer<typeof SuggestedNote>

const Window = z
  .strictObject({ fromTick: z.int().min(0).max(MAX_TICK), toTick: z.int().min(1).max(MAX_TICK) })
  .refine((w) => w.fromTick < w.toTick, 'fromTick must be before toTick')

const requireAiOrigin = (origin: AiAcceptedOrigin): void => {
  if (!(origin instanceof AiAcceptedOrigin)) {
    throw new SongError(
      'invalid_value',
      'Accepting a suggestion needs an AiAcceptedOrigin (it carries the provenance)',
    )
  }
}

/** Validates window-relative notes and stamps them, keeping their absolute start alongside. */
const placeNotes = (
  origin: AiAcceptedOrigin,
  fromTick: number,
  toTick: number,
  notes: readonly SuggestedNote[],
) => {
  if (!Array.isArray(notes)) throw new SongError('invalid_value', 'notes must be an array')
  const span = toTick - fromTick
  notes.forEach((n, i) => {
    const note = parse(SuggestedNote, n, `suggested note ${i}`)
    if (note.start >= span || note.start + note.duration > span) {
      throw new SongError('out_of_range', `Suggested note ${i} does not fit in the ${span}-tick window`)
    }
  })
  return stampNotes(notes, origin).map((note) => ({ note, at: fromTick + note.start }))
}

/**
 * The clip for accepted notes that no clip holds: from the bar line before the first of them (not before
 * the window, nor before the end of a clip already there, so a continuation lands after its source instead
 * of on top of it) to the bar line after the last, within the window. `notes` start at the window's start.
 */
const newClipFor = (
  doc: Y.Doc,
  track: YRecord,
  notes: readonly Note[],
  fromTick: number,
  toTick: number,
  name: string,
): Clip => {
  const bar = ticksPerBar(readMeta(doc).timeSignature)
  const first = fromTick + Math.min(...notes.map((n) => n.start))
  const last = fromTick + Math.max(...notes.map((n) => n.start + n.duration))
  const endsBefore = midiClips(track)
    .map(([id, y]) => readClipFields(id, y))
    .map((c) => c.start + c.length)
    .filter((end) => end <= first)
  const start = Math.max(fromTick, Math.floor(first / bar) * bar, ...endsBefore)
  const end = Math.min(toTick, Math.max(last, Math.ceil(last / bar) * bar))
  return { id: newId(), name, start, length: end - start, loopLength: null }
}

export interface AcceptNotesInput {
  readonly trackId: string
  readonly fromTick: number
  readonly toTick: number
  /** Starts relative to fromTick, as plugins return them. */
  readonly notes: readonly SuggestedNote[]
  /** Replace what is there (default) or add on top. */
  readonly replace?: boolean
  /** Name for a clip this creates, e.g. the suggestion's label. */
  readonly clipName?: string
}

/**
 * Writes a notes suggestion into a track. Each note goes into the track's non-looping clip that contains its
 * start (earliest such clip); notes with no such clip go into one new clip (`newClipFor`). With
 * `replace`, notes of non-looping clips starting inside the window are removed first; looping clips are
 * left alone, since their notes also play outside the window.
 */
export const acceptNotesSuggestion = (
  doc: Y.Doc,
  origin: AiAcceptedOrigin,
  input: AcceptNotesInput,
): { noteIds: string[]; clipIds: string[]; removedNoteIds: string[] } => {
  requireAiOrigin(origin)
  const track = requireTrack(doc, input?.trackId)
  const { fromTick, toTick } = parse(Window, { fromTick: input.fromTick, toTick: input.toTick }, 'window')
  const clipName = parse(ClipSchema.shape.name, input.clipName ?? '', 'clip name')
  const placed = placeNotes(origin, fromTick, toTick, input.notes)

  const clips = midiClips(track)
    .map(([id, y]) => ({ clip: readClipFields(id, y), y }))
    .filter(({ clip }) => clip.loopLength === null)
    .sort((a, b) => compareClips(a.clip, b.clip))
  const removed =
    (input.replace ?? true)
      ? clips.flatMap(({ clip, y }) =>
          [...notesOf(y).values()]
            .filter((n) => clip.start + n.start >= fromTick && clip.start + n.start < toTick)
            .map((n) => ({ y, id: n.id })),
        )
      : []
  const into = placed.map(({ note, at }) => {
    const home = clips.find(({ clip }) => at >= clip.start && at < clip.start + clip.length)
    return { home, note: home ? { ...note, start: at - home.clip.start } : { ...note, start: at - fromTick } }
  })
  const outside = into.filter((p) => p.home === undefined).map((p) => p.note)
  const created = outside.length > 0 ? newClipFor(doc, track, outside, fromTick, toTick, clipName) : null
  const homeless = created ? outside.map((n) => ({ ...n, start: n.start + fromTick - created.start })) : []

  commit(doc, origin, () => {
    for (const { y, id } of removed) notesOf(y).delete(id)
    for (const { home, note } of into) if (home) notesOf(home.y).set(note.id, note)
    if (created) clipsOf(track).set(created.id, createClipMap(created, homeless))
  })
  return {
    noteIds: placed.map((p) => p.note.id),
    clipIds: created ? [created.id] : [],
    removedNoteIds: removed.map((r) => r.id),
  }
}

const NewTrack = TrackSchema.pick({ name: true, kind: true, instrument: true })

export interface AcceptTracksInput {
  readonly fromTick: number
  readonly toTick: number
  readonly tracks: ReadonlyArray<z.input<typeof NewTrack> & { readonly notes: readonly SuggestedNote[] }>
  /** Where the new tracks go in the track list; default the end. */
  readonly index?: number
  readonly clipName?: string
}

/** Adds an arranger's tracks, each with one clip spanning the window, in one transaction. */
export const acceptTracksSuggestion = (
  doc: Y.Doc,
  origin: AiAcceptedOrigin,
  input: AcceptTracksInput,
): { trackIds: string[]; clipIds: string[]; noteIds: string[] } => {
  requireAiOrigin(origin)
  const { fromTick, toTick } = parse(Window, { fromTick: input?.fromTick, toTick: input?.toTick }, 'window')
  const clipName = parse(ClipSchema.shape.name, input.clipName ?? '', 'clip name')
  if (!Array.isArray(input.tracks) || input.tracks.length === 0) {
    throw new SongError('invalid_value', 'tracks must be a non-empty array')
  }
  const existing = tracksMap(doc).size
  const planned = input.tracks.map((t, i) => {
    const fields = parse(
      NewTrack,
      { name: t?.name, kind: t?.kind, instrument: t?.instrument },
      `suggested track ${i}`,
    )
    const notes: Note[] = placeNotes(origin, fromTick, toTick, t.notes).map(({ note }) => note)
    const track: Track = {
      ...fields,
      id: newId(),
      colour: TRACK_COLOURS[(existing + i) % TRACK_COLOURS.length]!,
      volumeDb: 0,
      pan: 0,
      mute: false,
      solo: false,
      order: '',
    }
    const clip: Clip = {
      id: newId(),
      name: clipName,
      start: fromTick,
      length: toTick - fromTick,
      loopLength: null,
    }
    return { track, clip, notes }
  })
  const placement = placeAt(doc, input.index, null, planned.length)
  commit(doc, origin, () => {
    applyRekey(doc, placement.rekey)
    planned.forEach(({ track, clip, notes }, i) => {
      const y = createTrackMap({ ...track, order: placement.keys[i]! })
      tracksMap(doc).set(track.id, y)
      clipsOf(y).set(clip.id, createClipMap(clip, notes))
    })
  })
  return {
    trackIds: planned.map((p) => p.track.id),
    clipIds: planned.map((p) => p.clip.id),
    noteIds: planned.flatMap((p) => p.notes.map((n) => n.id)),
  }
}
