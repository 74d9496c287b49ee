/*
 * What a note on a drums track means, stated once: the General MIDI percussion map (notes 35-81) plus the
 * articulations of the Roland V-Drums kits that recorded the Groove MIDI Dataset (Magenta), whose files use
 * notes GM leaves empty (22 and 26: hi-hat edge) or reads differently (58: the floor tom's rim, GM's
 * Vibraslap). Their names and sounds follow the dataset's published pitch mapping: 22 is a closed hi-hat,
 * 26 an open hi-hat, 58 a high floor tom. MIDI import keeps a file's notes as they are; the step grid names
 * its rows from here and the synthesised kit picks each note's sound from here.
 */

/** The synthesised kit's voices; every drum note is played as one of these. */
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
  /** The map's own name (GM, or the Roland articulation). */
  readonly name: string
  /** A row label that fits the step grid. */
  readonly short: string
  readonly voice: DrumVoice
  /**
   * The GM note whose sound it takes: itself for GM notes, the drum it is an articulation of for the Roland
   * ones (a tom's tuning follows this note).
   */
  readonly soundsAs: number
}

const gm = (note: number, name: string, short: string, voice: DrumVoice): DrumSound => ({
  note,
  name,
  short,
  voice,
  soundsAs: note,
})

const articulation = (note: number, name: string, short: string, of: DrumSound): DrumSound => ({
  note,
  name,
  short,
  voice: of.voice,
  soundsAs: of.note,
})

const GM: readonly DrumSound[] = [
  gm(35, 'Acoustic Bass Drum', 'Kick 2', 'kick'),
  gm(36, 'Bass Drum 1', 'Kick', 'kick'),
  gm(37, 'Side Stick', 'Rim', 'rim'),
  gm(38, 'Acoustic Snare', 'Snare', 'snare'),
  gm(39, 'Hand Clap', 'Clap', 'clap'),
  gm(40, 'Electric Snare', 'Snare 2', 'snare'),
  gm(41, 'Low Floor Tom', 'Low floor tom', 'tom'),
  gm(42, 'Closed Hi-Hat', 'Closed hat', 'closedHat'),
  gm(43, 'High Floor Tom', 'Floor tom', 'tom'),
  gm(44, 'Pedal Hi-Hat', 'Pedal hat', 'pedalHat'),
  gm(45, 'Low Tom', 'Low tom', 'tom'),
  gm(46, 'Open Hi-Hat', 'Open hat', 'openHat'),
  gm(47, 'Low-Mid Tom', 'Mid tom', 'tom'),
  gm(48, 'Hi-Mid Tom', 'Hi-mid tom', 'tom'),
  gm(49, 'Crash Cymbal 1', 'Crash', 'crash'),
  gm(50, 'High Tom', 'High tom', 'tom'),
  gm(51, 'Ride Cymbal 1', 'Ride', 'ride'),
  gm(52, 'Chinese Cymbal', 'China', 'crash'),
  gm(53, 'Ride Bell', 'Ride bell', 'ride'),
  gm(54, 'Tambourine', 'Tambourine', 'closedHat'),
  gm(55, 'Splash Cymbal', 'Splash', 'crash'),
  gm(56, 'Cowbell', 'Cowbell', 'percussion'),
  gm(57, 'Crash Cymbal 2', 'Crash 2', 'crash'),
  gm(58, 'Vibraslap', 'Vibraslap', 'percussion'),
  gm(59, 'Ride Cymbal 2', 'Ride 2', 'ride'),
  gm(60, 'Hi Bongo', 'Hi bongo', 'percussion'),
  gm(61, 'Low Bongo', 'Low bongo', 'percussion'),
  gm(62, 'Mute Hi Conga', 'Mute conga', 'percussion'),
  gm(63, 'Open Hi Conga', 'Hi conga', 'percussion'),
  gm(64, 'Low Conga', 'Low conga', 'percussion'),
  gm(65, 'High Timbale', 'Hi timbale', 'percussion'),
  gm(66, 'Low Timbale', 'Low timbale', 'percussion'),
  gm(67, 'High Agogo', 'Hi agogo', 'percussion'),
  gm(68, 'Low Agogo', 'Low agogo', 'percussion'),
  gm(69, 'Cabasa', 'Cabasa', 'closedHat'),
  gm(70, 'Maracas', 'Maracas', 'closedHat'),
  gm(71, 'Short Whistle', 'Whistle', 'percussion'),
  gm(72, 'Long Whistle', 'Long whistle', 'percussion'),
  gm(73, 'Short Guiro', 'Guiro', 'percussion'),
  gm(74, 'Long Guiro', 'Long guiro', 'percussion'),
  gm(75, 'Claves', 'Claves', 'rim'),
  gm(76, 'Hi Wood Block', 'Hi block', 'rim'),
  gm(77, 'Low Wood Block', 'Low block', 'rim'),
  gm(78, 'Mute Cuica', 'Mute cuica', 'percussion'),
  gm(79, 'Open Cuica', 'Cuica', 'percussion'),
  gm(80, 'Mute Triangle', 'Triangle', 'closedHat'),
  gm(81, 'Open Triangle', 'Open triangle', 'openHat'),
]

const gmNote = (note: number): DrumSound => GM.find((d) => d.note === note)!

/** The Roland articulations GM has no note for, or that the Groove MIDI files use in place of a GM note. */
const ROLAND: readonly DrumSound[] = [
  articulation(22, 'Closed Hi-Hat (Edge)', 'Closed hat edge', gmNote(42)),
  articulation(26, 'Open Hi-Hat (Edge)', 'Open hat edge', gmNote(46)),
  articulation(58, 'Floor Tom (Rim)', 'Floor tom rim', gmNote(43)),
]

/** Every drum note the studio knows, by note number: GM 35-81, with the Roland articulations in place. */
export const DRUM_SOUNDS: readonly DrumSound[] = [
  ...ROLAND.filter((r) => !GM.some((d) => d.note === r.note)),
  ...GM.map((d) => ROLAND.find((r) => r.note === d.note) ?? d),
]

const byNote = new Map(DRUM_SOUNDS.map((d) => [d.note, d]))

export const drumSound = (note: number): DrumSound | undefined => byNote.get(note)

/** The voice that plays a note; a note outside the map is short `percussion`. */
export const drumVoice = (note: number): DrumVoice => byNote.get(note)?.voice ?? 'percussion'

export const drumName = (note: number): string => byNote.get(note)?.name ?? `Percussion ${note}`

/** A row label for the step grid and the piano roll's drum lanes. */
export const drumShortName = (note: number): string => byNote.get(note)?.short ?? `Percussion ${note}`

/**
 * Toms are one voice tuned by note: GM orders them low (41) to high (50), so the pitch follows the note the
 * sound takes, about a whole tone apart, from a low floor tom near 80 Hz.
 */
export const tomFrequency = (note: number): number =>
  80 * 2 ** (((byNote.get(note)?.soundsAs ?? note) - 41) / 6)

/** The GM notes a generated groove or a fixture writes by name (the kit's most used pieces). */
export const GM_DRUM = {
  kick: 36,
  rim: 37,
  snare: 38,
  clap: 39,
  closedHat: 42,
  floorTom: 43,
  pedalHat: 44,
  openHat: 46,
  midTom: 47,
  crash: 49,
  highTom: 50,
  ride: 51,
} as const satisfies Record<string, number>
