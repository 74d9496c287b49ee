/*
 * A synthesised drum kit that plays the General MIDI percussion map: membranes for kick and toms, filtered
 * noise for snare, clap, hats and cymbals. No samples to ship or load, so the kit works offline and in Node
 * renders straight away. Not Tone's MetalSynth for the metal: its six FM pairs made a hi-hat track render
 * about 25 times slower than a kick track, and a filtered noise burst is what most drum machines use anyway.
 *
 * Each sound source is built the first time a note needs it (or when the engine announces the pitches a
 * clip will play). Tone's synths keep their parameter signals running even when silent, so a kit that only
 * plays kick, snare and hats should not pay for three metal synths it never strikes.
 */
import type * as ToneModule from 'tone'
import { type DrumVoice, drumVoice, tomFrequency } from '../../music/drums'
import { midiToFrequency } from '../../music/pitch'
import type { ToneContext, ToneLib } from '../tone'
import type { Instrument } from './instrument'
import { SourceStarts } from './source-starts'
import type { Adsr, SharedFilter } from './synths'

/** The sound sources; several GM voices can share one (snare and rim share a body, all hats one metal). */
export type Source = 'kick' | 'snareBody' | 'snareNoise' | 'clap' | 'hat' | 'crash' | 'ride' | 'toms'

const SOURCES_OF: Readonly<Record<DrumVoice, readonly Source[]>> = {
  kick: ['kick'],
  snare: ['snareBody', 'snareNoise'],
  rim: ['snareBody'],
  clap: ['clap'],
  closedHat: ['hat'],
  pedalHat: ['hat'],
  openHat: ['hat'],
  tom: ['toms'],
  crash: ['crash'],
  ride: ['ride'],
  percussion: ['toms'],
}

interface Built {
  readonly kick: ToneModule.MembraneSynth
  readonly snareBody: ToneModule.MembraneSynth
  readonly snareNoise: ToneModule.NoiseSynth
  readonly clap: ToneModule.NoiseSynth
  readonly hat: ToneModule.NoiseSynth
  readonly crash: ToneModule.NoiseSynth
  readonly ride: ToneModule.NoiseSynth
  readonly toms: ToneModule.PolySynth<ToneModule.MembraneSynth>
}

type Builders = { readonly [S in Source]: (context: ToneContext) => Built[S] }

/** A Tone MembraneSynth's settings: a sine swept down from `octaves` above the note over `pitchDecay`. */
export interface MembraneSource {
  readonly kind: 'membrane'
  readonly volumeDb: number
  readonly pitchDecay: number
  readonly octaves: number
  readonly envelope: Adsr
}

/** A Tone NoiseSynth's settings; the filter `DRUM_FILTERS` gives it decides what it sounds like. */
export interface NoiseSource {
  readonly kind: 'noise'
  readonly volumeDb: number
  readonly color: 'white' | 'pink'
  readonly envelope: Adsr
}

const membrane = (volumeDb: number, pitchDecay: number, octaves: number, decay: number, release: number) =>
  ({
    kind: 'membrane',
    volumeDb,
    pitchDecay,
    octaves,
    envelope: { attack: 0.001, decay, sustain: 0, release },
  }) as const

const noise = (volumeDb: number, color: 'white' | 'pink', attack: number, decay: number, release: number) =>
  ({ kind: 'noise', volumeDb, color, envelope: { attack, decay, sustain: 0, release } }) as const

/**
 * The kit's sources as data: the live kit builds Tone synths from it and the offline render's voices
 * (`voice-dsp.ts`) the same sounds in plain code. The toms are a polyphonic membrane (a voice per hit) at
 * `TOMS_VOLUME_DB`; their own voices play at 0 dB.
 */
export const DRUM_SOURCES: Readonly<Record<Source, MembraneSource | NoiseSource>> = {
  kick: membrane(-4, 0.045, 6, 0.45, 0.1),
  snareBody: membrane(-10, 0.02, 2, 0.12, 0.05),
  snareNoise: noise(-10, 'white', 0.001, 0.18, 0.05),
  clap: noise(8, 'pink', 0.004, 0.22, 0.05),
  // Closed, pedal and open hats share one voice, so a closed hat chokes a ringing open one, as on a real kit.
  hat: noise(-4, 'white', 0.001, 0.06, 0.02),
  crash: noise(-8, 'white', 0.001, 1.5, 0.8),
  ride: noise(-8, 'white', 0.001, 0.9, 0.4),
  toms: membrane(0, 0.08, 2, 0.35, 0.1),
}

export const TOMS_VOLUME_DB = -8

/**
 * Filters that colour a noise source; the rest go straight to the kit's output. Live, Tone's BiquadFilter (the
 * native node, its params set directly), not Tone's Filter: that one drives frequency, Q, gain and detune from
 * four running ConstantSources, so its biquad works out its coefficients every sample for a fixed setting.
 */
export const DRUM_FILTERS: Readonly<Partial<Record<Source, SharedFilter>>> = {
  snareNoise: { type: 'highpass', frequency: 1200, Q: 1 },
  clap: { type: 'bandpass', frequency: 1300, Q: 1.2 },
  hat: { type: 'highpass', frequency: 7000, Q: 0.7 },
  crash: { type: 'highpass', frequency: 3500, Q: 0.5 },
  ride: { type: 'bandpass', frequency: 6000, Q: 0.9 },
}

const builders = (tone: ToneLib): Builders => {
  const synth = (spec: MembraneSource | NoiseSource, context: ToneContext) =>
    spec.kind === 'membrane'
      ? new tone.MembraneSynth({
          context,
          volume: spec.volumeDb,
          pitchDecay: spec.pitchDecay,
          octaves: spec.octaves,
          envelope: spec.envelope,
        })
      : new tone.NoiseSynth({
          context,
          volume: spec.volumeDb,
          noise: { type: spec.color },
          envelope: spec.envelope,
        })
  const membraneOf = (context: ToneContext, source: Source) =>
    synth(DRUM_SOURCES[source], context) as ToneModule.MembraneSynth
  const noiseOf = (context: ToneContext, source: Source) =>
    synth(DRUM_SOURCES[source], context) as ToneModule.NoiseSynth
  const toms = DRUM_SOURCES.toms as MembraneSource
  return {
    kick: (context) => membraneOf(context, 'kick'),
    snareBody: (context) => membraneOf(context, 'snareBody'),
    snareNoise: (context) => noiseOf(context, 'snareNoise'),
    clap: (context) => noiseOf(context, 'clap'),
    hat: (context) => noiseOf(context, 'hat'),
    crash: (context) => noiseOf(context, 'crash'),
    ride: (context) => noiseOf(context, 'ride'),
    toms: (context) =>
      new tone.PolySynth({
        context,
        voice: tone.MembraneSynth,
        maxPolyphony: 6,
        volume: TOMS_VOLUME_DB,
        options: { pitchDecay: toms.pitchDecay, octaves: toms.octaves, envelope: toms.envelope },
      }),
  }
}

const insertFor = (tone: ToneLib, context: ToneContext, source: Source): ToneModule.BiquadFilter | null => {
  const filter = DRUM_FILTERS[source]
  return filter === undefined ? null : new tone.BiquadFilter({ context, ...filter })
}

/** One strike of one source: what a kit's hit turns into (a snare is two, body and noise). */
export interface Strike {
  readonly source: Source
  readonly time: number
  readonly velocity: number
  /** How long until the release; the envelope's decay may end the sound sooner. */
  readonly duration: number
  /** Membranes: the note's frequency. */
  readonly frequency: number
  /** The hat's decay, which the open hat lengthens. */
  readonly decay?: number
}

/**
 * The kit's playing rules, shared by the live kit and the offline voices: which sources a GM note strikes,
 * how, and when. Every source but the toms is monophonic: each start goes through `starts`, and a second hit
 * on one source at one instant (snare 38 and 40, snare and rim, the same note in two overlapping clips)
 * merges into the first. See source-starts.ts for why Tone needs this.
 */
export const drumStriker = () => {
  const starts = new SourceStarts<Source>()
  let hatOpen = false
  return (note: number, time: number, velocity: number, now: number): Strike[] => {
    const strikes: Strike[] = []
    const strike = (source: Source, frequency: number, duration: number, v: number): void => {
      if (starts.repeats(source, time)) return
      strikes.push({ source, time: starts.start(source, time, now), velocity: v, duration, frequency })
    }
    const voice = drumVoice(note)
    switch (voice) {
      case 'kick':
        strike('kick', 48, 0.3, velocity)
        break
      case 'snare':
        strike('snareBody', 185, 0.1, velocity)
        strike('snareNoise', 0, 0.15, velocity)
        break
      case 'rim':
        strike('snareBody', 420, 0.03, velocity * 0.8)
        break
      case 'clap':
        strike('clap', 0, 0.18, velocity)
        break
      case 'closedHat':
      case 'pedalHat':
      case 'openHat': {
        const open = voice === 'openHat'
        // A closed or pedal hat on the open hat's step would choke it a millisecond later, so at one instant
        // the open hat wins: it replaces a closed one struck first, and a closed one struck after it merges.
        if (starts.repeats('hat', time) && (hatOpen || !open)) break
        hatOpen = open
        strikes.push({
          source: 'hat',
          time: starts.start('hat', time, now),
          velocity: voice === 'pedalHat' ? velocity * 0.6 : velocity,
          duration: open ? 0.4 : 0.05,
          frequency: 0,
          decay: open ? 0.45 : 0.06,
        })
        break
      }
      case 'crash':
        strike('crash', 0, 1.2, velocity)
        break
      case 'ride':
        strike('ride', 0, 0.6, velocity)
        break
      // The toms are polyphonic: a voice per hit, so hits on one step need no care.
      case 'tom':
        strikes.push({ source: 'toms', time, velocity, duration: 0.3, frequency: tomFrequency(note) })
        break
      case 'percussion':
        strikes.push({
          source: 'toms',
          time,
          velocity: velocity * 0.7,
          duration: 0.08,
          frequency: midiToFrequency(note),
        })
        break
    }
    return strikes
  }
}

export const createDrumKit = (tone: ToneLib, context: ToneContext): Instrument => {
  const out = new tone.Gain({ context, gain: 1 })
  const make = builders(tone)
  const built: Partial<Built> = {}
  const nodes: ToneModule.ToneAudioNode[] = [out]

  const source = <S extends Source>(name: S): Built[S] => {
    const existing = built[name]
    if (existing !== undefined) return existing as Built[S]
    const node = make[name](context) as Built[S]
    const insert = insertFor(tone, context, name)
    if (insert === null) node.connect(out)
    else node.chain(insert, out)
    nodes.push(node, ...(insert === null ? [] : [insert]))
    ;(built as Record<S, Built[S]>)[name] = node
    return node
  }

  const striker = drumStriker()
  const hit = (note: number, time: number, velocity: number): void => {
    for (const { source: name, time: at, velocity: v, duration, frequency, decay } of striker(
      note,
      time,
      velocity,
      context.currentTime,
    )) {
      if (name === 'toms') source('toms').triggerAttackRelease(frequency, duration, at, v)
      else if (DRUM_SOURCES[name].kind === 'membrane')
        (source(name) as ToneModule.MembraneSynth).triggerAttackRelease(frequency, duration, at, v)
      else {
        const synth = source(name) as ToneModule.NoiseSynth
        if (decay !== undefined) synth.envelope.decay = decay
        synth.triggerAttackRelease(duration, at, v)
      }
    }
  }

  return {
    output: out,
    // Drums ignore the note length: a hit is a hit (GM drum notes are often written with tiny durations).
    play: (pitch, time, _duration, velocity) => hit(pitch, time, velocity),
    noteOn: (pitch, time, velocity) => hit(pitch, time, velocity),
    noteOff: () => {},
    prepare: (pitches) => {
      for (const pitch of pitches) for (const name of SOURCES_OF[drumVoice(pitch)]) source(name)
    },
    releaseAll: (time) => {
      built.toms?.releaseAll(time)
    },
    dispose: () => {
      for (const node of nodes) node.dispose()
    },
  }
}
