/*
 * The melodic presets. Each note is a few native Web Audio nodes (oscillators, at most two filters, an
 * envelope gain) built when it starts and left to the garbage collector once it has rung out, so silence
 * costs nothing and a dense 16-track song renders faster than real time.
 *
 * Not Tone's PolySynth: each of its voices is a Tone synth of 10-20 nodes whose parameter signals run for
 * the voice's whole life, and in an offline context its voice collector drops idle voices without
 * disposing them (they stay connected and running), so long renders got slower the further they went. The
 * envelopes below follow Tone's (linear attack, exponential decay and release with its time constants),
 * so the presets sound as they did.
 */
import type * as ToneModule from 'tone'
import { midiToFrequency } from '../../music/pitch'
import type { PresetId } from '../presets'
import type { ToneContext, ToneLib } from '../tone'
import type { Instrument } from './instrument'
import type { ParamTimeline } from './scheduled-values'

export interface Adsr {
  readonly attack: number
  readonly decay: number
  readonly sustain: number
  readonly release: number
}

export interface FilterSpec {
  readonly type: BiquadFilterType
  readonly Q: number
  /** Two cascaded biquads (24 dB/octave) or one (12). */
  readonly poles: 1 | 2
  /** Cutoff = base + (base * 2^octaves - base) * envelope², as Tone's MonoSynth filter envelope. */
  readonly envelope: Adsr & { readonly baseFrequency: number; readonly octaves: number }
}

export interface VoiceSpec {
  readonly oscillator: OscillatorType
  readonly envelope: Adsr
  readonly volumeDb: number
  /** A sine modulating the carrier's frequency: ratio to the note's frequency, depth in note frequencies. */
  readonly fm?: { readonly harmonicity: number; readonly index: number; readonly envelope: Adsr }
  readonly filter?: FilterSpec
}

/** Tone's exponential approach: a target reached to within 1/200 after `seconds`. */
export const timeConstant = (seconds: number): number => Math.log(seconds + 1) / Math.log(200)

/** One envelope on one parameter: attack to `floor + peak`, decay towards `floor + peak * sustain`. */
export interface Shaped {
  readonly param: ParamTimeline
  readonly env: Adsr
  readonly start: number
  readonly peak: number
  readonly floor: number
}

/** Schedules the attack and decay, as Tone's Envelope.triggerAttack (linear attack, exponential decay). */
export const attackDecay = (shaped: Shaped): void => {
  const { param, env, start, peak, floor } = shaped
  param.setValueAtTime(floor, start)
  param.linearRampToValueAtTime(floor + peak, start + env.attack)
  if (env.sustain < 1)
    param.setTargetAtTime(floor + peak * env.sustain, start + env.attack, timeConstant(env.decay))
}

/** What `attackDecay` has the parameter at, at `time`. */
const valueAt = ({ env, start, peak, floor }: Shaped, time: number): number => {
  if (time <= start) return floor
  if (time < start + env.attack) return floor + (peak * (time - start)) / env.attack
  if (env.sustain >= 1) return floor + peak
  const target = peak * env.sustain
  return floor + target + (peak - target) * Math.exp(-(time - start - env.attack) / timeConstant(env.decay))
}

/**
 * Releases towards `floor` from `time`. The release starts from an explicit value: node-web-audio-api
 * produces garbage (values in the thousands) when a setTargetAtTime that has already converged is followed
 * by another one, so the decay's end is written out first. Anything scheduled after `time` is dropped.
 */
export const release = (shaped: Shaped, time: number): void => {
  const { param, env, floor } = shaped
  param.cancelScheduledValues(time)
  param.setValueAtTime(valueAt(shaped, time), time)
  param.setTargetAtTime(floor, time, timeConstant(env.release))
}

// Built through the context's factory methods: Tone's contexts are standardized-audio-context wrappers, which
// the native node constructors do not accept.
const oscillator = (raw: BaseAudioContext, type: OscillatorType, frequency: number): OscillatorNode => {
  const node = raw.createOscillator()
  node.type = type
  node.frequency.value = frequency
  return node
}

const gain = (raw: BaseAudioContext): GainNode => {
  const node = raw.createGain()
  node.gain.value = 0
  return node
}

interface Voice {
  readonly params: readonly Shaped[]
  readonly oscillators: readonly OscillatorNode[]
  /** When the note's release starts (Infinity for a held live note). */
  releaseAt: number
}

/**
 * An instrument that builds a voice of native nodes per note, from a spec. `insert` (a Tone node) sits
 * between the voices and the output and is shared by all of them (the pad's filter).
 */
const voicedInstrument = (
  tone: ToneLib,
  context: ToneContext,
  spec: VoiceSpec,
  insert: ToneModule.ToneAudioNode | null = null,
): Instrument => {
  const raw = context.rawContext as BaseAudioContext
  const output = new tone.Gain({ context, gain: tone.dbToGain(spec.volumeDb) })
  // Voices meet on a Tone.Gain, whose input is a plain GainNode they can connect to natively.
  const bus = insert === null ? output : new tone.Gain({ context })
  if (insert !== null) bus.chain(insert, output)
  const destination = bus.input as AudioNode
  /** Voices that may still sound; pruned as they end. Live notes are also keyed by pitch. */
  const sounding = new Set<Voice>()
  const held = new Map<number, Voice>()
  const ringOut = longestRelease(spec)

  const start = (pitch: number, time: number, velocity: number): Voice => {
    const frequency = midiToFrequency(pitch)
    const carrier = oscillator(raw, spec.oscillator, frequency)
    const amp = gain(raw)
    const params: Shaped[] = [{ param: amp.gain, env: spec.envelope, start: time, peak: velocity, floor: 0 }]
    const oscillators = [carrier]
    const nodes: AudioNode[] = [carrier, amp]
    let chainEnd: AudioNode = carrier
    if (spec.fm) {
      const modulator = oscillator(raw, 'sine', frequency * spec.fm.harmonicity)
      const depth = gain(raw)
      const peak = frequency * spec.fm.index
      params.push({ param: depth.gain, env: spec.fm.envelope, start: time, peak, floor: 0 })
      modulator.connect(depth).connect(carrier.frequency)
      oscillators.push(modulator)
      nodes.push(modulator, depth)
    }
    if (spec.filter) {
      const { env, floor, range } = filterEnvelope(spec.filter)
      for (let i = 0; i < spec.filter.poles; i++) {
        const filter = raw.createBiquadFilter()
        filter.type = spec.filter.type
        filter.Q.value = spec.filter.Q
        params.push({ param: filter.frequency, env, start: time, peak: range, floor })
        chainEnd.connect(filter)
        chainEnd = filter
        nodes.push(filter)
      }
    }
    for (const shaped of params) attackDecay(shaped)
    chainEnd.connect(amp).connect(destination)
    for (const oscillator of oscillators) oscillator.start(time)
    const voice: Voice = { params, oscillators, releaseAt: Number.POSITIVE_INFINITY }
    sounding.add(voice)
    carrier.onended = () => {
      sounding.delete(voice)
      // Unwired, the ended nodes can leave node-web-audio-api's render graph once V8 collects them.
      for (const node of nodes) node.disconnect()
    }
    return voice
  }

  const stop = (voice: Voice, time: number): void => {
    if (voice.releaseAt <= time) return
    voice.releaseAt = time
    for (const shaped of voice.params) release(shaped, time)
    for (const oscillator of voice.oscillators) oscillator.stop(time + ringOut)
  }

  return {
    output,
    play: (pitch, time, duration, velocity) => {
      const voice = start(pitch, time, velocity)
      // A note shorter than its attack still reaches the attack's peak, as Tone's did.
      stop(voice, time + Math.max(duration, spec.envelope.attack))
    },
    noteOn: (pitch, time, velocity) => {
      const previous = held.get(pitch)
      if (previous) stop(previous, time)
      held.set(pitch, start(pitch, time, velocity))
    },
    noteOff: (pitch, time) => {
      const voice = held.get(pitch)
      if (!voice) return
      held.delete(pitch)
      stop(voice, time)
    },
    releaseAll: (time) => {
      const at = time ?? raw.currentTime
      held.clear()
      for (const voice of sounding) if (voice.releaseAt > at) stop(voice, at)
    },
    dispose: () => {
      for (const voice of sounding) for (const oscillator of voice.oscillators) oscillator.stop()
      sounding.clear()
      held.clear()
      if (bus !== output) bus.dispose()
      insert?.dispose()
      output.dispose()
    },
  }
}

/** A fixed filter every voice of a preset plays through (the pad's low-pass). */
export interface SharedFilter {
  readonly type: BiquadFilterType
  readonly frequency: number
  readonly Q: number
}

export type MelodicPreset = Exclude<PresetId, 'drum-kit'>

/**
 * The melodic presets as data: what the live voices (native nodes, below) and the offline render's voices
 * (`voice-dsp.ts`) are both built from.
 */
export const MELODIC_PRESETS: Readonly<
  Record<MelodicPreset, { readonly voice: VoiceSpec; readonly shared?: SharedFilter }>
> = {
  /** FM with a fast-decaying modulator: a bright hammer attack that mellows, like a struck string. */
  piano: {
    voice: {
      oscillator: 'sine',
      // Tone's FMSynth, which this preset was voiced on, plays its carrier 10 dB down inside a +2 dB PolySynth.
      volumeDb: -8,
      envelope: { attack: 0.003, decay: 1.6, sustain: 0.12, release: 0.9 },
      fm: { harmonicity: 2, index: 6, envelope: { attack: 0.002, decay: 0.35, sustain: 0.05, release: 0.5 } },
    },
  },
  /** Sawtooth through a resonant low-pass whose envelope plucks the attack. */
  bass: {
    voice: {
      oscillator: 'sawtooth',
      volumeDb: -8,
      envelope: { attack: 0.004, decay: 0.3, sustain: 0.7, release: 0.15 },
      filter: {
        type: 'lowpass',
        Q: 2,
        poles: 2,
        envelope: { attack: 0.002, decay: 0.25, sustain: 0.2, release: 0.2, baseFrequency: 70, octaves: 3.2 },
      },
    },
  },
  /** A square wave, bright and direct, to sit on top of a mix. */
  lead: {
    voice: {
      oscillator: 'square',
      volumeDb: -14,
      envelope: { attack: 0.01, decay: 0.2, sustain: 0.8, release: 0.25 },
      filter: {
        type: 'lowpass',
        Q: 1,
        poles: 1,
        envelope: { attack: 0.01, decay: 0.4, sustain: 0.6, release: 0.3, baseFrequency: 900, octaves: 2.5 },
      },
    },
  },
  /** Sawtooths with a slow swell and long release under one shared low-pass (a plain biquad; see drums.ts): a soft bed. */
  pad: {
    voice: {
      oscillator: 'sawtooth',
      volumeDb: -14,
      envelope: { attack: 0.35, decay: 0.5, sustain: 0.8, release: 1.4 },
    },
    shared: { type: 'lowpass', frequency: 1800, Q: 0.3 },
  },
  /** A triangle with no sustain: short, percussive, like a plucked string or a marimba. */
  pluck: {
    voice: {
      oscillator: 'triangle',
      volumeDb: -8,
      envelope: { attack: 0.001, decay: 0.35, sustain: 0, release: 0.25 },
    },
  },
}

/** A melodic preset's live instrument: a voice of native nodes per note. */
export const createMelodic = (tone: ToneLib, context: ToneContext, preset: MelodicPreset): Instrument => {
  const { voice, shared } = MELODIC_PRESETS[preset]
  return voicedInstrument(
    tone,
    context,
    voice,
    shared === undefined ? null : new tone.BiquadFilter({ context, ...shared }),
  )
}

/** The longest release of a voice's envelopes: how long its oscillators run after the note's release. */
export const longestRelease = (spec: VoiceSpec): number =>
  Math.max(spec.envelope.release, spec.fm?.envelope.release ?? 0, spec.filter?.envelope.release ?? 0)

/** The filter envelope as the voices apply it (see `voicedInstrument`): floor, sweep and squared sustain. */
export const filterEnvelope = (filter: FilterSpec): { env: Adsr; floor: number; range: number } => {
  const { envelope } = filter
  // Tone's MonoSynth squares its filter envelope (exponent 2); squaring the sustain keeps the held cutoff
  // where it was (the decay towards it runs a little slower than the squared curve's).
  return {
    env: { ...envelope, sustain: envelope.sustain ** 2 },
    floor: envelope.baseFrequency,
    range: envelope.baseFrequency * 2 ** envelope.octaves - envelope.baseFrequency,
  }
}
