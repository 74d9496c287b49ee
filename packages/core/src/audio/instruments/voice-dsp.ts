/*
 * The presets' voices in plain TypeScript, for the offline render: a track's notes become one Float32Array,
 * which the render plays through the track's native strip (inserts, fader, sends) as a single buffer source.
 *
 * Why: live, every note is 2-5 native nodes (synths.ts) and the kit's Tone synths; a 3-minute, 16-track song
 * is tens of thousands of short-lived nodes, and the Web Audio render thread spent its time walking them
 * (Node about 1x real time, Chromium 0.4x). The same sounds computed here, with typed arrays and no
 * per-sample allocation, cost a fraction of that, and the render graph keeps only the mix (~100 nodes).
 *
 * The voices follow the live ones from the same data (`MELODIC_PRESETS`, `DRUM_SOURCES`, `DRUM_FILTERS`) and
 * the same envelope scheduling (`attackDecay`, `release`, on a `ScheduledValues` instead of an AudioParam);
 * oscillators are band-limited wavetables like the Web Audio ones, filters the Web Audio biquads.
 * `voice-dsp.test.ts` compares each preset's level, peak and brightness with its live voice. Noise comes from
 * a seeded generator, so a render is the same every time (live, Tone's noise differs per run).
 */
import { midiToFrequency } from '../../music/pitch'
import type { PresetId } from '../presets'
import {
  DRUM_FILTERS,
  DRUM_SOURCES,
  drumStriker,
  type MembraneSource,
  type NoiseSource,
  type Source,
  type Strike,
  TOMS_VOLUME_DB,
} from './drums'
import { ScheduledValues } from './scheduled-values'
import {
  type Adsr,
  attackDecay,
  filterEnvelope,
  longestRelease,
  MELODIC_PRESETS,
  type MelodicPreset,
  release,
  type SharedFilter,
  timeConstant,
  type VoiceSpec,
} from './synths'

/** One note as the voices play it: context seconds, MIDI pitch, velocity 0..1. */
export interface VoiceNote {
  readonly time: number
  readonly duration: number
  readonly pitch: number
  readonly velocity: number
}

// ---------------------------------------------------------------------------------------------------------
// Oscillators: one cycle per table, read with linear interpolation.

const dbToGain = (db: number): number => 10 ** (db / 20)

const TABLE_SIZE = 2048
const TABLE_MASK = TABLE_SIZE - 1

const SINE = (() => {
  const table = new Float32Array(TABLE_SIZE + 1)
  for (let i = 0; i <= TABLE_SIZE; i++) table[i] = Math.sin((2 * Math.PI * i) / TABLE_SIZE)
  return table
})()

/** A wavetable read at a fractional phase, linearly interpolated (tables carry one guard sample at the end). */
const readTable = (table: Float32Array, phase: number): number => {
  const k = phase | 0
  const t = table[k] as number
  return t + ((table[k + 1] as number) - t) * (phase - k)
}

/** Fourier coefficient of harmonic n (sine series), as the Web Audio API defines its built-in waveforms. */
const coefficient = (type: OscillatorType, n: number): number => {
  if (type === 'sawtooth') return ((n % 2 === 1 ? 1 : -1) * 2) / (n * Math.PI)
  if (n % 2 === 0) return 0
  if (type === 'square') return 4 / (n * Math.PI)
  return ((((n - 1) / 2) % 2 === 0 ? 1 : -1) * 8) / (n * n * Math.PI * Math.PI)
}

const tables = new Map<string, Float32Array>()

/**
 * One cycle of `type` with every harmonic below Nyquist at `frequency` (so nothing aliases, as in Web Audio's
 * band-limited oscillators), scaled to a peak of 1 as Web Audio normalizes its waveforms. Cached per harmonic
 * count; harmonic n of sample i reads the sine table at n·i, so building one costs no `sin`.
 */
const waveTable = (type: OscillatorType, frequency: number, sampleRate: number): Float32Array => {
  if (type === 'sine') return SINE
  const harmonics = Math.max(1, Math.min(TABLE_SIZE / 2 - 1, Math.floor(sampleRate / 2 / frequency)))
  const key = `${type}:${harmonics}`
  const known = tables.get(key)
  if (known !== undefined) return known
  const sums = new Float64Array(TABLE_SIZE)
  for (let n = 1; n <= harmonics; n++) {
    const b = coefficient(type, n)
    if (b === 0) continue
    for (let i = 0; i < TABLE_SIZE; i++)
      sums[i] = (sums[i] as number) + b * (SINE[(n * i) & TABLE_MASK] as number)
  }
  let peak = 0
  for (let i = 0; i < TABLE_SIZE; i++) peak = Math.max(peak, Math.abs(sums[i] as number))
  const table = new Float32Array(TABLE_SIZE + 1)
  for (let i = 0; i < TABLE_SIZE; i++) table[i] = (sums[i] as number) / peak
  table[TABLE_SIZE] = table[0] as number
  tables.set(key, table)
  return table
}

// ---------------------------------------------------------------------------------------------------------
// Filters: the Web Audio API's biquads (its formulas: Q in dB for low- and high-pass, linear for band-pass).

class Biquad {
  #b0 = 1
  #b1 = 0
  #b2 = 0
  #a1 = 0
  #a2 = 0
  #x1 = 0
  #x2 = 0
  #y1 = 0
  #y2 = 0

  set(type: BiquadFilterType, frequency: number, q: number, sampleRate: number): void {
    const w0 = (2 * Math.PI * Math.min(frequency, sampleRate / 2)) / sampleRate
    const cos = Math.cos(w0)
    const sin = Math.sin(w0)
    let b0: number
    let b1: number
    let b2: number
    let alpha: number
    if (type === 'bandpass') {
      alpha = sin / (2 * q)
      b0 = alpha
      b1 = 0
      b2 = -alpha
    } else {
      alpha = sin / (2 * 10 ** (q / 20))
      const k = type === 'lowpass' ? 1 - cos : 1 + cos
      b0 = k / 2
      b1 = type === 'lowpass' ? k : -k
      b2 = k / 2
    }
    const a0 = 1 + alpha
    this.#b0 = b0 / a0
    this.#b1 = b1 / a0
    this.#b2 = b2 / a0
    this.#a1 = (-2 * cos) / a0
    this.#a2 = (1 - alpha) / a0
  }

  /** Filters `buffer[from..to)` in place. */
  run(buffer: Float32Array, from: number, to: number): void {
    const b0 = this.#b0
    const b1 = this.#b1
    const b2 = this.#b2
    const a1 = this.#a1
    const a2 = this.#a2
    let x1 = this.#x1
    let x2 = this.#x2
    let y1 = this.#y1
    let y2 = this.#y2
    for (let i = from; i < to; i++) {
      const x = buffer[i] as number
      const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
      x2 = x1
      x1 = x
      y2 = y1
      y1 = y
      buffer[i] = y
    }
    this.#x1 = x1
    this.#x2 = x2
    this.#y1 = y1
    this.#y2 = y2
  }
}

/** A biquad with fixed settings, or none. */
function fixedBiquad(filter: SharedFilter | undefined, sampleRate: number): Biquad | null {
  if (filter === undefined) return null
  const biquad = new Biquad()
  biquad.set(filter.type, filter.frequency, filter.Q, sampleRate)
  return biquad
}

/** Samples between coefficient updates of an enveloped filter (0.36 ms at 44.1 kHz; its fastest sweep is 2 ms). */
const FILTER_STEP = 16

/** Scratch arrays, grown as needed and reused for every voice: nothing is allocated per sample or per note. */
class Scratch {
  #arrays: Float32Array[] = []
  get(index: number, length: number): Float32Array {
    let array = this.#arrays[index]
    if (array === undefined || array.length < length) {
      array = new Float32Array(Math.max(length, 1024))
      this.#arrays[index] = array
    }
    return array
  }
}

/**
 * Samples from `position` on, which voices add into and the render takes from the front, window by window.
 * A voice is added whole when it starts, so the buffer reaches as far as the longest voice still ringing.
 */
class Accumulator {
  #buffer = new Float32Array(0)
  #position = 0
  /** One past the last sample any voice has reached (absolute); what lies beyond is zero. */
  #reached = 0

  /** The array holding samples [from, to), and the index of `from` in it. */
  reserve(from: number, to: number): { readonly array: Float32Array; readonly base: number } {
    const needed = to - this.#position
    if (needed > this.#buffer.length) {
      const grown = new Float32Array(Math.max(needed, this.#buffer.length * 2, 65_536))
      grown.set(this.#buffer)
      this.#buffer = grown
    }
    this.#reached = Math.max(this.#reached, to)
    return { array: this.#buffer, base: from - this.#position }
  }

  /** Samples [position, end) as a new array; what rings on moves to the front (only the part voices reached). */
  take(end: number): Float32Array<ArrayBuffer> {
    const n = Math.max(0, end - this.#position)
    const buffer = this.#buffer
    const used = Math.max(0, this.#reached - this.#position)
    const taken = new Float32Array(n)
    taken.set(buffer.subarray(0, Math.min(n, used)))
    const remaining = Math.max(0, used - n)
    if (remaining > 0) buffer.copyWithin(0, n, n + remaining)
    buffer.fill(0, remaining, used)
    this.#position = end
    this.#reached = Math.max(this.#reached, end)
    return taken
  }

  get position(): number {
    return this.#position
  }
}

// ---------------------------------------------------------------------------------------------------------
// Melodic voices: synths.ts's voices, note for note.

class MelodicVoices {
  readonly #spec: VoiceSpec
  readonly #notes: readonly VoiceNote[]
  readonly #sampleRate: number
  readonly #level: number
  readonly #ringOut: number
  readonly #scratch = new Scratch()
  readonly #sum = new Accumulator()
  /** The shared filter (the pad's), run over each window as it is taken, so its state carries on. */
  readonly #shared: Biquad | null
  #next = 0

  constructor(preset: MelodicPreset, notes: readonly VoiceNote[], sampleRate: number) {
    const { voice, shared } = MELODIC_PRESETS[preset]
    this.#spec = voice
    this.#notes = notes
    this.#sampleRate = sampleRate
    this.#level = dbToGain(voice.volumeDb)
    this.#ringOut = longestRelease(voice)
    this.#shared = fixedBiquad(shared, sampleRate)
  }

  take(end: number): Float32Array<ArrayBuffer> {
    const sampleRate = this.#sampleRate
    for (; this.#next < this.#notes.length; this.#next++) {
      const note = this.#notes[this.#next] as VoiceNote
      if (Math.ceil(note.time * sampleRate - 1e-9) >= end) break
      this.#play(note)
    }
    const out = this.#sum.take(end)
    this.#shared?.run(out, 0, out.length)
    return out
  }

  #play(note: VoiceNote): void {
    const spec = this.#spec
    const sampleRate = this.#sampleRate
    const scratch = this.#scratch
    const releaseAt = note.time + Math.max(note.duration, spec.envelope.attack)
    const first = Math.max(this.#sum.position, Math.ceil(note.time * sampleRate - 1e-9))
    const n = Math.ceil((releaseAt + this.#ringOut) * sampleRate) - first
    if (n <= 0) return
    const t0 = first / sampleRate
    const frequency = midiToFrequency(note.pitch)
    const shape = (index: number, env: Adsr, peak: number, floor: number): Float32Array => {
      const values = new ScheduledValues()
      const shaped = { param: values, env, start: note.time, peak, floor }
      attackDecay(shaped)
      release(shaped, releaseAt)
      const buffer = scratch.get(index, n)
      values.fill(buffer, n, t0, sampleRate)
      return buffer
    }
    const amp = shape(0, spec.envelope, note.velocity, 0)
    const level = this.#level
    const { array, base } = this.#sum.reserve(first, first + n)
    if (spec.fm !== undefined) {
      // A sine modulator through an enveloped depth into the carrier's frequency (Hz), as the live voice wires
      // it. One pass: both sines, the envelope and the mix, so the voice's samples are touched once.
      const depth = shape(2, spec.fm.envelope, frequency * spec.fm.index, 0)
      const modulatorStep = (frequency * spec.fm.harmonicity * TABLE_SIZE) / sampleRate
      const perHz = TABLE_SIZE / sampleRate
      const carrierStep = frequency * perHz
      let carrier = 0
      let modulator = 0
      for (let i = 0; i < n; i++) {
        const m = readTable(SINE, modulator)
        const c = readTable(SINE, carrier)
        array[base + i] = (array[base + i] as number) + c * (amp[i] as number) * level
        modulator += modulatorStep
        if (modulator >= TABLE_SIZE) modulator -= TABLE_SIZE
        // The depth can swing the frequency below zero: the phase then runs backwards.
        carrier += carrierStep + (depth[i] as number) * m * perHz
        if (carrier >= TABLE_SIZE) carrier -= TABLE_SIZE
        else if (carrier < 0) carrier += TABLE_SIZE
      }
      return
    }
    const table = waveTable(spec.oscillator, frequency, sampleRate)
    const step = (frequency * TABLE_SIZE) / sampleRate
    if (spec.filter === undefined) {
      let phase = 0
      for (let i = 0; i < n; i++) {
        const sample = readTable(table, phase)
        array[base + i] = (array[base + i] as number) + sample * (amp[i] as number) * level
        phase += step
        if (phase >= TABLE_SIZE) phase -= TABLE_SIZE
      }
      return
    }
    const signal = scratch.get(1, n)
    let phase = 0
    for (let i = 0; i < n; i++) {
      signal[i] = readTable(table, phase)
      phase += step
      if (phase >= TABLE_SIZE) phase -= TABLE_SIZE
    }
    const { env, floor, range } = filterEnvelope(spec.filter)
    const cutoff = shape(3, env, range, floor)
    const { type, Q } = spec.filter
    // Each voice has its own filters, starting at rest; the cutoff follows its envelope block by block.
    const poles = Array.from({ length: spec.filter.poles }, () => new Biquad())
    for (let i = 0; i < n; i += FILTER_STEP) {
      const end = Math.min(n, i + FILTER_STEP)
      for (const pole of poles) {
        pole.set(type, cutoff[i] as number, Q, sampleRate)
        pole.run(signal, i, end)
      }
    }
    for (let i = 0; i < n; i++)
      array[base + i] = (array[base + i] as number) + (signal[i] as number) * (amp[i] as number) * level
  }
}

// ---------------------------------------------------------------------------------------------------------
// The drum kit: Tone's MembraneSynth and NoiseSynth, hit by hit, with the live kit's playing rules.

/** Tone's exponentialApproachValueAtTime: a setTarget that turns into a straight line for its last 10 %. */
const approach = (param: ScheduledValues, value: number, time: number, rampTime: number): void => {
  param.setTargetAtTime(value, time, timeConstant(rampTime))
  param.cancelAndHoldAtTime(time + rampTime * 0.9)
  param.linearRampToValueAtTime(value, time + rampTime)
}

/**
 * Tone's Envelope for one strike of a monophonic source, started from where the previous strike's envelope
 * is (`from`): its attack (linear, or exponential for membranes; shortened when it starts above zero), decay
 * and release, with Tone's own calls.
 */
const toneEnvelope = (strike: Strike, from: number, decay: number, membrane: boolean): ScheduledValues => {
  const { envelope } = DRUM_SOURCES[strike.source]
  const param = new ScheduledValues(from)
  const { time, velocity } = strike
  const attack = from > 0 ? (1 - from) * envelope.attack : envelope.attack
  param.setValueAtTime(from, time)
  if (membrane) approach(param, velocity, time, attack)
  else param.linearRampToValueAtTime(velocity, time + attack)
  approach(param, velocity * envelope.sustain, time + attack, decay)
  const releaseAt = time + strike.duration
  if (param.valueAt(releaseAt) > 0) {
    param.cancelAndHoldAtTime(releaseAt)
    approach(param, 0, releaseAt, envelope.release)
  }
  return param
}

/** xorshift32: fast, seeded, the same sequence everywhere. */
const noiseSource = (seed: number) => {
  let state = seed >>> 0 || 0x9e3779b9
  return (): number => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 2_147_483_648 - 1
  }
}

/** Tone's pink noise filter (Paul Kellet's), per channel. */
class Pink {
  b0 = 0
  b1 = 0
  b2 = 0
  b3 = 0
  b4 = 0
  b5 = 0
  b6 = 0
  next(white: number): number {
    this.b0 = 0.99886 * this.b0 + white * 0.0555179
    this.b1 = 0.99332 * this.b1 + white * 0.0750759
    this.b2 = 0.969 * this.b2 + white * 0.153852
    this.b3 = 0.8665 * this.b3 + white * 0.3104856
    this.b4 = 0.55 * this.b4 + white * 0.5329522
    this.b5 = -0.7616 * this.b5 - white * 0.016898
    const out = this.b0 + this.b1 + this.b2 + this.b3 + this.b4 + this.b5 + this.b6 + white * 0.5362
    this.b6 = white * 0.115926
    return out * 0.11
  }
}

/** The kit's sources in DRUM_SOURCES' order (a lane's noise seed is its index). */
const SOURCE_ORDER = Object.keys(DRUM_SOURCES) as readonly Source[]

/** One source of the kit: its strikes, in time order, played into its own lane and through its filter. */
class DrumLane {
  readonly #name: Source
  readonly #source: MembraneSource | NoiseSource
  readonly #strikes: readonly Strike[]
  readonly #sampleRate: number
  readonly #level: number
  readonly #sum = new Accumulator()
  readonly #filter: Biquad | null
  readonly #random: () => number
  readonly #left = new Pink()
  readonly #right = new Pink()
  readonly #scratch = new Scratch()
  #previous: ScheduledValues | null = null
  #next = 0

  constructor(name: Source, strikes: readonly Strike[], sampleRate: number, seed: number) {
    this.#name = name
    this.#source = DRUM_SOURCES[name]
    this.#strikes = strikes
    this.#sampleRate = sampleRate
    this.#level = dbToGain(this.#source.volumeDb) * (name === 'toms' ? dbToGain(TOMS_VOLUME_DB) : 1)
    this.#random = noiseSource(seed)
    const filter = DRUM_FILTERS[name]
    this.#filter = fixedBiquad(filter, sampleRate)
  }

  /** Adds samples [position, end) of this lane into `out`. */
  take(end: number, out: Float32Array): void {
    for (; this.#next < this.#strikes.length; this.#next++) {
      const strike = this.#strikes[this.#next] as Strike
      if (Math.ceil(strike.time * this.#sampleRate - 1e-9) >= end) break
      this.#play(strike, this.#strikes[this.#next + 1])
    }
    const lane = this.#sum.take(end)
    this.#filter?.run(lane, 0, lane.length)
    for (let i = 0; i < lane.length; i++) out[i] = (out[i] as number) + (lane[i] as number)
  }

  #play(strike: Strike, next: Strike | undefined): void {
    const source = this.#source
    const sampleRate = this.#sampleRate
    const poly = this.#name === 'toms'
    const decay = strike.decay ?? source.envelope.decay
    const previous = this.#previous
    const from = poly || previous === null ? 0 : Math.max(0, previous.valueAt(strike.time))
    const envelope = toneEnvelope(strike, from, decay, source.kind === 'membrane')
    this.#previous = envelope
    // The source stops after attack + decay (no sustain) or after its release, whichever Tone asked for
    // first; a monophonic source also stops when it is struck again.
    let stop = Math.min(
      strike.time + source.envelope.attack + decay,
      strike.time + strike.duration + source.envelope.release,
    )
    if (!poly && next !== undefined) stop = Math.min(stop, next.time)
    const first = Math.max(this.#sum.position, Math.ceil(strike.time * sampleRate - 1e-9))
    const n = Math.ceil(stop * sampleRate) - first
    if (n <= 0) return
    const amp = this.#scratch.get(0, n)
    envelope.fill(amp, n, first / sampleRate, sampleRate)
    const { array, base } = this.#sum.reserve(first, first + n)
    const level = this.#level
    if (source.kind === 'membrane') {
      // A sine swept exponentially from `octaves` above the note down to it over `pitchDecay`.
      const top = strike.frequency * 2 ** source.octaves
      const sweep = Math.max(1, Math.round(source.pitchDecay * sampleRate))
      const ratio = (strike.frequency / top) ** (1 / sweep)
      let frequency = top * ratio ** (first - strike.time * sampleRate)
      let phase = 0
      const perHz = TABLE_SIZE / sampleRate
      for (let k = 0; k < n; k++) {
        const sine = readTable(SINE, phase)
        array[base + k] = (array[base + k] as number) + sine * (amp[k] as number) * level
        phase += frequency * perHz
        if (phase >= TABLE_SIZE) phase -= TABLE_SIZE
        if (k < sweep) frequency *= ratio
      }
    } else {
      // Tone's noise is a stereo buffer; the track's mono strip hears the mean of its two channels. Tone starts
      // it at a random offset that falls between samples, so the buffer source interpolates: each sample is a
      // mix of two neighbours, which darkens the noise (a hat's spectral centroid by about a fifth). Mixing
      // them at 0.125-0.875 matched live renders of the kit best (voice-dsp.test.ts); 0-1 stayed too bright.
      const pink = source.color === 'pink'
      const random = this.#random
      const between = 0.5 + (random() * 3) / 8
      let previousLeft = random()
      let previousRight = random()
      if (pink) {
        previousLeft = this.#left.next(previousLeft)
        previousRight = this.#right.next(previousRight)
      }
      for (let k = 0; k < n; k++) {
        let a = random()
        let b = random()
        if (pink) {
          a = this.#left.next(a)
          b = this.#right.next(b)
        }
        const sample =
          (previousLeft + (a - previousLeft) * between + previousRight + (b - previousRight) * between) / 2
        previousLeft = a
        previousRight = b
        array[base + k] = (array[base + k] as number) + sample * (amp[k] as number) * level
      }
    }
  }
}

class DrumVoices {
  readonly #lanes: DrumLane[] = []
  #position = 0

  constructor(notes: readonly VoiceNote[], sampleRate: number, seed: number) {
    const strike = drumStriker()
    const bySource = new Map<Source, Strike[]>()
    for (const note of notes)
      for (const s of strike(note.pitch, note.time, note.velocity, Number.NEGATIVE_INFINITY)) {
        const list = bySource.get(s.source) ?? []
        list.push(s)
        bySource.set(s.source, list)
      }
    SOURCE_ORDER.forEach((name, index) => {
      const strikes = bySource.get(name)
      if (strikes !== undefined)
        this.#lanes.push(new DrumLane(name, strikes, sampleRate, seed * 31 + index + 1))
    })
  }

  take(end: number): Float32Array<ArrayBuffer> {
    const out = new Float32Array(Math.max(0, end - this.#position))
    for (const lane of this.#lanes) lane.take(end, out)
    this.#position = end
    return out
  }
}

/**
 * A track's voices, rendered as the render asks for them: `take(end)` returns the samples from where the
 * last call stopped up to `end` (exclusive), mono. Notes must be sorted by time; each is rendered whole when
 * the window it starts in is taken, and what rings past the window waits for the next.
 */
export interface VoiceStream {
  take(end: number): Float32Array<ArrayBuffer>
}

export const voiceStream = (
  preset: PresetId,
  notes: readonly VoiceNote[],
  sampleRate: number,
  seed: number,
): VoiceStream =>
  preset === 'drum-kit'
    ? new DrumVoices(notes, sampleRate, seed)
    : new MelodicVoices(preset, notes, sampleRate)
