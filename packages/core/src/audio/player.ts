/*
 * The thin Tone.js side of the engine: it owns the audio graph (a channel, meter and instrument per track, a
 * master channel ending in a limiter) and applies the actions `diffSong` computes. It never reads the song itself, so what is
 * played is exactly what the pure, tested diff said.
 *
 * Notes are scheduled on the transport in ticks (the transport runs at the song's 480 PPQ), one transport
 * event per played note, grouped by clip. Rescheduling a clip clears only that clip's events, so an edit
 * during playback is heard the next time the playhead (or the loop) reaches it, and nothing else is touched.
 */
import type * as ToneModule from 'tone'
import { PPQ } from '../music/index'
import { ticksToSeconds } from '../music/time'
import { MIN_VOLUME_DB } from '../song/index'
import type { AssetBuffers } from './asset-buffers'
import { AudioClipPlayer } from './clip-player'
import type { EngineAction, NoteEvent } from './diff'
import { createInstrument, type Instrument } from './instruments/index'
import { createMasterLimiter, type MasterLimiter } from './limiter'
import { Metronome } from './metronome'
import { MixerGraph } from './mixer-graph'
import type { PresetId } from './presets'
import type { ToneContext, ToneLib } from './tone'

export interface PlayerOptions {
  /** Level meters per track and on the master; off for offline renders, where nobody reads them. */
  readonly meters?: boolean
  /** Where audio clips' audio comes from; without it, audio clips are silent. */
  readonly assets?: AssetBuffers
  /**
   * False for the offline render: tracks get no instrument and notes are not scheduled, because the render
   * plays each track's voices as buffers it computed (`playVoices`, instruments/voice-dsp.ts).
   */
  readonly instruments?: boolean
}

/** Levels in dBFS (RMS, smoothed); -Infinity is silence. */
export interface Levels {
  readonly master: number
  /** The master limiter's gain reduction in dB (0, or negative while it limits). */
  readonly limiterDb: number
  readonly tracks: Readonly<Record<string, number>>
  /** Gain reduction in dB (0 or negative) by device id, for compressors. */
  readonly reductions: Readonly<Record<string, number>>
  /** Each bus after its fader. */
  readonly buses: Readonly<Record<string, number>>
}

interface TrackGraph {
  /** Where the instrument and the audio clips play into; the inserts run from here to the channel. */
  readonly input: ToneModule.Gain
  readonly channel: ToneModule.Channel
  readonly meter: ToneModule.Meter | null
  preset: PresetId | null
  instrument: Instrument | null
  /** Where the track's audio clips meet before its channel; made with the first audio clip. */
  audioBus: ToneModule.Gain | null
  /** Per clip id: its transport event ids, and the pitches they play (to prepare a swapped instrument). */
  readonly clips: Map<string, { readonly ids: readonly number[]; readonly pitches: ReadonlySet<number> }>
}

const meterLevel = (meter: ToneModule.Meter | null): number => {
  if (meter === null) return Number.NEGATIVE_INFINITY
  // A one-channel meter returns one number; the union type covers meters with more channels.
  const value = meter.getValue() as number | number[]
  return typeof value === 'number' ? value : Math.max(...value)
}

export class TonePlayer {
  readonly #tone: ToneLib
  readonly #context: ToneContext
  readonly #transport: ToneModule.TransportInstance
  readonly #tracks = new Map<string, TrackGraph>()
  readonly #master: ToneModule.Channel
  readonly #masterMeter: ToneModule.Meter | null
  readonly #limiter: MasterLimiter
  readonly #meters: boolean
  readonly #instruments: boolean
  readonly metronome: Metronome
  readonly #audioClips: AudioClipPlayer
  readonly #mixer: MixerGraph
  #bpm = 120

  constructor(tone: ToneLib, context: ToneContext, options: PlayerOptions = {}) {
    this.#tone = tone
    this.#context = context
    this.#transport = context.transport
    // Song ticks are transport ticks: no conversion anywhere, and a tempo change re-times everything.
    this.#transport.PPQ = PPQ
    this.#meters = options.meters ?? true
    this.#instruments = options.instruments ?? true
    // Two channels, so buses and stereo tracks keep their image and a track's pan is heard (Tone's default
    // of one folded the whole mix to mono here). -3 dB keeps a centred mono track's level what it was: the
    // one-channel panner took the centre down by that much, the two-channel one leaves it.
    this.#master = new tone.Channel({ context, channelCount: 2, volume: 20 * Math.log10(Math.SQRT1_2) })
    // The master meter reads after the limiter: it shows what leaves the mix, which never reaches 0 dBFS.
    this.#limiter = createMasterLimiter(tone, context)
    // Master → master chain → limiter: the mixer graph wires the chain between them.
    this.#mixer = new MixerGraph(
      tone,
      context,
      this.#master,
      this.#limiter.input,
      () => this.#bpm,
      this.#meters,
    )
    this.#limiter.output.connect(context.destination)
    this.#masterMeter = this.#meters ? new tone.Meter({ context, smoothing: 0.8, channelCount: 1 }) : null
    if (this.#masterMeter !== null) this.#limiter.output.connect(this.#masterMeter)
    this.metronome = new Metronome(tone, context, this.#master)
    this.#audioClips = new AudioClipPlayer(context, options.assets ?? null, () => this.#bpm)
  }

  /** The graph's master bus; the WAV export and tests tap the destination, the UI reads `levels`. */
  get master(): ToneModule.Channel {
    return this.#master
  }

  apply(actions: readonly EngineAction[]): void {
    for (const action of actions) this.#apply(action)
  }

  #apply(action: EngineAction): void {
    switch (action.type) {
      case 'tempo':
        this.#bpm = action.bpm
        this.#transport.bpm.value = action.bpm
        this.#audioClips.retime()
        this.#mixer.automation.retime()
        return
      case 'timeSignature':
        this.#transport.timeSignature = [action.numerator, action.denominator]
        this.metronome.setTimeSignature({
          numerator: action.numerator,
          denominator: action.denominator as 1 | 2 | 4 | 8 | 16 | 32,
        })
        return
      case 'addTrack':
        this.#addTrack(action.trackId, action.preset, action.stereo)
        return
      case 'removeTrack':
        this.#removeTrack(action.trackId)
        return
      case 'setPreset': {
        const track = this.#tracks.get(action.trackId)
        if (track !== undefined) this.#setPreset(track, action.preset)
        return
      }
      case 'mix': {
        const track = this.#tracks.get(action.trackId)
        if (track === undefined) return
        // The fader's floor is silence, not -60 dB of audible bleed. An automated fader follows its lane.
        if (!this.#mixer.automated(action.trackId, 'volume'))
          track.channel.volume.value =
            action.volumeDb <= MIN_VOLUME_DB ? Number.NEGATIVE_INFINITY : action.volumeDb
        if (!this.#mixer.automated(action.trackId, 'pan')) track.channel.pan.value = action.pan
        track.channel.mute = !action.audible
        return
      }
      case 'graph':
        this.#mixer.apply(action.action)
        return
      case 'scheduleClip':
        this.#scheduleClip(action.trackId, action.clipId, action.events)
        return
      case 'scheduleAudioClip': {
        const track = this.#tracks.get(action.trackId)
        if (track === undefined) return
        track.audioBus ??= new this.#tone.Gain({ context: this.#context }).connect(track.input)
        this.#audioClips.schedule(
          action.trackId,
          action.clipId,
          action.clip,
          track.audioBus.input as AudioNode,
        )
        return
      }
      case 'removeClip': {
        this.#audioClips.remove(action.clipId)
        const track = this.#tracks.get(action.trackId)
        if (track === undefined) return
        this.#clearClip(track, action.clipId)
        track.clips.delete(action.clipId)
        return
      }
    }
  }

  #addTrack(trackId: string, preset: PresetId | null, stereo: boolean): void {
    if (this.#tracks.has(trackId)) this.#removeTrack(trackId)
    // Tone's channel pans one channel by default, which would fold a stereo recording to mono.
    const channel = new this.#tone.Channel({ context: this.#context, channelCount: stereo ? 2 : 1 })
    channel.connect(this.#master)
    const input = new this.#tone.Gain({ context: this.#context })
    this.#mixer.addTrack(trackId, input, channel, stereo)
    const meter = this.#meters
      ? new this.#tone.Meter({ context: this.#context, smoothing: 0.8, channelCount: 1 })
      : null
    if (meter !== null) channel.connect(meter)
    const track: TrackGraph = {
      input,
      channel,
      meter,
      preset: null,
      instrument: null,
      audioBus: null,
      clips: new Map(),
    }
    this.#tracks.set(trackId, track)
    this.#setPreset(track, preset)
  }

  #setPreset(track: TrackGraph, preset: PresetId | null): void {
    if (track.preset === preset && track.instrument !== null) return
    track.instrument?.dispose()
    track.instrument =
      preset === null || !this.#instruments ? null : createInstrument(this.#tone, this.#context, preset)
    track.instrument?.output.connect(track.input)
    for (const clip of track.clips.values()) track.instrument?.prepare?.(clip.pitches)
    track.preset = preset
  }

  #removeTrack(trackId: string): void {
    const track = this.#tracks.get(trackId)
    if (track === undefined) return
    for (const clipId of track.clips.keys()) this.#clearClip(track, clipId)
    this.#audioClips.removeTrack(trackId)
    track.audioBus?.dispose()
    track.instrument?.dispose()
    this.#mixer.removeTrack(trackId)
    track.input.dispose()
    track.meter?.dispose()
    track.channel.dispose()
    this.#tracks.delete(trackId)
  }

  #clearClip(track: TrackGraph, clipId: string): void {
    for (const id of track.clips.get(clipId)?.ids ?? []) this.#transport.clear(id)
  }

  #scheduleClip(trackId: string, clipId: string, events: readonly NoteEvent[]): void {
    const track = this.#tracks.get(trackId)
    if (track === undefined || !this.#instruments) return
    this.#clearClip(track, clipId)
    const pitches = new Set(events.map((e) => e.pitch))
    track.instrument?.prepare?.(pitches)
    const ids = events.map((event) =>
      this.#transport.schedule((time) => {
        // Looked up when the note fires, so swapping the preset needs no rescheduling.
        const instrument = this.#tracks.get(trackId)?.instrument
        instrument?.play(event.pitch, time, ticksToSeconds(event.duration, this.#bpm), event.velocity)
      }, `${event.tick}i`),
    )
    track.clips.set(clipId, { ids, pitches })
  }

  /**
   * Plays a track's rendered voices (mono samples) into its strip from context time `at`, in place of its
   * instrument: one buffer source, wired where the instrument would be, so level/tone automation, inserts,
   * fader and sends apply as live.
   */
  playVoices(trackId: string, samples: Float32Array<ArrayBuffer>, at: number): void {
    const track = this.#tracks.get(trackId)
    if (track === undefined || samples.length === 0) return
    const raw = this.#context.rawContext as BaseAudioContext
    const buffer = raw.createBuffer(1, samples.length, raw.sampleRate)
    buffer.copyToChannel(samples, 0)
    const source = raw.createBufferSource()
    source.buffer = buffer
    source.connect(track.input.input as AudioNode)
    source.onended = () => source.disconnect()
    source.start(at)
  }

  /** Plays a note now on a track's instrument (keyboard preview, MIDI input). */
  /** `at`: a context time to sound it at (a bandmate's live note, scheduled ahead); now when absent. */
  noteOn(trackId: string, pitch: number, velocity: number, at?: number): void {
    this.#tracks.get(trackId)?.instrument?.noteOn(pitch, at ?? this.#context.now(), velocity)
  }

  noteOff(trackId: string, pitch: number, at?: number): void {
    this.#tracks.get(trackId)?.instrument?.noteOff(pitch, at ?? this.#context.now())
  }

  /** Releases every sounding note, so stopping the transport leaves no note hanging. */
  releaseAll(): void {
    const now = this.#context.now()
    for (const track of this.#tracks.values()) track.instrument?.releaseAll(now)
  }

  levels(): Levels {
    const tracks: Record<string, number> = {}
    for (const [id, track] of this.#tracks) tracks[id] = meterLevel(track.meter)
    const buses: Record<string, number> = {}
    for (const [id, meter] of this.#mixer.busMeters()) buses[id] = meterLevel(meter)
    return {
      master: meterLevel(this.#masterMeter),
      limiterDb: this.#limiter.reductionDb(),
      tracks,
      buses,
      reductions: this.#mixer.reductions(),
    }
  }

  /** How many transport events each clip has scheduled (for tests and diagnostics); an audio clip has one. */
  scheduledCounts(): ReadonlyMap<string, number> {
    const counts = new Map<string, number>()
    for (const track of this.#tracks.values())
      for (const [id, clip] of track.clips) counts.set(id, clip.ids.length)
    for (const id of this.#audioClips.clipIds()) counts.set(id, 1)
    return counts
  }

  dispose(): void {
    for (const id of [...this.#tracks.keys()]) this.#removeTrack(id)
    this.#audioClips.dispose()
    this.metronome.dispose()
    this.#mixer.dispose()
    this.#masterMeter?.dispose()
    this.#limiter.dispose()
    this.#master.dispose()
  }
}
