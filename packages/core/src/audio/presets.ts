/*
 * The instrument catalogue as data: preset ids, their labels, and how a track's `instrument` field picks one.
 * Pure (no Tone.js), so the studio UI can list presets without loading the audio stack.
 */
import type { TrackKind } from '../song/index'

export const PRESET_IDS = ['piano', 'bass', 'lead', 'pad', 'pluck', 'drum-kit'] as const
export type PresetId = (typeof PRESET_IDS)[number]

export interface PresetInfo {
  readonly id: PresetId
  readonly name: string
  /** The track kind the preset is made for; the UI offers a preset to tracks of that kind. */
  readonly kind: Exclude<TrackKind, 'audio'>
}

export const INSTRUMENT_PRESETS: readonly PresetInfo[] = [
  { id: 'piano', name: 'Piano', kind: 'instrument' },
  { id: 'bass', name: 'Bass', kind: 'instrument' },
  { id: 'lead', name: 'Lead', kind: 'instrument' },
  { id: 'pad', name: 'Pad', kind: 'instrument' },
  { id: 'pluck', name: 'Pluck', kind: 'instrument' },
  { id: 'drum-kit', name: 'Drum kit (synthesised)', kind: 'drums' },
]

export const DEFAULT_PRESET: Readonly<Record<Exclude<TrackKind, 'audio'>, PresetId>> = {
  instrument: 'piano',
  drums: 'drum-kit',
}

const isPresetId = (value: string): value is PresetId => (PRESET_IDS as readonly string[]).includes(value)

/**
 * The preset a track plays. The `instrument` field is free text written by people, plugins and imports
 * (an arranger may say `bass-fingered`), so an unknown id falls back to its family (the part before the
 * first `-`, `.` or space), then to the kind's default. A drums track always plays a kit: its notes are a
 * General MIDI drum map, which sounds like nonsense on a melodic preset. Audio tracks have no instrument.
 */
export const resolvePreset = (kind: TrackKind, instrument: string | null): PresetId | null => {
  if (kind === 'audio') return null
  const wanted = instrument?.toLowerCase() ?? ''
  const family = wanted.split(/[-. ]/)[0] ?? ''
  const found = isPresetId(wanted) ? wanted : isPresetId(family) ? family : null
  if (kind === 'drums') return found === 'drum-kit' ? found : DEFAULT_PRESET.drums
  return found ?? DEFAULT_PRESET.instrument
}
