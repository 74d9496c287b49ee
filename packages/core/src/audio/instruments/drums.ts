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

/** The sound sources; several GM voices can share one (snare and rim share a body, all hats one metal). */
type Source = 'kick' | 'snareBody' | 'snareNoise' | 'clap' | 'hat' | 'crash' | 'ride' | 'toms'

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

/** White noise with a percussive envelope; the filter `insertFor` adds decides what it sounds like. */
const noise = (tone: ToneLib, context: ToneContext, volume: number, decay: number, release: number) =>
  new tone.NoiseSynth({
    context,
    volume,
    noise: { type: 'white' },
    envelope: { attack: 0.001, decay, sustain: 0, release },
  })

const builders = (tone: ToneLib): Builders => ({
  kick: (context) =>
    new tone.MembraneSynth({
      context,
      volume: -4,
      pitchDecay: 0.045,
      octaves: 6,
      envelope: { attack: 0.001, decay: 0.45, sustain: 0, release: 0.1 },
    }),
  snareBody: (context) =>
    new tone.MembraneSynth({
      context,
      volume: -10,
      pitchDecay: 0.02,
      octaves: 2,
      envelope: { attack: 0.001, decay: 0.12, sustain: 0, release: 0.05 },
    }),
  snareNoise: (context) =>
    new tone.NoiseSynth({
      context,
      volume: -10,
      noise: { type: 'white' },
      envelope: { attack: 0.001, decay: 0.18, sustain: 0, release: 0.05 },
    }),
  clap: (context) =>
    new tone.NoiseSynth({
      context,
      volume: 8,
      noise: { type: 'pink' },
      envelope: { attack: 0.004, decay: 0.22, sustain: 0, release: 0.05 },
    }),
  // Closed, pedal and open hats share one voice, so a closed hat chokes a ringing open one, as on a real kit.
  hat: (context) => noise(tone, context, -4, 0.06, 0.02),
  crash: (context) => noise(tone, context, -8, 1.5, 0.8),
  ride: (context) => noise(tone, context, -8, 0.9, 0.4),
  toms: (context) =>
    new tone.PolySynth({
      context,
      voice: tone.MembraneSynth,
      maxPolyphony: 6,
      volume: -8,
      options: {
        pitchDecay: 0.08,
        octaves: 2,
        envelope: { attack: 0.001, decay: 0.35, sustain: 0, release: 0.1 },
      },
    }),
})

/**
 * Filters that colour a noise source; the rest go straight to the kit's output. Tone's BiquadFilter (the
 * native node, its params set directly), not Tone's Filter: that one drives frequency, Q, gain and detune from
 * four running ConstantSources, so its biquad works out its coefficients every sample for a fixed setting.
 */
const insertFor = (tone: ToneLib, context: ToneContext, source: Source): ToneModule.BiquadFilter | null => {
  if (source === 'snareNoise') return new tone.BiquadFilter({ context, type: 'highpass', frequency: 1200 })
  if (source === 'clap') return new tone.BiquadFilter({ context, type: 'bandpass', frequency: 1300, Q: 1.2 })
  if (source === 'hat') return new tone.BiquadFilter({ context, type: 'highpass', frequency: 7000, Q: 0.7 })
  if (source === 'crash') return new tone.BiquadFilter({ context, type: 'highpass', frequency: 3500, Q: 0.5 })
  if (source === 'ride') return new tone.BiquadFilter({ context, type: 'bandpass', frequency: 6000, Q: 0.9 })
  return null
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

  // Every source but the toms is monophonic: each start goes through `starts`, and a second hit on one source
  // at one instant (snare 38 and 40, snare and rim, the same note in two overlapping clips) merges into the
  // first. See source-starts.ts for why Tone needs this.
  const starts = new SourceStarts<Source>()
  let hatOpen = false
  const strike = (name: Source, time: number, play: (at: number) => void): void => {
    if (starts.repeats(name, time)) return
    play(starts.start(name, time, context.currentTime))
  }

  const hit = (note: number, time: number, velocity: number): void => {
    const voice = drumVoice(note)
    switch (voice) {
      case 'kick':
        strike('kick', time, (t) => source('kick').triggerAttackRelease(48, 0.3, t, velocity))
        return
      case 'snare':
        strike('snareBody', time, (t) => source('snareBody').triggerAttackRelease(185, 0.1, t, velocity))
        strike('snareNoise', time, (t) => source('snareNoise').triggerAttackRelease(0.15, t, velocity))
        return
      case 'rim':
        strike('snareBody', time, (t) =>
          source('snareBody').triggerAttackRelease(420, 0.03, t, velocity * 0.8),
        )
        return
      case 'clap':
        strike('clap', time, (t) => source('clap').triggerAttackRelease(0.18, t, velocity))
        return
      case 'closedHat':
      case 'pedalHat':
      case 'openHat': {
        const open = voice === 'openHat'
        // A closed or pedal hat on the open hat's step would choke it a millisecond later, so at one instant
        // the open hat wins: it replaces a closed one struck first, and a closed one struck after it merges.
        if (starts.repeats('hat', time) && (hatOpen || !open)) return
        const hat = source('hat')
        const t = starts.start('hat', time, context.currentTime)
        hatOpen = open
        hat.envelope.decay = open ? 0.45 : 0.06
        hat.triggerAttackRelease(open ? 0.4 : 0.05, t, voice === 'pedalHat' ? velocity * 0.6 : velocity)
        return
      }
      case 'crash':
        strike('crash', time, (t) => source('crash').triggerAttackRelease(1.2, t, velocity))
        return
      case 'ride':
        strike('ride', time, (t) => source('ride').triggerAttackRelease(0.6, t, velocity))
        return
      // The toms are a PolySynth: a voice per hit, so hits on one step need no care.
      case 'tom':
        source('toms').triggerAttackRelease(tomFrequency(note), 0.3, time, velocity)
        return
      case 'percussion':
        source('toms').triggerAttackRelease(midiToFrequency(note), 0.08, time, velocity * 0.7)
        return
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
