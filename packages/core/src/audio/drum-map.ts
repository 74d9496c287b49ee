/*
 * The General MIDI percussion map (channel 10) reduced to the voices the synthesised kit has. Shared by the
 * kit (which voice sounds) and the drum editor (row names), so both agree on what a note means.
 */

export type DrumVoice =
  | 'kick'
  | 'snare'
  | 'rim'
  | 'clap'
  | 'closedHat'
  | 'pedalHat'
  | 'openHat'
  | 'tom'
  | 'crash'
  | 'ride'
  | 'percussion'

export interface DrumSound {
  readonly note: number
  readonly name: string
  readonly voice: DrumVoice
}

/** GM drum notes 35-81 that the kit plays; anything else is played as short `percussion`. */
export const GM_DRUMS: readonly DrumSound[] = [
  { note: 35, name: 'Acoustic Bass Drum', voice: 'kick' },
  { note: 36, name: 'Bass Drum 1', voice: 'kick' },
  { note: 37, name: 'Side Stick', voice: 'rim' },
  { note: 38, name: 'Acoustic Snare', voice: 'snare' },
  { note: 39, name: 'Hand Clap', voice: 'clap' },
  { note: 40, name: 'Electric Snare', voice: 'snare' },
  { note: 41, name: 'Low Floor Tom', voice: 'tom' },
  { note: 42, name: 'Closed Hi-Hat', voice: 'closedHat' },
  { note: 43, name: 'High Floor Tom', voice: 'tom' },
  { note: 44, name: 'Pedal Hi-Hat', voice: 'pedalHat' },
  { note: 45, name: 'Low Tom', voice: 'tom' },
  { note: 46, name: 'Open Hi-Hat', voice: 'openHat' },
  { note: 47, name: 'Low-Mid Tom', voice: 'tom' },
  { note: 48, name: 'Hi-Mid Tom', voice: 'tom' },
  { note: 49, name: 'Crash Cymbal 1', voice: 'crash' },
  { note: 50, name: 'High Tom', voice: 'tom' },
  { note: 51, name: 'Ride Cymbal 1', voice: 'ride' },
  { note: 52, name: 'Chinese Cymbal', voice: 'crash' },
  { note: 53, name: 'Ride Bell', voice: 'ride' },
  { note: 55, name: 'Splash Cymbal', voice: 'crash' },
  { note: 57, name: 'Crash Cymbal 2', voice: 'crash' },
  { note: 59, name: 'Ride Cymbal 2', voice: 'ride' },
]

const byNote = new Map(GM_DRUMS.map((d) => [d.note, d]))

export const drumVoice = (note: number): DrumVoice => byNote.get(note)?.voice ?? 'percussion'

export const drumName = (note: number): string => byNote.get(note)?.name ?? `Percussion ${note}`

/**
 * Toms are one voice tuned by note: GM orders them low (41) to high (50), so the pitch follows the note
 * number, about a whole tone apart, from a low floor tom near 80 Hz.
 */
export const tomFrequency = (note: number): number => 80 * 2 ** ((note - 41) / 6)
