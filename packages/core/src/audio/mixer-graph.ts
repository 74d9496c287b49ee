/*
 * The Tone side of `graph.ts`: insert chains, buses, sends and the master chain, kept in step with the
 * graph description by its actions. Tracks' own nodes (instrument, channel) stay with TonePlayer, which
 * hands each track's input and channel over here; this class wires what lies between and after them.
 *
 * A parameter change sets one param of one node; a chain whose devices, order or bypass switches change is
 * re-wired, and only added devices get new nodes (bypassed ones stay built, out of the signal path, so
 * switching them back is instant and keeps their state).
 */
import type * as ToneModule from 'tone'
import type { ParameterValue } from '../plugin/parameters'
import { instrumentParameter } from '../song/index'
import { AutomationPlayer } from './automation-player'
import { connectPorts, createEffectNode, type EffectNode, type Port } from './effect-nodes'
import type { ChainOwner, GraphAction, GraphDevice, GraphSend, ParamCurve } from './graph'
import type { ToneContext, ToneLib } from './tone'

interface Strip {
  /** Where the strip's sound comes in (the instrument, the audio clips, or the sends into a bus). */
  readonly input: ToneModule.ToneAudioNode
  /** Where the inserts start: the input, or the instrument stage after it once that is automated. */
  head: ToneModule.ToneAudioNode
  /** The instrument's level and tone, built the first time one of them is automated (see `#instrumentStage`). */
  instrument: InstrumentStage | null
  /** After the inserts: where the fader and the pre-fader sends take the signal. */
  readonly chainOut: ToneModule.Gain
  /**
   * Between the inserts and a track's fader: -3 dB while a mono source goes through a stereo insert, so the
   * stereo fader (L = R at full level) gives the centre what the mono fader's pan law gave it.
   */
  readonly trim: ToneModule.Gain | null
  readonly fader: ToneModule.Channel
  /** A track whose own sound is stereo (a stereo recording): its fader is stereo whatever its inserts. */
  readonly sourceStereo: boolean
  /** Whether the fader carries two channels now. */
  stereo: boolean
  order: readonly GraphDevice[]
  readonly sends: Map<string, ToneModule.Gain<'decibels'>>
  /** Built by this class (a bus), so disposed by it. */
  readonly owned: boolean
}

interface InstrumentStage {
  readonly level: ToneModule.Gain<'decibels'>
  readonly tone: ToneModule.Filter
}

interface BuiltDevice {
  readonly node: EffectNode
  params: Record<string, ParameterValue>
}

/**
 * The panner inside a Tone.Channel: how many channels it takes in is what folds a mono track's image (one:
 * Tone's default, a mono source panned with the equal-power law) or keeps it (two: a stereo balance). Tone
 * sets it only when the channel is built, so it is reached through Channel's private fields (Tone 15's
 * names), checked so that a Tone upgrade fails loudly here rather than folding to mono in silence.
 */
const faderPanner = (channel: ToneModule.Channel): ToneModule.Panner => {
  const panner = (channel as unknown as { _panVol?: { _panner?: unknown } })._panVol?._panner
  if (!(panner instanceof Object) || !('channelCount' in panner))
    throw new Error('MixerGraph: this Tone version has no Channel._panVol._panner')
  return panner as ToneModule.Panner
}

const dbOrSilence = (db: number): number => (Number.isFinite(db) ? db : Number.NEGATIVE_INFINITY)

export class MixerGraph {
  readonly #tone: ToneLib
  readonly #context: ToneContext
  readonly #strips = new Map<string, Strip>()
  readonly #devices = new Map<string, BuiltDevice>()
  readonly #master: Strip
  readonly #meters: boolean
  /** A level meter after each bus fader, when the player shows meters (not in offline renders). */
  readonly #busMeters = new Map<string, ToneModule.Meter>()
  readonly automation: AutomationPlayer

  /** Gain reduction in dB by device id, for the devices that report one (compressors). */
  reductions(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [id, built] of this.#devices) {
      const reduction = built.node.reductionDb?.()
      if (reduction !== undefined) out[id] = reduction
    }
    return out
  }

  /** `master` is the mix bus; `out` where the master chain ends (the master limiter). */
  constructor(
    tone: ToneLib,
    context: ToneContext,
    master: ToneModule.Channel,
    out: ToneModule.InputNode,
    bpm: () => number,
    meters = false,
  ) {
    this.#meters = meters
    this.#tone = tone
    this.#context = context
    this.automation = new AutomationPlayer(context, bpm)
    const chainOut = new tone.Gain({ context })
    chainOut.connect(out)
    master.connect(chainOut)
    this.#master = {
      input: master,
      head: master,
      instrument: null,
      chainOut,
      trim: null,
      fader: master,
      sourceStereo: true,
      stereo: true,
      order: [],
      sends: new Map(),
      owned: false,
    }
  }

  /**
   * Wires a track: `input` → inserts → `channel`; `stereo` when the track's own sound is (a stereo
   * recording). The fader stays TonePlayer's; this class switches it to two channels while a stereo insert
   * (reverb, chorus, phaser, width) is in the chain, so the image is not folded to mono at the pan.
   */
  addTrack(
    trackId: string,
    input: ToneModule.ToneAudioNode,
    channel: ToneModule.Channel,
    stereo = false,
  ): void {
    const chainOut = new this.#tone.Gain({ context: this.#context })
    const trim = new this.#tone.Gain({ context: this.#context })
    input.connect(chainOut)
    chainOut.chain(trim, channel)
    this.#strips.set(`track:${trackId}`, {
      input,
      head: input,
      instrument: null,
      chainOut,
      trim,
      fader: channel,
      sourceStereo: stereo,
      stereo,
      order: [],
      sends: new Map(),
      owned: false,
    })
  }

  removeTrack(trackId: string): void {
    this.#removeStrip(`track:${trackId}`)
  }

  busMeters(): ReadonlyMap<string, ToneModule.Meter> {
    return this.#busMeters
  }

  /** Whether automation drives a track's volume or pan (then the fader's static value must not override it). */
  automated(trackId: string, what: 'volume' | 'pan'): boolean {
    return this.automation.has(`track:${trackId}/${what}`)
  }

  apply(action: GraphAction): void {
    switch (action.type) {
      case 'addBus': {
        const key = `bus:${action.busId}`
        if (this.#strips.has(key)) return
        const context = this.#context
        // Buses are stereo: a reverb or a widener keeps its image through the fader.
        const input = new this.#tone.Gain({ context })
        const chainOut = new this.#tone.Gain({ context })
        const fader = new this.#tone.Channel({ context, channelCount: 2 })
        input.connect(chainOut)
        chainOut.connect(fader)
        fader.connect(this.#master.input)
        if (this.#meters) {
          const meter = new this.#tone.Meter({ context, smoothing: 0.8, channelCount: 1 })
          fader.connect(meter)
          this.#busMeters.set(action.busId, meter)
        }
        this.#strips.set(key, {
          input,
          head: input,
          instrument: null,
          chainOut,
          trim: null,
          fader,
          sourceStereo: true,
          stereo: true,
          order: [],
          sends: new Map(),
          owned: true,
        })
        return
      }
      case 'removeBus':
        this.#removeStrip(`bus:${action.busId}`)
        return
      case 'chain': {
        const strip = this.#strip(action.owner)
        if (strip !== undefined) this.#rewire(strip, action.devices)
        return
      }
      case 'param': {
        const built = this.#devices.get(action.deviceId)
        if (built === undefined) return
        built.params[action.param] = action.value
        built.node.set(action.param, action.value)
        return
      }
      case 'deviceAutomation': {
        const built = this.#devices.get(action.deviceId)
        if (built === undefined) return
        const key = `device:${action.deviceId}/${action.param}`
        this.#drive(key, built, action.param, action.curve)
        return
      }
      case 'instrumentAutomation': {
        const strip = this.#strips.get(`track:${action.trackId}`)
        const spec = instrumentParameter(action.param)
        if (strip === undefined || spec === undefined) return
        if (strip.instrument === null && action.curve.length === 0) return
        const stage = this.#instrumentStage(strip)
        const param = action.param === 'level' ? stage.level.gain : stage.tone.frequency
        const key = `track:${action.trackId}/instrument:${action.param}`
        this.automation.set(key, { param, convert: (v) => v }, action.curve)
        if (action.curve.length === 0) param.value = spec.default
        return
      }
      case 'busFader': {
        const strip = this.#strips.get(`bus:${action.busId}`)
        if (strip === undefined) return
        if (!this.automation.has(`bus:${action.busId}/volume`))
          strip.fader.volume.value = dbOrSilence(action.volumeDb)
        if (!this.automation.has(`bus:${action.busId}/pan`)) strip.fader.pan.value = action.pan
        strip.fader.mute = !action.audible
        return
      }
      case 'faderAutomation': {
        const strip = this.#strips.get(`${action.strip}:${action.id}`)
        if (strip === undefined) return
        const prefix = `${action.strip}:${action.id}`
        this.#driveFader(`${prefix}/volume`, strip.fader.volume, action.volume, action.volumeDb)
        this.#driveFader(`${prefix}/pan`, strip.fader.pan, action.pan, action.panValue)
        return
      }
      case 'sends': {
        const strip = this.#strips.get(`track:${action.trackId}`)
        if (strip !== undefined) this.#setSends(strip, action.sends)
        return
      }
    }
  }

  #strip(owner: ChainOwner): Strip | undefined {
    return owner.kind === 'master' ? this.#master : this.#strips.get(`${owner.kind}:${owner.id}`)
  }

  /**
   * Puts a level and a tone filter between a track's instrument and its inserts. Built only once a lane
   * drives one of them, so a song without instrument automation plays through no extra nodes; kept after
   * (at the defaults: 0 dB, a 20 kHz low-pass) so a lane drawn and undone does not re-wire the strip twice.
   */
  #instrumentStage(strip: Strip): InstrumentStage {
    if (strip.instrument !== null) return strip.instrument
    const context = this.#context
    const level = new this.#tone.Gain({ context, gain: 0, units: 'decibels' })
    const tone = new this.#tone.Filter({ context, type: 'lowpass', frequency: 20_000, rolloff: -12, Q: 0.7 })
    level.connect(tone)
    strip.input.disconnect()
    strip.instrument = { level, tone }
    strip.head = tone
    this.#rewire(strip, strip.order)
    strip.input.connect(level)
    return strip.instrument
  }

  #drive(key: string, built: BuiltDevice, param: string, curve: ParamCurve): void {
    const target = built.node.target(param)
    if (target !== null) this.automation.set(key, target, curve)
    else this.automation.set(key, { step: (value) => built.node.set(param, value) }, curve)
    // Without automation the knob's value holds again.
    if (curve.length === 0 && built.params[param] !== undefined) built.node.set(param, built.params[param]!)
  }

  #driveFader(
    key: string,
    param: ToneModule.Param<'decibels'> | ToneModule.Param<'audioRange'>,
    curve: ParamCurve,
    value: number,
  ): void {
    this.automation.set(key, { param, convert: (v) => v }, curve)
    if (curve.length === 0) param.value = key.endsWith('/volume') ? dbOrSilence(value) : value
  }

  #rewire(strip: Strip, devices: readonly GraphDevice[]): void {
    const keep = new Set(devices.map((d) => d.id))
    for (const old of strip.order) {
      if (keep.has(old.id)) continue
      this.automation.removeAll(`device:${old.id}/`)
      this.#devices.get(old.id)?.node.dispose()
      this.#devices.delete(old.id)
    }
    strip.head.disconnect()
    let at: Port = strip.head
    let stereoInsert = false
    for (const device of devices) {
      let built = this.#devices.get(device.id)
      if (built === undefined) {
        built = {
          node: createEffectNode(this.#tone, this.#context, device.kind, device.params),
          params: { ...device.params },
        }
        this.#devices.set(device.id, built)
      } else {
        for (const [param, value] of Object.entries(device.params))
          if (built.params[param] !== value) {
            built.params[param] = value
            built.node.set(param, value)
          }
      }
      built.node.output.disconnect()
      if (device.bypass) continue
      connectPorts(this.#tone, at, built.node.input)
      at = built.node.output
      stereoInsert ||= built.node.stereo
    }
    connectPorts(this.#tone, at, strip.chainOut)
    strip.order = devices
    if (strip.trim !== null) this.#setStereo(strip, strip.trim, stereoInsert)
  }

  #setStereo(strip: Strip, trim: ToneModule.Gain, stereoInsert: boolean): void {
    const stereo = strip.sourceStereo || stereoInsert
    trim.gain.value = stereo && !strip.sourceStereo ? Math.SQRT1_2 : 1
    if (stereo === strip.stereo) return
    faderPanner(strip.fader).channelCount = stereo ? 2 : 1
    strip.stereo = stereo
  }

  /** Whether a track's fader carries two channels (its source is stereo, or a stereo insert is in its chain). */
  stereo(trackId: string): boolean {
    return this.#strips.get(`track:${trackId}`)?.stereo ?? false
  }

  #setSends(strip: Strip, sends: readonly GraphSend[]): void {
    for (const [id, gain] of strip.sends) {
      this.automation.remove(`send:${id}`)
      gain.dispose()
    }
    strip.sends.clear()
    for (const send of sends) {
      const bus = this.#strips.get(`bus:${send.bus}`)
      if (bus === undefined) continue
      const gain = new this.#tone.Gain({
        context: this.#context,
        gain: dbOrSilence(send.levelDb),
        units: 'decibels',
      })
      ;(send.preFader ? strip.chainOut : strip.fader).connect(gain)
      gain.connect(bus.input)
      strip.sends.set(send.id, gain)
      this.automation.set(`send:${send.id}`, { param: gain.gain, convert: (v) => v }, send.automation)
    }
  }

  #removeStrip(key: string): void {
    const strip = this.#strips.get(key)
    if (strip === undefined) return
    this.automation.removeAll(`${key}/`)
    for (const device of strip.order) {
      this.automation.removeAll(`device:${device.id}/`)
      this.#devices.get(device.id)?.node.dispose()
      this.#devices.delete(device.id)
    }
    for (const [id, gain] of strip.sends) {
      this.automation.remove(`send:${id}`)
      gain.dispose()
    }
    // Sends from tracks into a removed bus go with it (their diff arrives too, but the nodes must not dangle).
    if (key.startsWith('bus:'))
      for (const other of this.#strips.values())
        for (const gain of other.sends.values()) gain.disconnect(strip.input)
    strip.chainOut.dispose()
    strip.instrument?.level.dispose()
    strip.instrument?.tone.dispose()
    if (key.startsWith('bus:')) {
      const id = key.slice('bus:'.length)
      this.#busMeters.get(id)?.dispose()
      this.#busMeters.delete(id)
    }
    strip.trim?.dispose()
    if (strip.owned) {
      strip.input.dispose()
      strip.fader.dispose()
    }
    this.#strips.delete(key)
  }

  dispose(): void {
    for (const key of [...this.#strips.keys()]) this.#removeStrip(key)
    for (const device of this.#master.order) this.#devices.get(device.id)?.node.dispose()
    this.#devices.clear()
    this.#master.chainOut.dispose()
    this.automation.dispose()
  }
}
