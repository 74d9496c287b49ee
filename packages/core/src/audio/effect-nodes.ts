/*
 * Each catalogue effect as Tone.js nodes: built from a device's parameters (real units, as the catalogue
 * declares them), updated one parameter at a time, and, where Tone exposes an audio-rate parameter, driven
 * by automation curves sample-accurately. Parameters without one (a filter's type, a reverb's decay, a gate's
 * threshold) step at automation points instead.
 */
import type * as ToneModule from 'tone'
import type { ParameterValue } from '../plugin/parameters'
import type { EffectKind } from '../song/index'
import type { ToneContext, ToneLib } from './tone'

/** What automation needs of a Tone Param or Signal. */
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

export interface EffectNode {
  readonly input: ToneModule.ToneAudioNode
  readonly output: ToneModule.ToneAudioNode
  /** Sets one parameter now (a knob turned, or a step of automation). */
  set(param: string, value: ParameterValue): void
  /** The audio-rate parameter behind `param`, or null when it can only be set. */
  target(param: string): ParamTarget | null
  /** Gain reduction now in dB (0 or negative), for effects that reduce (the compressor); absent otherwise. */
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

/** A node whose parameters map one to one onto Tone params (with a conversion), or onto setters. */
const mapped = (
  input: ToneModule.ToneAudioNode,
  output: ToneModule.ToneAudioNode,
  params: Record<string, ParamTarget>,
  setters: Record<string, (value: ParameterValue) => void>,
  disposables: readonly { dispose(): unknown }[],
): EffectNode => ({
  input,
  output,
  set: (param, value) => {
    const target = params[param]
    if (target !== undefined) {
      // Cancels automation from now on: the knob wins until the lane's next point.
      const time = input.context.now()
      target.param.cancelScheduledValues(time)
      target.param.setValueAtTime(target.convert(Number(value)), time)
    } else setters[param]?.(value)
  },
  target: (param) => params[param] ?? null,
  dispose: () => {
    for (const node of disposables) node.dispose()
  },
})

/** Deterministic noise (an LCG), so the same song renders the same reverb tail every time. */
const impulse = (context: ToneContext, decaySeconds: number): AudioBuffer => {
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
  return buffer
}

const reverb = (tone: ToneLib, context: ToneContext, params: Params): EffectNode => {
  const input = new tone.Gain({ context })
  const output = new tone.Gain({ context })
  const dry = new tone.Gain({ context, gain: 1 - pct(num(params, 'mix')) })
  const wet = new tone.Gain({ context, gain: pct(num(params, 'mix')) })
  const preDelay = new tone.Delay({ context, delayTime: ms(num(params, 'preDelay')), maxDelay: 0.5 })
  const convolver = new tone.Convolver({ context, normalize: true })
  convolver.buffer = new tone.ToneAudioBuffer(impulse(context, num(params, 'decay')))
  input.connect(dry)
  dry.connect(output)
  input.chain(preDelay, convolver, wet, output)
  return mapped(
    input,
    output,
    {
      preDelay: { param: preDelay.delayTime, convert: ms },
      mix: { param: wet.gain, convert: pct },
    },
    {
      decay: (value) => {
        convolver.buffer = new tone.ToneAudioBuffer(impulse(context, Number(value)))
      },
      mix: (value) => {
        dry.gain.value = 1 - pct(Number(value))
      },
    },
    [input, output, dry, wet, preDelay, convolver],
  )
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

const compressor = (tone: ToneLib, context: ToneContext, settings: CompressorSettings): EffectNode => {
  const current = { ...settings }
  const node = new tone.Compressor({
    context,
    threshold: current.threshold,
    ratio: current.ratio,
    attack: compressorTime(current.attack),
    release: compressorTime(current.release),
    knee: current.knee,
  })
  const gainDb = () => current.makeup - builtInMakeupDb(current.threshold, current.ratio)
  const makeup = new tone.Gain({ context, gain: gainDb(), units: 'decibels' })
  node.connect(makeup)
  const inner = mapped(
    node,
    makeup,
    {
      threshold: { param: node.threshold, convert: same },
      ratio: { param: node.ratio, convert: same },
      attack: { param: node.attack, convert: compressorTime },
      release: { param: node.release, convert: compressorTime },
      knee: { param: node.knee, convert: same },
    },
    {},
    [node, makeup],
  )
  return {
    ...inner,
    // The native node's own reading: free to poll (one attribute), so the studio's meter costs nothing here.
    reductionDb: () => Math.min(0, node.reduction),
    // Threshold, ratio and make-up all move the compensating gain. Automation of threshold or ratio moves the
    // curve at audio rate but not the compensation, which keeps the last set values (a known gap).
    set: (param, value) => {
      if (param in current) current[param as keyof CompressorSettings] = Number(value)
      if (param !== 'makeup') inner.set(param, value)
      makeup.gain.value = gainDb()
    },
  }
}

/** Builds the nodes of one effect with its parameters (every one present: the graph fills the defaults). */
export const createEffectNode = (
  tone: ToneLib,
  context: ToneContext,
  kind: EffectKind,
  params: Params,
): EffectNode => {
  switch (kind) {
    case 'eq3': {
      const eq = new tone.EQ3({
        context,
        low: num(params, 'low'),
        mid: num(params, 'mid'),
        high: num(params, 'high'),
        lowFrequency: num(params, 'lowFrequency'),
        highFrequency: num(params, 'highFrequency'),
      })
      return mapped(
        eq,
        eq,
        {
          low: { param: eq.low, convert: same },
          mid: { param: eq.mid, convert: same },
          high: { param: eq.high, convert: same },
          lowFrequency: { param: eq.lowFrequency, convert: same },
          highFrequency: { param: eq.highFrequency, convert: same },
        },
        {},
        [eq],
      )
    }
    case 'parametricEq': {
      const bands = [1, 2, 3].map(
        (n) =>
          new tone.Filter({
            context,
            type: 'peaking',
            frequency: num(params, `band${n}Frequency`),
            gain: num(params, `band${n}Gain`),
            Q: num(params, `band${n}Q`),
          }),
      )
      bands[0]!.chain(bands[1]!, bands[2]!)
      const targets: Record<string, ParamTarget> = {}
      bands.forEach((band, i) => {
        targets[`band${i + 1}Frequency`] = { param: band.frequency, convert: same }
        targets[`band${i + 1}Gain`] = { param: band.gain, convert: same }
        targets[`band${i + 1}Q`] = { param: band.Q, convert: same }
      })
      return mapped(bands[0]!, bands[2]!, targets, {}, bands)
    }
    case 'compressor':
      return compressor(tone, context, {
        threshold: num(params, 'threshold'),
        ratio: num(params, 'ratio'),
        attack: num(params, 'attack'),
        release: num(params, 'release'),
        knee: num(params, 'knee'),
        makeup: num(params, 'makeup'),
      })
    case 'gate': {
      const gate = new tone.Gate({
        context,
        threshold: num(params, 'threshold'),
        smoothing: ms(num(params, 'smoothing')),
      })
      return mapped(
        gate,
        gate,
        {},
        {
          threshold: (v) => {
            gate.threshold = Number(v)
          },
          smoothing: (v) => {
            gate.smoothing = ms(Number(v))
          },
        },
        [gate],
      )
    }
    case 'reverb':
      return reverb(tone, context, params)
    case 'delay': {
      const delay = new tone.FeedbackDelay({
        context,
        delayTime: num(params, 'seconds'),
        feedback: pct(num(params, 'feedback')),
        wet: pct(num(params, 'mix')),
        // A bar at the slowest tempo the song allows (20 bpm, 4/4).
        maxDelay: 12,
      })
      return mapped(
        delay,
        delay,
        {
          seconds: { param: delay.delayTime, convert: same },
          feedback: { param: delay.feedback, convert: pct },
          mix: { param: delay.wet, convert: pct },
        },
        {},
        [delay],
      )
    }
    case 'chorus': {
      const chorus = new tone.Chorus({
        context,
        frequency: num(params, 'rate'),
        delayTime: num(params, 'delay'),
        depth: pct(num(params, 'depth')),
        wet: pct(num(params, 'mix')),
      }).start(0)
      return mapped(
        chorus,
        chorus,
        { rate: { param: chorus.frequency, convert: same }, mix: { param: chorus.wet, convert: pct } },
        {
          delay: (v) => {
            chorus.delayTime = Number(v)
          },
          depth: (v) => {
            chorus.depth = pct(Number(v))
          },
        },
        [chorus],
      )
    }
    case 'phaser': {
      const phaser = new tone.Phaser({
        context,
        frequency: num(params, 'rate'),
        octaves: num(params, 'octaves'),
        baseFrequency: num(params, 'baseFrequency'),
        Q: num(params, 'q'),
        wet: pct(num(params, 'mix')),
      })
      return mapped(
        phaser,
        phaser,
        {
          rate: { param: phaser.frequency, convert: same },
          q: { param: phaser.Q, convert: same },
          mix: { param: phaser.wet, convert: pct },
        },
        {
          octaves: (v) => {
            phaser.octaves = Number(v)
          },
          baseFrequency: (v) => {
            phaser.baseFrequency = Number(v)
          },
        },
        [phaser],
      )
    }
    case 'distortion': {
      const distortion = new tone.Distortion({
        context,
        distortion: pct(num(params, 'drive')),
        oversample: params.oversample as OverSampleType,
        wet: pct(num(params, 'mix')),
      })
      return mapped(
        distortion,
        distortion,
        { mix: { param: distortion.wet, convert: pct } },
        {
          drive: (v) => {
            distortion.distortion = pct(Number(v))
          },
          oversample: (v) => {
            distortion.oversample = v as OverSampleType
          },
        },
        [distortion],
      )
    }
    case 'filter': {
      const filter = new tone.Filter({
        context,
        type: params.type as BiquadFilterType,
        frequency: num(params, 'frequency'),
        Q: num(params, 'resonance'),
        rolloff: params.slope === '24' ? -24 : -12,
      })
      return mapped(
        filter,
        filter,
        {
          frequency: { param: filter.frequency, convert: same },
          resonance: { param: filter.Q, convert: same },
        },
        {
          type: (v) => {
            filter.type = v as BiquadFilterType
          },
          slope: (v) => {
            filter.rolloff = v === '24' ? -24 : -12
          },
        },
        [filter],
      )
    }
    case 'width': {
      // 100 % is the image as it is (Tone's 0.5), 0 mono, 200 % all side.
      const widener = new tone.StereoWidener({ context, width: num(params, 'width') / 200 })
      return mapped(widener, widener, { width: { param: widener.width, convert: (v) => v / 200 } }, {}, [
        widener,
      ])
    }
    case 'limiter': {
      // A hard-kneed, fast compressor at a high ratio: sustained overs held at the ceiling, nothing added.
      return compressor(tone, context, {
        threshold: num(params, 'threshold'),
        ratio: 20,
        attack: 1,
        release: 100,
        knee: 0,
        makeup: 0,
      })
    }
  }
}
