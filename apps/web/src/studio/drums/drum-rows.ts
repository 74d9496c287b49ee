/**
 * The rows of the step editor: the General MIDI percussion notes a kit most often uses, top to bottom as
 * drummers read them (cymbals, hats, toms, snares, kick). Names follow the GM percussion map, the same
 * names the audio engine's kit uses (packages/core/src/audio/drum-map.ts).
 */
export interface DrumRow {
  readonly pitch: number
  readonly name: string
  readonly short: string
}

export const DRUM_ROWS: readonly DrumRow[] = [
  { pitch: 49, name: 'Crash Cymbal 1', short: 'Crash' },
  { pitch: 51, name: 'Ride Cymbal 1', short: 'Ride' },
  { pitch: 46, name: 'Open Hi-Hat', short: 'Open hat' },
  { pitch: 42, name: 'Closed Hi-Hat', short: 'Closed hat' },
  { pitch: 44, name: 'Pedal Hi-Hat', short: 'Pedal hat' },
  { pitch: 50, name: 'High Tom', short: 'High tom' },
  { pitch: 47, name: 'Low-Mid Tom', short: 'Mid tom' },
  { pitch: 43, name: 'High Floor Tom', short: 'Floor tom' },
  { pitch: 39, name: 'Hand Clap', short: 'Clap' },
  { pitch: 37, name: 'Side Stick', short: 'Rim' },
  { pitch: 38, name: 'Acoustic Snare', short: 'Snare' },
  { pitch: 36, name: 'Bass Drum 1', short: 'Kick' },
]

const GM_NAMES: Record<number, string> = {
  35: 'Kick 2',
  40: 'E. Snare',
  41: 'Low floor tom',
  45: 'Low tom',
  48: 'Hi-mid tom',
  52: 'China',
  53: 'Ride bell',
  54: 'Tambourine',
  55: 'Splash',
  56: 'Cowbell',
  57: 'Crash 2',
  59: 'Ride 2',
}

/** A short name for any drum note, for row labels in the step grid and the piano roll. */
export function drumRowName(pitch: number): string | null {
  return DRUM_ROWS.find((r) => r.pitch === pitch)?.short ?? GM_NAMES[pitch] ?? null
}
