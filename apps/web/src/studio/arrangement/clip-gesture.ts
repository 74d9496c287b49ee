import {
  addClip,
  type ClipRef,
  duplicateClip,
  MAX_CLIP_GAIN_DB,
  MIN_CLIP_GAIN_DB,
  moveClips,
  resizeClip,
  setAudioClipFades,
  setAudioClipGain,
  ticksToSeconds,
  type UserOrigin,
} from '@ensemble/core'
import type * as Y from 'yjs'
import { audioClipRefs, duplicateAudio, moveAudio, trimAudioEdge } from '../audio/song-audio'

/**
 * The arrangement's pointer tool as a small state machine: idle, creating (drag on an empty lane), moving
 * (drag a clip; Alt copies; a click on a selected clip that covers another selects that one), resizing
 * (drag a MIDI clip's right edge), trimming (drag either edge of an audio clip: the audio stays put, the
 * edge hides or reveals it), fading (drag an audio clip's top corner handle along the clip: the fade's
 * length), gaining (drag an audio clip's gain handle up or down). A selection may mix MIDI and audio clips;
 * each kind goes to its own operations. Only `finish` writes to the song, as one
 * operation, so a drag is one undo step and bandmates see the result, not every intermediate pixel.
 */
export type ClipGesture =
  | { readonly kind: 'idle' }
  | { readonly kind: 'creating'; readonly trackId: string; readonly anchor: number; readonly current: number }
  | {
      readonly kind: 'moving'
      readonly refs: readonly ClipRef[]
      readonly grabTick: number
      readonly deltaTicks: number
      readonly fromTrackId: string
      readonly toTrackId: string
      readonly copy: boolean
      readonly minStart: number
      /** Each clip's start when the drag began, so a copy lands where its preview was drawn. */
      readonly starts: ReadonlyMap<string, number>
      /**
       * The clip under the selected one at the press: released without moving, the press selects it, so
       * clicks cycle through clips that overlap and none stays out of reach.
       */
      readonly below: ClipRef | null
    }
  | {
      readonly kind: 'resizing'
      readonly ref: ClipRef
      readonly clipStart: number
      readonly length: number
      readonly originalLength: number
    }
  | {
      readonly kind: 'trimming'
      readonly ref: ClipRef
      readonly edge: 'left' | 'right'
      /** The clip's edges in ticks as the preview draws them; only the dragged one changes. */
      readonly start: number
      readonly end: number
      readonly original: { readonly start: number; readonly end: number }
      /** Where the asset's audio begins and ends on the timeline: an edge cannot reveal more than there is. */
      readonly audioFrom: number
      readonly audioTo: number
    }
  | {
      readonly kind: 'fading'
      readonly ref: ClipRef
      readonly edge: 'in' | 'out'
      readonly grabTick: number
      readonly bpm: number
      /** The clip's length in seconds: the two fades together fit in it. */
      readonly length: number
      readonly original: { readonly fadeIn: number; readonly fadeOut: number }
      /** Seconds, as the preview draws them; only the dragged one changes. */
      readonly fadeIn: number
      readonly fadeOut: number
    }
  | {
      readonly kind: 'gaining'
      readonly ref: ClipRef
      readonly grabY: number
      readonly original: number
      readonly gainDb: number
    }

export const IDLE: ClipGesture = { kind: 'idle' }

/** Pointer position in song terms, already snapped by the caller where the gesture wants it. */
export interface LanePoint {
  readonly tick: number
  readonly trackId: string | null
  /** Pixels down from the top of the lanes (the gain handle follows it). */
  readonly y: number
}

/** How much a pixel of vertical drag on the gain handle changes the clip gain. */
export const GAIN_DB_PER_PX = 0.25

const clamp = (x: number, min: number, max: number) => Math.min(max, Math.max(min, x))
/** Fades to the millisecond and gain to the tenth of a dB: finer than anyone hears, and tidy to read. */
const toMs = (seconds: number) => Math.round(seconds * 1000) / 1000
const toTenth = (db: number) => Math.round(db * 10) / 10

export function updateGesture(g: ClipGesture, p: LanePoint, snap: (t: number) => number): ClipGesture {
  switch (g.kind) {
    case 'creating':
      return { ...g, current: Math.max(0, snap(p.tick)) }
    case 'moving': {
      const delta = snap(p.tick - g.grabTick)
      return { ...g, deltaTicks: Math.max(-g.minStart, delta), toTrackId: p.trackId ?? g.toTrackId }
    }
    case 'resizing':
      return { ...g, length: Math.max(1, snap(p.tick) - g.clipStart) }
    case 'trimming':
      return g.edge === 'left'
        ? { ...g, start: Math.min(g.end - 1, Math.max(Math.ceil(g.audioFrom), snap(p.tick))) }
        : { ...g, end: Math.max(g.start + 1, Math.min(g.audioTo, snap(p.tick))) }
    case 'fading': {
      // Unsnapped: a fade is a length of sound, not a place on the grid.
      const delta = ticksToSeconds(p.tick - g.grabTick, g.bpm)
      return g.edge === 'in'
        ? { ...g, fadeIn: clamp(toMs(g.original.fadeIn + delta), 0, g.length - g.fadeOut) }
        : { ...g, fadeOut: clamp(toMs(g.original.fadeOut - delta), 0, g.length - g.fadeIn) }
    }
    case 'gaining':
      return {
        ...g,
        gainDb: clamp(
          toTenth(g.original + (g.grabY - p.y) * GAIN_DB_PER_PX),
          MIN_CLIP_GAIN_DB,
          MAX_CLIP_GAIN_DB,
        ),
      }
    default:
      return g
  }
}

/** Commits the gesture; returns the clips that should be selected afterwards. */
export function finishGesture(
  g: ClipGesture,
  doc: Y.Doc,
  me: UserOrigin,
  minLength: number,
): readonly ClipRef[] | null {
  switch (g.kind) {
    case 'creating': {
      const from = Math.min(g.anchor, g.current)
      const to = Math.max(g.anchor, g.current)
      if (to - from < minLength / 4) return null
      const { clipId } = addClip(doc, me, g.trackId, { start: from, length: to - from })
      return [{ trackId: g.trackId, clipId }]
    }
    case 'moving': {
      const crossing = g.toTrackId !== g.fromTrackId
      if (g.deltaTicks === 0 && !crossing) return g.below ? [g.below] : null
      const audio = audioClipRefs(doc, g.refs)
      const midi = g.refs.filter((r) => !audio.includes(r))
      const toTrackId = crossing ? g.toTrackId : undefined
      if (g.copy) {
        const copies = midi.map((ref) => {
          const target = toTrackId ?? ref.trackId
          const start = Math.max(0, (g.starts.get(ref.clipId) ?? 0) + g.deltaTicks)
          const clipId = duplicateClip(doc, me, ref.trackId, ref.clipId, { start, toTrackId: target })
          return { trackId: target, clipId }
        })
        return [
          ...copies,
          ...duplicateAudio(doc, me, audio, {
            deltaTicks: g.deltaTicks,
            ...(toTrackId ? { toTrackId } : {}),
          }),
        ]
      }
      const ids =
        midi.length === 0
          ? []
          : moveClips(
              doc,
              me,
              midi,
              toTrackId ? { deltaTicks: g.deltaTicks, toTrackId } : { deltaTicks: g.deltaTicks },
            )
      return [
        ...ids.map((clipId, i) => ({ trackId: toTrackId ?? midi[i]!.trackId, clipId })),
        ...moveAudio(doc, me, audio, g.deltaTicks, toTrackId),
      ]
    }
    case 'resizing':
      if (g.length === g.originalLength) return null
      resizeClip(doc, me, g.ref.trackId, g.ref.clipId, { length: g.length })
      return [g.ref]
    case 'trimming': {
      const moved = g.edge === 'left' ? g.start !== g.original.start : g.end !== g.original.end
      if (moved) trimAudioEdge(doc, me, g.ref, g.edge, g.edge === 'left' ? g.start : g.end)
      return [g.ref]
    }
    case 'fading':
      if (g.edge === 'in' && g.fadeIn !== g.original.fadeIn)
        setAudioClipFades(doc, me, g.ref.trackId, g.ref.clipId, { fadeIn: g.fadeIn })
      if (g.edge === 'out' && g.fadeOut !== g.original.fadeOut)
        setAudioClipFades(doc, me, g.ref.trackId, g.ref.clipId, { fadeOut: g.fadeOut })
      return [g.ref]
    case 'gaining':
      if (g.gainDb !== g.original) setAudioClipGain(doc, me, g.ref.trackId, g.ref.clipId, g.gainDb)
      return [g.ref]
    default:
      return null
  }
}
