import { type ClipSnapshot, MAX_TICK, type TrackSnapshot } from '@ensemble/core'
import { MAX_WINDOW_TICKS, type ParameterValue, type PluginKind } from '@ensemble/core/plugin'
import type { ViewState } from '../view/view-store'

/** A window of a track to ask a plugin about, in whole bars (the plugins think in bars). */
export interface SuggestRange {
  readonly fromTick: number
  readonly toTick: number
  /** Where the default came from, said in the panel so nobody wonders which bars are meant. */
  readonly source: 'notes' | 'clip' | 'loop' | 'bars'
}

const outward = (from: number, to: number, bar: number): { fromTick: number; toTick: number } => {
  const fromTick = Math.max(0, Math.floor(from / bar) * bar)
  const toTick = Math.max(fromTick + bar, Math.ceil(to / bar) * bar)
  return { fromTick, toTick: Math.min(toTick, fromTick + MAX_WINDOW_TICKS, MAX_TICK) }
}

const clipSpan = (clip: ClipSnapshot) => [clip.start, clip.start + clip.length] as const

/**
 * The range the panel starts with, widened to whole bars: the notes selected in the piano roll, else the
 * selected (or open) clip of this track, else the loop region, else the track's first clip, else four bars.
 */
export function defaultRange(track: TrackSnapshot, view: ViewState, bar: number): SuggestRange {
  const s = view.selection
  if (s.kind === 'notes' && s.trackId === track.id) {
    const clip = track.clips.find((c) => c.id === s.clipId)
    const notes = clip?.notes.filter((n) => s.noteIds.includes(n.id)) ?? []
    if (clip && notes.length > 0) {
      const from = clip.start + Math.min(...notes.map((n) => n.start))
      const to = clip.start + Math.max(...notes.map((n) => n.start + n.duration))
      return { ...outward(from, to, bar), source: 'notes' }
    }
  }
  const chosen =
    (s.kind === 'clips' ? s.clips.find((c) => c.trackId === track.id)?.clipId : undefined) ??
    (view.editor?.trackId === track.id ? view.editor.clipId : undefined)
  const clip = track.clips.find((c) => c.id === chosen)
  if (clip) return { ...outward(...clipSpan(clip), bar), source: 'clip' }
  if (view.loop.enabled && view.loop.end > view.loop.start)
    return { ...outward(view.loop.start, view.loop.end, bar), source: 'loop' }
  const first = track.clips[0]
  if (first) return { ...outward(...clipSpan(first), bar), source: 'clip' }
  return { fromTick: 0, toTick: bar * 4, source: 'bars' }
}

/** Bars as people count them (1-based, `toBar` included) and back. */
export const toBars = (range: { fromTick: number; toTick: number }, bar: number) => ({
  fromBar: Math.floor(range.fromTick / bar) + 1,
  toBar: Math.ceil(range.toTick / bar),
})

export const fromBars = (fromBar: number, toBar: number, bar: number): SuggestRange => {
  const first = Math.max(1, Math.floor(fromBar))
  const last = Math.max(first, Math.floor(toBar))
  return { ...outward((first - 1) * bar, last * bar, bar), source: 'bars' }
}

/** Bars a generator writes when it declares no `bars` parameter. */
const GENERATED_BARS = 4

/**
 * The window a plugin is asked about for a range. A generator writes after what it is given (Continue and
 * Drums go on from the bar line after the last note), so its window is the range and then the bars it is
 * set to write: with the defaults, the selected clip and the four bars after it. An arranger or a
 * harmonizer writes under the range itself.
 */
export function suggestWindow(
  range: { fromTick: number; toTick: number },
  plugin: { readonly kind: PluginKind },
  values: Readonly<Record<string, ParameterValue>>,
  bar: number,
): { fromTick: number; toTick: number } {
  if (plugin.kind !== 'generator') return { fromTick: range.fromTick, toTick: range.toTick }
  const bars = typeof values.bars === 'number' && values.bars >= 1 ? Math.floor(values.bars) : GENERATED_BARS
  const toTick = Math.min(range.toTick + bars * bar, range.fromTick + MAX_WINDOW_TICKS, MAX_TICK)
  return { fromTick: range.fromTick, toTick }
}
