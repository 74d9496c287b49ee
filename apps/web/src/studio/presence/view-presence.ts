/**
 * What each tab tells the room about where it is, under the awareness field `view` (the `user` field says
 * who). Ids point into the song; positions are song ticks and pitches, so every screen can draw them at its
 * own zoom and scroll.
 */
export interface ViewPresence {
  readonly trackId: string | null
  /** The clip open in the editor. */
  readonly editorClipId: string | null
  readonly editorMode: 'piano' | 'drums'
  readonly clipIds: readonly string[]
  readonly noteIds: readonly string[]
  /** Pointer over the arrangement, in ticks. */
  readonly arrangementTick: number | null
  /** The lane under that pointer. */
  readonly pointerTrackId: string | null
  /** Pointer over the editor: ticks from the clip start, and pitch. */
  readonly editorCursor: { readonly tick: number; readonly pitch: number } | null
  /** Zoom and scroll, so a follower can mirror the view. */
  readonly pxPerQuarter: number
  readonly roll: { readonly pxPerQuarter: number; readonly scrollTick: number; readonly topPitch: number }
}

export const EMPTY_PRESENCE: ViewPresence = {
  trackId: null,
  editorClipId: null,
  editorMode: 'piano',
  clipIds: [],
  noteIds: [],
  arrangementTick: null,
  pointerTrackId: null,
  editorCursor: null,
  pxPerQuarter: 28,
  roll: { pxPerQuarter: 80, scrollTick: 0, topPitch: 84 },
}

/** Awareness states are untrusted JSON from other tabs; keep only well-formed fields. */
export function parsePresence(raw: unknown): ViewPresence {
  if (typeof raw !== 'object' || raw === null) return EMPTY_PRESENCE
  const r = raw as Record<string, unknown>
  const str = (v: unknown) => (typeof v === 'string' ? v : null)
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null)
  const ids = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])
  const cursor = r.editorCursor as { tick?: unknown; pitch?: unknown } | null | undefined
  const roll = r.roll as { pxPerQuarter?: unknown; scrollTick?: unknown; topPitch?: unknown } | undefined
  return {
    trackId: str(r.trackId),
    editorClipId: str(r.editorClipId),
    editorMode: r.editorMode === 'drums' ? 'drums' : 'piano',
    clipIds: ids(r.clipIds),
    noteIds: ids(r.noteIds),
    arrangementTick: num(r.arrangementTick),
    pointerTrackId: str(r.pointerTrackId),
    editorCursor:
      cursor && num(cursor.tick) !== null && num(cursor.pitch) !== null
        ? { tick: num(cursor.tick)!, pitch: num(cursor.pitch)! }
        : null,
    pxPerQuarter: num(r.pxPerQuarter) ?? EMPTY_PRESENCE.pxPerQuarter,
    roll: {
      pxPerQuarter: num(roll?.pxPerQuarter) ?? EMPTY_PRESENCE.roll.pxPerQuarter,
      scrollTick: num(roll?.scrollTick) ?? 0,
      topPitch: num(roll?.topPitch) ?? EMPTY_PRESENCE.roll.topPitch,
    },
  }
}
