import type { SongWindow, WindowTrack } from '@ensemble/core'
import {
  type ContextTrack,
  MAX_CONTEXT_TRACKS,
  type PluginNote,
  type SuggestInput,
} from '@ensemble/core/plugin'

/**
 * The server's window of the song, in the plugin contract's shape: note starts count from the
 * window's start (docs/PLUGINS.md), `fromTick`/`toTick` stay absolute. `readWindow` already cut
 * notes sounding across the edges to the window, so every start here is ≥ 0.
 */

const relative = (track: WindowTrack, fromTick: number): PluginNote[] =>
  track.notes.map((n) => ({
    pitch: n.pitch,
    start: n.start - fromTick,
    duration: n.duration,
    velocity: n.velocity,
  }))

export interface RunSettings {
  parameters: Record<string, number | boolean | string>
  seed: number
  variations: number
  deadlineMs: number
}

export function toSuggestInput(window: SongWindow, settings: RunSettings): SuggestInput {
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
