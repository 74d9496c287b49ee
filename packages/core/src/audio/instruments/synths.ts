/*
 * The melodic presets, each a Tone.PolySynth with its own voice and envelope. Chosen for low CPU so a
 * 16-track song renders faster than real time: no fat oscillators, one filter at most per voice.
 */
import type * as ToneModule from 'tone'
import { midiToFrequency } from '../timing'
import type { ToneContext, ToneLib } from '../tone'
import type { Instrument } from './instrument'

type AnyPoly = ToneModule.PolySynth<ToneModule.Synth | ToneModule.FMSynth | ToneModule.MonoSynth>

/** Wraps a PolySynth (behind an optional insert effect) as an Instrument. */
const polyInstrument = (
  synth: AnyPoly,
  output: ToneModule.ToneAudioNode,
  extra: { dispose(): void }[] = [],
): Instrument => ({
  output,
  play: (pitch, time, duration, velocity) =>
    synth.triggerAttackRelease(midiToFrequency(pitch), duration, time, velocity),
  noteOn: (pitch, time, velocity) => synth.triggerAttack(midiToFrequency(pitch), time, velocity),
  noteOff: (pitch, time) => synth.triggerRelease(midiToFrequency(pitch), time),
  releaseAll: (time) => synth.releaseAll(time),
  dispose: () => {
    synth.dispose()
    for (const node of extra) node.dispose()
  },
})

/** FM with a fast-decaying modulator: a bright hammer attack that mellows, like a struck string. */
export const createPiano = (tone: ToneLib, context: ToneContext): Instrument => {
  const synth = new tone.PolySynth({
    context,
    voice: tone.FMSynth,
    maxPolyphony: 48,
    volume: 2,
    options: {
      harmonicity: 2,
      modulationIndex: 6,
      oscillator: { type: 'sine' },
      modulation: { type: 'sine' },
      envelope: { attack: 0.003, decay: 1.6, sustain: 0.12, release: 0.9 },
      modulationEnvelope: { attack: 0.002, decay: 0.35, sustain: 0.05, release: 0.5 },
    },
  })
  return polyInstrument(synth, synth)
}

/** Sawtooth through a resonant low-pass whose envelope plucks the attack. */
export const createBass = (tone: ToneLib, context: ToneContext): Instrument => {
  const synth = new tone.PolySynth({
    context,
    voice: tone.MonoSynth,
    maxPolyphony: 6,
    volume: -8,
    options: {
      oscillator: { type: 'sawtooth' },
      filter: { type: 'lowpass', Q: 2, rolloff: -24 },
      envelope: { attack: 0.004, decay: 0.3, sustain: 0.7, release: 0.15 },
      filterEnvelope: {
        attack: 0.002,
        decay: 0.25,
        sustain: 0.2,
        release: 0.2,
        baseFrequency: 70,
        octaves: 3.2,
      },
    },
  })
  return polyInstrument(synth, synth)
}

/** A square wave, bright and direct, to sit on top of a mix. */
export const createLead = (tone: ToneLib, context: ToneContext): Instrument => {
  const synth = new tone.PolySynth({
    context,
    voice: tone.MonoSynth,
    maxPolyphony: 8,
    volume: -14,
    options: {
      oscillator: { type: 'square' },
      filter: { type: 'lowpass', Q: 1, rolloff: -12 },
      envelope: { attack: 0.01, decay: 0.2, sustain: 0.8, release: 0.25 },
      filterEnvelope: {
        attack: 0.01,
        decay: 0.4,
        sustain: 0.6,
        release: 0.3,
        baseFrequency: 900,
        octaves: 2.5,
      },
    },
  })
  return polyInstrument(synth, synth)
}

/**
 * Sawtooths with a slow swell and long release under a low-pass: a soft bed. Plain Synth voices, not AM or
 * FM: long releases keep many voices alive at once, and this was the costliest preset to render.
 */
export const createPad = (tone: ToneLib, context: ToneContext): Instrument => {
  const filter = new tone.Filter({ context, type: 'lowpass', frequency: 1800, Q: 0.3 })
  const synth = new tone.PolySynth({
    context,
    voice: tone.Synth,
    maxPolyphony: 24,
    volume: -14,
    options: {
      oscillator: { type: 'sawtooth' },
      envelope: { attack: 0.35, decay: 0.5, sustain: 0.8, release: 1.4 },
    },
  })
  synth.connect(filter)
  return polyInstrument(synth, filter, [filter])
}

/** A triangle with no sustain: short, percussive, like a plucked string or a marimba. */
export const createPluck = (tone: ToneLib, context: ToneContext): Instrument => {
  const synth = new tone.PolySynth({
    context,
    voice: tone.Synth,
    maxPolyphony: 32,
    volume: -8,
    options: {
      oscillator: { type: 'triangle' },
      envelope: { attack: 0.001, decay: 0.35, sustain: 0, release: 0.25 },
    },
  })
  return polyInstrument(synth, synth)
}
