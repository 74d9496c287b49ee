/*
 * What the band ranker (band-ranker.ts) knows of one variation a plugin offered: a handful of interpretable
 * numbers measured against the song it would land in, so a ranked variation can say why it is where it is.
 * Pure and cheap (one pass over the notes); the server measures every variation of a suggestion with it and
 * stores the figures with the run, so a decision made later can teach the ranker without the notes.
 */

import { inScale, type Key, SIXTEENTH, type TimeSignature, ticksPerBar } from '../music/index'
import type { NotesSuggestion, TracksSuggestion } from '../plugin/index'
import type { SongWindow } from './window'

/** The features in a fixed order; the ranker's weights follow it. */
export const FEATURES = ['likelihood', 'inKey', 'rhythm', 'register', 'density'] as const
export type Feature = (typeof FEATURES)[number]
export type FeatureVector = Readonly<Record<Feature, number>>

interface TimedPitch {
  readonly pitch: number
  readonly start: number
}

export interface VariationContext {
  readonly key: Key
  readonly timeSignature: TimeSignature
  /** Window length in ticks: density is per bar of it. */
  readonly windowTicks: number
  /** Whether the target is a drum track (pitches are drum sounds: no key, no register). */
  readonly drums: boolean
  /** Onset cells (sixteenths within the bar) the other tracks play in the window: the band's rhythm. */
  readonly bandOnsets: ReadonlySet<number>
  /** Mean pitch of the target track around the window (its notes there), or null when it has none. */
  readonly register: number | null
}

const onsetCell = (tick: number, bar: number): number => Math.round((((tick % bar) + bar) % bar) / SIXTEENTH)

/** The context a plugin's variations for this window are measured against. */
export function variationContext(window: SongWindow): VariationContext {
  const bar = ticksPerBar(window.meta.timeSignature)
  const bandOnsets = new Set<number>()
  for (const t of window.context) for (const n of t.notes) bandOnsets.add(onsetCell(n.start, bar))
  const own = window.track.kind === 'drums' ? [] : window.track.notes
  return {
    key: window.meta.key,
    timeSignature: window.meta.timeSignature,
    windowTicks: window.toTick - window.fromTick,
    drums: window.track.kind === 'drums',
    bandOnsets,
    register: own.length > 0 ? own.reduce((s, n) => s + n.pitch, 0) / own.length : null,
  }
}

/**
 * The variation's figures. `likelihood` is the plugin's own mean log-probability per step when it reports
 * one (the contract's optional `likelihood`; the first-party model plugins do); a plugin that does not report
 * it gets 0 for all its variations, which the ranker's per-suggestion standardisation turns into no evidence.
 * Since every variation of a suggestion comes from one plugin, standardising there is the per-plugin
 * normalisation: plugins' log-probabilities are never compared with one another.
 *
 *   inKey     share of pitched notes in the song's key (drums: 1, a drum sound has no key)
 *   rhythm    share of the variation's onset cells (sixteenths in the bar) the rest of the band also plays
 *   register  minus the distance in octaves between the variation's mean pitch and the track's (0 unknown)
 *   density   onsets per bar
 */
export function variationFeatures(
  variation: NotesSuggestion | TracksSuggestion,
  context: VariationContext,
  likelihood = 0,
): FeatureVector {
  const notes: TimedPitch[] =
    'tracks' in variation ? variation.tracks.flatMap((t) => t.notes) : variation.notes
  const bar = ticksPerBar(context.timeSignature)
  const bars = Math.max(1, context.windowTicks / bar)
  const cells = new Set<number>()
  const onsets = new Set<number>()
  let pitchSum = 0
  let inKey = 0
  for (const n of notes) {
    cells.add(onsetCell(n.start, bar))
    onsets.add(n.start)
    pitchSum += n.pitch
    if (inScale(n.pitch, context.key)) inKey++
  }
  const followed = [...cells].filter((c) => context.bandOnsets.has(c)).length
  const mean = notes.length > 0 ? pitchSum / notes.length : null
  return {
    likelihood,
    inKey: context.drums || notes.length === 0 ? 1 : inKey / notes.length,
    rhythm: cells.size > 0 && context.bandOnsets.size > 0 ? followed / cells.size : 0,
    register:
      context.drums || mean === null || context.register === null
        ? 0
        : -Math.abs(mean - context.register) / 12,
    density: onsets.size / bars,
  }
}
