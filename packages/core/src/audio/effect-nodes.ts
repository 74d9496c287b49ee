/*
 * Each catalogue effect as audio nodes: built from a device's parameters (real units, as the catalogue
 * declares them), updated one parameter at a time, and, where there is an audio-rate parameter, driven by
 * automation curves sample-accurately. Parameters without one (a filter's type, a reverb's decay, a gate's
 * threshold) step at automation points instead.
 *
 * One table (`BUILDERS`) says, per kind, which nodes make the effect, which parameter drives which audio
 * param (with its unit conversion) and which are set by hand; one function (`effectNode`) turns any entry
 * into the `EffectNode` the mixer wires.
 *
 * The EQs, filter, compressor, limiter and delay are native Web Audio nodes with their parameters set
 * directly. Tone's wrappers of the same nodes drive every parameter from a running ConstantSource (a Tone
 * `Signal`): its EQ3 alone is 4 biquads, 19 constant sources and 32 gains, whose biquads then recompute their
 * coefficients every sample, and 16 of them doubled the render time of a 16-track song (bench/studio/render.ts
 * `--fx eq3 --census`). The native graphs below are the same filters, gains and crossfades, so they sound
 * the same. Reverb, chorus, phaser, distortion, gate and width stay Tone's (the reverb's impulse is shared).
 */
import type * as ToneModule from 'tone'
import type { ParameterValue } from '../plugin/parameters'
import type { EffectKind } from '../song/index'
import type { ToneContext, ToneLib } from './tone'

/** What automation needs of a Tone Param or Signal, or of a native AudioParam. */
export interface AutomatableParam {
  setValueAtTime(value: number, time: number): unknown
  setValueCurveAtTime(values: number[], startTime: number, duration: number): unknown
  cancelScheduledValues(time: number): unknown
}

export interface ParamTarget {
  readonly param: AutomatableParam
  /** From the catalogue's units to the node's (ms to s, % to 0..1). */
  readonly convert: (value: number) => number
}

/** Where an effect is wired: a Tone node or a native one. */
export type Port = ToneModule.ToneAudioNode | AudioNode

export interface EffectNode {
  readonly input: Port
  readonly output: Port
  /** Whether the effect makes a stereo image of what it is given (a mono track must carry two channels). */
  readonly stereo: boolean
  /** Sets one parameter now (a knob turned, or a step of automation). */
  set(param: string, value: ParameterValue): void
  /** The audio-rate parameter behind `param`, or null when it can only be set. */
  target(param: string): ParamTarget | null
  /** A dynamics effect's gain reduction now, in dB (0 or negative), for the studio's meter. */
  readonly reductionDb?: () => number
  dispose(): void
}

type Params = Readonly<Record<string, ParameterValue>>

const num = (params: Params, id: string): number => Number(params[id])
const same = (v: number) => v
const ms = (v: number) => v / 1_000
/** Web Audio's compressor refuses attack or release past 1 s; a value stored before the range was cut is held there. */
const compressorTime = (v: number) => Math.min(1, ms(v))
const pct = (v: number) => v / 100
const dbToGain = (db: number) => 10 ** (db / 20)
/** Equal-power crossfade (Tone's CrossFade, which the delay's wet control was): dry and wet at `mix` 0..1. */
const dryAt = (mix: number) => Math.cos((mix * Math.PI) / 2)
const wetAt = (mix: number) => Math.sin((mix * Math.PI) / 2)

/**
 * Several native params driven as one (a crossover frequency shared by two filters, a crossfade's two
 * gains), each through its own mapping of the value.
 */
const fan = (
  ...targets: readonly (readonly [AudioParam, (value: number) => number])[]
): AutomatableParam => ({
  setValueAtTime: (value, time) => {
    for (const [param, map] of targets) param.setValueAtTime(map(value), time)
  },
  setValueCurveAtTime: (values, time, duration) => {
    for (const [param, map] of targets)
      param.setValueCurveAtTime(Float32Array.from(values, map), time, duration)
  },
  cancelScheduledValues: (time) => {
    for (const [param] of targets) param.cancelScheduledValues(time)
  },
})

/** A setter that assigns a property of a Tone node, converted from the catalogue's units. */
const assign =
  <T extends object, K extends keyof T>(node: T, key: K, convert: (value: number) => T[K]) =>
  (value: ParameterValue): void => {
    node[key] = convert(Number(value))
  }

/** One native param, automated in the catalogue's units through `convert`. */
const native = (param: AudioParam, convert: (value: number) => number = same): ParamTarget => ({
  param: fan([param, same]),
  convert,
})

/** What a builder makes: the effect's ports, its automatable params, setters for the rest, its nodes. */
interface Parts {
  readonly input: Port
  readonly output: Port
  readonly params?: Readonly<Record<string, ParamTarget>>
  readonly setters?: Readonly<Record<string, (value: ParameterValue) => void>>
  /** Disposed (Tone) or disconnected (native) with the effect. */
  readonly nodes: readonly Port[]
  readonly stereo?: boolean
  readonly reductionDb?: () => number
}

/** An effect that is one Tone node, in and out. */
const oneToneNode = (
  node: ToneModule.ToneAudioNode,
  rest: Pick<Parts, 'params' | 'setters' | 'stereo'>,
): Parts => ({ input: node, output: node, nodes: [node], ...rest })

interface Builder {
  readonly tone: ToneLib
  readonly context: ToneContext
  readonly raw: BaseAudioContext
}

const biquad = (
  raw: BaseAudioContext,
  type: BiquadFilterType,
  frequency: number,
  Q: number,
): BiquadFilterNode => {
  const node = raw.createBiquadFilter()
  node.type = type
  node.frequency.value = frequency
  node.Q.value = Q
  return node
}

const gainNode = (raw: BaseAudioContext, value = 1): GainNode => {
  const node = raw.createGain()
  node.gain.value = value
  return node
}

/** Connects native nodes in a row; returns the last. */
const chain = (...nodes: readonly AudioNode[]): AudioNode => {
  for (let i = 1; i < nodes.length; i++) nodes[i - 1]!.connect(nodes[i]!)
  return nodes.at(-1)!
}

const impulses = new WeakMap<BaseAudioContext, Map<number, AudioBuffer>>()

/**
 * A reverb's impulse: deterministic noise (an LCG), so the same song renders the same tail every time, made
 * once per context and decay and shared by every reverb that uses it (a 2 s stereo impulse is 176,400
 * samples of arithmetic).
 */
const impulse = (context: ToneContext, decaySeconds: number): AudioBuffer => {
  const raw = context.rawContext as BaseAudioContext
  const known = impulses.get(raw) ?? new Map<number, AudioBuffer>()
  impulses.set(raw, known)
  const cached = known.get(decaySeconds)
  if (cached !== undefined) return cached
  const rate = context.sampleRate
  const length = Math.max(1, Math.round(decaySeconds * rate))
  const buffer = context.createBuffer(2, length, rate)
  for (let channel = 0; channel < 2; channel++) {
    const data = buffer.getChannelData(channel)
    let state = 0x9e3779b9 + channel * 7919
    for (let i = 0; i < length; i++) {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
      // -60 dB at `decaySeconds`: the usual RT60 meaning of a reverb's decay.
      data[i] = (state / 2 ** 31 - 1) * Math.exp((-6.9 * i) / length)
    }
  }
  known.set(decaySeconds, buffer)
  return buffer
}

interface CompressorSettings {
  threshold: number
  ratio: number
  /** ms */
  attack: number
  /** ms */
  release: number
  knee: number
  makeup: number
}

/**
 * Web Audio's compressor adds a make-up gain of its own (the specification's: 0.6 of the gain its curve
 * takes off a full-scale signal), so its output barely drops and a "-12 dB" of reduction is not heard as
 * such. It is taken back out here (exactly for a hard knee; near enough with a soft one), so the reduction is
 * what threshold and ratio say and the make-up is only the user's.
 */
const builtInMakeupDb = (threshold: number, ratio: number): number => -0.6 * threshold * (1 - 1 / ratio)

const compressor = ({ raw }: Builder, settings: CompressorSettings): Parts => {
  const current = { ...settings }
  const node = raw.createDynamicsCompressor()
  node.threshold.value = current.threshold
  node.ratio.value = current.ratio
  node.attack.value = compressorTime(current.attack)
  node.release.value = compressorTime(current.release)
  node.knee.value = current.knee
  const makeupDb = () => current.makeup - builtInMakeupDb(current.threshold, current.ratio)
  const makeup = gainNode(raw, dbToGain(makeupDb()))
  node.connect(makeup)
  // Threshold, ratio and make-up all move the compensating gain. Automation of threshold or ratio moves the
  // curve at audio rate but not the compensation, which keeps the last set values (a known gap).
  const compensate =
    (param: keyof CompressorSettings, set?: (value: number) => void) => (v: ParameterValue) => {
      current[param] = Number(v)
      set?.(Number(v))
      makeup.gain.value = dbToGain(makeupDb())
    }
  return {
    input: node,
    output: makeup,
    params: {
      threshold: native(node.threshold),
      ratio: native(node.ratio),
      attack: native(node.attack, compressorTime),
      release: native(node.release, compressorTime),
      knee: native(node.knee),
    },
    setters: {
      threshold: compensate('threshold'),
      ratio: compensate('ratio'),
      makeup: compensate('makeup'),
    },
    nodes: [node, makeup],
    // The native node's own reading: free to poll (one attribute), so the studio's meter costs nothing here.
    reductionDb: () => Math.min(0, node.reduction),
  }
}

/** Per kind, the nodes of one effect built with its parameters (every one present: the graph fills defaults). */
const BUILDERS: Record<EffectKind, (b: Builder, params: Params) => Parts> = {
  // Tone's EQ3 (a MultibandSplit): low = low-pass at lowFrequency, mid = high-pass at lowFrequency then
  // low-pass at highFrequency, high = high-pass at highFrequency, all at Q 1, each band through its gain.
  eq3: ({ raw }, params) => {
    const low = num(params, 'lowFrequency')
    const high = num(params, 'highFrequency')
    const input = gainNode(raw)
    const output = gainNode(raw)
    const lowPass = biquad(raw, 'lowpass', low, 1)
    const midHighPass = biquad(raw, 'highpass', low, 1)
    const midLowPass = biquad(raw, 'lowpass', high, 1)
    const highPass = biquad(raw, 'highpass', high, 1)
    const gains = (['low', 'mid', 'high'] as const).map((band) => gainNode(raw, dbToGain(num(params, band))))
    const [lowGain, midGain, highGain] = gains as [GainNode, GainNode, GainNode]
    chain(input, lowPass, lowGain, output)
    chain(input, midHighPass, midLowPass, midGain, output)
    chain(input, highPass, highGain, output)
    return {
      input,
      output,
      params: {
        low: native(lowGain.gain, dbToGain),
        mid: native(midGain.gain, dbToGain),
        high: native(highGain.gain, dbToGain),
        lowFrequency: { param: fan([lowPass.frequency, same], [midHighPass.frequency, same]), convert: same },
        highFrequency: {
          param: fan([midLowPass.frequency, same], [highPass.frequency, same]),
          convert: same,
        },
      },
      nodes: [input, output, lowPass, midHighPass, midLowPass, highPass, ...gains],
    }
  },
  parametricEq: ({ raw }, params) => {
    const bands = [1, 2, 3].map((n) => {
      const band = biquad(raw, 'peaking', num(params, `band${n}Frequency`), num(params, `band${n}Q`))
      band.gain.value = num(params, `band${n}Gain`)
      return band
    })
    chain(...bands)
    const targets: Record<string, ParamTarget> = {}
    bands.forEach((band, i) => {
      targets[`band${i + 1}Frequency`] = native(band.frequency)
      targets[`band${i + 1}Gain`] = native(band.gain)
      targets[`band${i + 1}Q`] = native(band.Q)
    })
    return { input: bands[0]!, output: bands[2]!, params: targets, nodes: bands }
  },
  compressor: (b, params) =>
    compressor(b, {
      threshold: num(params, 'threshold'),
      ratio: num(params, 'ratio'),
      attack: num(params, 'attack'),
      release: num(params, 'release'),
      knee: num(params, 'knee'),
      makeup: num(params, 'makeup'),
    }),
  // A hard-kneed, fast compressor at a high ratio: sustained overs held at the ceiling, nothing added.
  limiter: (b, params) =>
    compressor(b, {
      threshold: num(params, 'threshold'),
      ratio: 20,
      attack: 1,
      release: 100,
      knee: 0,
      makeup: 0,
    }),
  gate: ({ tone, context }, params) => {
    const gate = new tone.Gate({
      context,
      threshold: num(params, 'threshold'),
      smoothing: ms(num(params, 'smoothing')),
    })
    return oneToneNode(gate, {
      setters: {
        threshold: assign(gate, 'threshold', same),
        smoothing: assign(gate, 'smoothing', ms),
      },
    })
  },
  reverb: ({ tone, context }, params) => {
    const mix = pct(num(params, 'mix'))
    const input = new tone.Gain({ context })
    const output = new tone.Gain({ context })
    const dry = new tone.Gain({ context, gain: 1 - mix })
    const wet = new tone.Gain({ context, gain: mix })
    const preDelay = new tone.Delay({ context, delayTime: ms(num(params, 'preDelay')), maxDelay: 0.5 })
    const convolver = new tone.Convolver({ context, normalize: true })
    convolver.buffer = new tone.ToneAudioBuffer(impulse(context, num(params, 'decay')))
    input.connect(dry)
    dry.connect(output)
    input.chain(preDelay, convolver, wet, output)
    return {
      input,
      output,
      stereo: true,
      params: {
        preDelay: { param: preDelay.delayTime, convert: ms },
        mix: { param: wet.gain, convert: pct },
      },
      setters: {
        decay: (value) => {
          convolver.buffer = new tone.ToneAudioBuffer(impulse(context, Number(value)))
        },
        mix: (value) => {
          dry.gain.value = 1 - pct(Number(value))
        },
      },
      nodes: [input, output, dry, wet, preDelay, convolver],
    }
  },
  // Tone's FeedbackDelay: the input to an equal-power dry/wet crossfade and to a delay whose output feeds
  // back into itself through the feedback gain.
  delay: ({ raw }, params) => {
    const mix = pct(num(params, 'mix'))
    const input = gainNode(raw)
    const output = gainNode(raw)
    const dry = gainNode(raw, dryAt(mix))
    const wet = gainNode(raw, wetAt(mix))
    // A bar at the slowest tempo the song allows (20 bpm, 4/4).
    const delay = raw.createDelay(12)
    delay.delayTime.value = num(params, 'seconds')
    const feedback = gainNode(raw, pct(num(params, 'feedback')))
    chain(input, dry, output)
    chain(input, delay, wet, output)
    chain(delay, feedback, delay)
    return {
      input,
      output,
      params: {
        seconds: native(delay.delayTime),
        feedback: native(feedback.gain, pct),
        mix: { param: fan([dry.gain, dryAt], [wet.gain, wetAt]), convert: pct },
      },
      nodes: [input, output, dry, wet, delay, feedback],
    }
  },
  chorus: ({ tone, context }, params) => {
    const chorus = new tone.Chorus({
      context,
      frequency: num(params, 'rate'),
      delayTime: num(params, 'delay'),
      depth: pct(num(params, 'depth')),
      wet: pct(num(params, 'mix')),
    }).start(0)
    return oneToneNode(chorus, {
      stereo: true,
      params: { rate: { param: chorus.frequency, convert: same }, mix: { param: chorus.wet, convert: pct } },
      setters: {
        delay: assign(chorus, 'delayTime', same),
        depth: assign(chorus, 'depth', pct),
      },
    })
  },
  phaser: ({ tone, context }, params) => {
    const phaser = new tone.Phaser({
      context,
      frequency: num(params, 'rate'),
      octaves: num(params, 'octaves'),
      baseFrequency: num(params, 'baseFrequency'),
      Q: num(params, 'q'),
      wet: pct(num(params, 'mix')),
    })
    return oneToneNode(phaser, {
      stereo: true,
      params: {
        rate: { param: phaser.frequency, convert: same },
        q: { param: phaser.Q, convert: same },
        mix: { param: phaser.wet, convert: pct },
      },
      setters: {
        octaves: assign(phaser, 'octaves', same),
        baseFrequency: assign(phaser, 'baseFrequency', same),
      },
    })
  },
  distortion: ({ tone, context }, params) => {
    const distortion = new tone.Distortion({
      context,
      distortion: pct(num(params, 'drive')),
      oversample: params.oversample as OverSampleType,
      wet: pct(num(params, 'mix')),
    })
    return oneToneNode(distortion, {
      params: { mix: { param: distortion.wet, convert: pct } },
      setters: {
        drive: assign(distortion, 'distortion', pct),
        oversample: (v) => {
          distortion.oversample = v as OverSampleType
        },
      },
    })
  },
  // Tone's Filter: one biquad for 12 dB/octave, two in a row (same frequency and Q) for 24.
  filter: ({ raw }, params) => {
    const type = params.type as BiquadFilterType
    const frequency = num(params, 'frequency')
    const Q = num(params, 'resonance')
    const first = biquad(raw, type, frequency, Q)
    const second = biquad(raw, type, frequency, Q)
    const input = gainNode(raw)
    const output = gainNode(raw)
    const wire = (slope: ParameterValue) => {
      input.disconnect()
      first.disconnect()
      second.disconnect()
      if (slope === '24') chain(input, first, second, output)
      else chain(input, first, output)
    }
    wire(params.slope ?? '12')
    return {
      input,
      output,
      params: {
        frequency: { param: fan([first.frequency, same], [second.frequency, same]), convert: same },
        resonance: { param: fan([first.Q, same], [second.Q, same]), convert: same },
      },
      setters: {
        type: (v) => {
          first.type = v as BiquadFilterType
          second.type = v as BiquadFilterType
        },
        slope: wire,
      },
      nodes: [input, output, first, second],
    }
  },
  width: ({ tone, context }, params) => {
    // 100 % is the image as it is (Tone's 0.5), 0 mono, 200 % all side.
    const widener = new tone.StereoWidener({ context, width: num(params, 'width') / 200 })
    return oneToneNode(widener, {
      stereo: true,
      params: { width: { param: widener.width, convert: (v) => v / 200 } },
    })
  },
}

const release = (node: Port): void => {
  if ('dispose' in node) node.dispose()
  else node.disconnect()
}

/** Builds the nodes of one effect with its parameters (every one present: the graph fills the defaults). */
export const createEffectNode = (
  tone: ToneLib,
  context: ToneContext,
  kind: EffectKind,
  params: Params,
): EffectNode => {
  const parts = BUILDERS[kind]({ tone, context, raw: context.rawContext as BaseAudioContext }, params)
  const targets = parts.params ?? {}
  const setters = parts.setters ?? {}
  return {
    input: parts.input,
    output: parts.output,
    stereo: parts.stereo ?? false,
    set: (param, value) => {
      const target = targets[param]
      if (target !== undefined) {
        // Cancels automation from now on: the knob wins until the lane's next point.
        const time = context.now()
        target.param.cancelScheduledValues(time)
        target.param.setValueAtTime(target.convert(Number(value)), time)
      }
      // A setter runs too where there is one: the compressor's compensation, the reverb's dry gain.
      setters[param]?.(value)
    },
    target: (param) => targets[param] ?? null,
    ...(parts.reductionDb === undefined ? {} : { reductionDb: parts.reductionDb }),
    dispose: () => {
      for (const node of parts.nodes) release(node)
    },
  }
}

/** Connects two ports, whichever side is Tone's (Tone connects to native nodes; native to a Tone node's input). */
export const connectPorts = (tone: ToneLib, from: Port, to: Port): void => {
  if (from instanceof tone.ToneAudioNode) {
    from.connect(to as ToneModule.InputNode)
    return
  }
  let destination: Port | ToneModule.InputNode | undefined = to
  while (destination instanceof tone.ToneAudioNode) destination = destination.input
  if (destination === undefined) throw new Error('connectPorts: a Tone node with no input')
  from.connect(destination as AudioNode)
}
