import type { TrackKind } from '@ensemble/core'

/**
 * The presets a track can pick, by id. Mirrors the audio engine's catalogue (`INSTRUMENT_PRESETS` in
 * packages/core/src/audio/presets.ts) until core exports it as `@ensemble/core/audio`; the ids are the
 * song's `instrument` values, so the two must stay equal.
 */
export interface InstrumentChoice {
  readonly id: string
  readonly name: string
  readonly kind: Exclude<TrackKind, 'audio'>
}

export const INSTRUMENT_CHOICES: readonly InstrumentChoice[] = [
  { id: 'piano', name: 'Piano', kind: 'instrument' },
  { id: 'bass', name: 'Bass', kind: 'instrument' },
  { id: 'lead', name: 'Lead', kind: 'instrument' },
  { id: 'pad', name: 'Pad', kind: 'instrument' },
  { id: 'pluck', name: 'Pluck', kind: 'instrument' },
  { id: 'drum-kit', name: 'Drum kit', kind: 'drums' },
]

export const DEFAULT_INSTRUMENT: Readonly<Record<Exclude<TrackKind, 'audio'>, string>> = {
  instrument: 'piano',
  drums: 'drum-kit',
}
