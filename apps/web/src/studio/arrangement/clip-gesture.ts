import { addClip, type ClipRef, duplicateClip, moveClips, resizeClip, type UserOrigin } from '@ensemble/core'
import type * as Y from 'yjs'

/**
 * The arrangement's pointer tool as a small state machine: idle, creating (drag on an empty lane), moving
 * (drag a clip; Alt copies; a click on a selected clip that covers another selects that one), resizing
 * (drag a clip's right edge). Only `finish` writes to the song, as one
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

export const IDLE: ClipGesture = { kind: 'idle' }

/** Pointer position in song terms, already snapped by the caller where the gesture wants it. */
export interface LanePoint {
  readonly tick: number
  readonly trackId: string | null
}

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
      if (g.copy) {
        return g.refs.map((ref) => {
          const target = crossing ? g.toTrackId : ref.trackId
          const start = Math.max(0, (g.starts.get(ref.clipId) ?? 0) + g.deltaTicks)
          const clipId = duplicateClip(doc, me, ref.trackId, ref.clipId, { start, toTrackId: target })
          return { trackId: target, clipId }
        })
      }
      const ids = moveClips(
        doc,
        me,
        g.refs,
        crossing ? { deltaTicks: g.deltaTicks, toTrackId: g.toTrackId } : { deltaTicks: g.deltaTicks },
      )
      return ids.map((clipId, i) => ({ trackId: crossing ? g.toTrackId : g.refs[i]!.trackId, clipId }))
    }
    case 'resizing':
      if (g.length === g.originalLength) return null
      resizeClip(doc, me, g.ref.trackId, g.ref.clipId, { length: g.length })
      return [g.ref]
    default:
      return null
  }
}
