/*
 * General MIDI programs to and from our presets. A preset stands for a family of sounds, so import maps a
 * program's family to the closest preset and export writes one representative program per preset, which is
 * what another DAW will load for the track.
 */
import type { PresetId } from '../audio/presets'

/** GM program (0-127) to the preset that plays that family best. */
export const presetForProgram = (program: number): PresetId => {
  if (program < 8) return 'piano' // pianos
  if (program < 16) return 'pluck' // chromatic percussion: celesta, marimba, vibes
  if (program < 24) return 'pad' // organs
  if (program < 32) return 'pluck' // guitars
  if (program < 40) return 'bass'
  if (program < 56) return 'pad' // strings, ensembles, choirs
  if (program < 88) return 'lead' // brass, reeds, pipes, synth leads
  if (program < 96) return 'pad' // synth pads
  if (program < 104) return 'pad' // synth effects
  if (program < 112) return 'pluck' // ethnic: sitar, banjo, koto
  return 'piano'
}

/** The program written for each melodic preset. */
export const PROGRAM_FOR_PRESET: Readonly<Record<Exclude<PresetId, 'drum-kit'>, number>> = {
  piano: 0, // Acoustic Grand Piano
  bass: 33, // Electric Bass (finger)
  lead: 80, // Lead 1 (square)
  pad: 89, // Pad 2 (warm)
  pluck: 24, // Acoustic Guitar (nylon)
}

/** MIDI channel 10 (9 counting from 0) is the General MIDI percussion channel. */
export const DRUM_CHANNEL = 9
