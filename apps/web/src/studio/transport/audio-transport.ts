import { MIN_VOLUME_DB, readAudioAsset } from '@ensemble/core'
import type { AssetBufferCache, AssetBuffers, AudioEngine, Instrument, PresetId } from '@ensemble/core/audio'
import type { BaseContext } from 'tone'
import type * as Y from 'yjs'
import type { ViewStore } from '../view/view-store'
import { createClockTransport, type Transport } from './transport'

export interface AudioTransport extends Transport {
  /** Sounds one pitch on a track's instrument for a moment (piano-roll keys, drawing, drum rows). */
  audition(trackId: string, pitch: number, velocity: number): void
  /**
   * Sounds a pitch on a track's instrument and mixer channel: now, or at local time `atMs`
   * (`performance.now()` based; a bandmate's live note, scheduled ahead by the jam).
   */
  noteOn(trackId: string, pitch: number, velocity: number, atMs?: number): void
  noteOff(trackId: string, pitch: number, atMs?: number): void
  /** Plays a preset that belongs to no track (auditioning the tracks an arranger proposes). */
  presetNoteOn(preset: PresetId, pitch: number, velocity: number): void
  presetNoteOff(preset: PresetId, pitch: number): void
  /** Whether the audio engine is running (after the first gesture that needed sound). */
  audible(): boolean
  /**
   * Loads and resumes the engine (call from a gesture) and gives its context: recording and latency
   * calibration run on the same clock as the song, or null where audio cannot start.
   */
  audioContext(): Promise<BaseContext | null>
  /** The song tick the transport sounds at a time of the audio clock (seconds); null without audio. */
  tickAtTime(seconds: number): number | null
  /**
   * Gives the engine a clip's audio this tab has already (its own take, an import), so it plays before
   * the upload ends and is never downloaded here.
   */
  provideAudio(hash: string, audio: { sampleRate: number; channels: readonly Float32Array[] }): void
  /** Audio clips' buffers by hash (loads the engine): what a WAV export renders them from. */
  audioAssets(): Promise<AssetBuffers | null>
  /**
   * The server now holds this asset's audio: a clip of the song that found it missing (a bandmate's take
   * still uploading) loads it now and joins at the playhead.
   */
  audioStored(hash: string): void
}

export interface AudioTransportOptions {
  /** Where an asset's audio is downloaded from (members only; cached by the browser, it never changes). */
  readonly assetUrl: (hash: string) => string
}

/** The engine's context time for local time `atMs` (performance.now() based); undefined means now. */
function contextTime(engine: AudioEngine, atMs: number | undefined): number | undefined {
  if (atMs === undefined) return undefined
  return Math.max(engine.currentTime, engine.currentTime + (atMs - performance.now()) / 1000)
}

/**
 * Starts the engine from `tick` at local time `atMs`; a moment already past starts now, from `tickNow` (where
 * the song stands by then on the silent clock, which keeps the same schedule).
 */
function startEngineAt(engine: AudioEngine, tick: number, atMs: number, tickNow: () => number): void {
  if (engine.playing) engine.pause()
  if (atMs >= performance.now()) engine.play(Math.round(tick), contextTime(engine, atMs))
  else engine.play(Math.round(tickNow()))
}

/** Takes are captured at the context's rate: 48 kHz, what audio interfaces run at natively. */
const SAMPLE_RATE = 48_000

/**
 * The studio transport with sound: core's AudioEngine (Tone.js), loaded on the first gesture that needs
 * audio so the studio's first paint does not carry Tone, and started with `resume()` inside that gesture
 * (browsers allow audio only then). Until it is loaded, and wherever audio cannot start, the silent clock
 * keeps the playhead moving. Loop and metronome follow the view store; the engine follows the song itself.
 */
export function createAudioTransport(
  doc: Y.Doc,
  view: ViewStore,
  options: AudioTransportOptions,
): AudioTransport {
  const clock = createClockTransport(doc, view)
  let engine: AudioEngine | null = null
  let loading: Promise<AudioEngine | null> | null = null
  let failed = false
  const listeners = new Set<() => void>()
  const emit = () => {
    for (const l of [...listeners]) l()
  }

  // The master fader is this listener's monitoring level, so it sets Tone's output, not the song.
  let destination: { volume: { value: number } } | null = null
  // Voices for presetNoteOn, built on first use on the engine's context and kept until destroy.
  let makeVoice: ((preset: PresetId) => Instrument) | null = null
  let contextNow = () => 0
  const voices = new Map<PresetId, Instrument>()
  const voice = (preset: PresetId): Instrument | null => {
    if (!makeVoice) return null
    let v = voices.get(preset)
    if (!v) {
      v = makeVoice(preset)
      voices.set(preset, v)
    }
    return v
  }
  const syncView = () => {
    if (!engine) return
    const { loop, metronome, masterDb } = view.get()
    engine.setLoop(loop.enabled ? { start: loop.start, end: loop.end } : null)
    if (engine.metronome !== metronome) engine.setMetronome(metronome)
    if (destination)
      destination.volume.value = masterDb <= MIN_VOLUME_DB ? Number.NEGATIVE_INFINITY : masterDb
  }
  const offView = view.subscribe(syncView)

  let context: BaseContext | null = null
  let assets: AssetBufferCache | null = null
  // Audio handed over before the engine was loaded; given to its cache on load.
  const provided = new Map<string, { sampleRate: number; channels: readonly Float32Array[] }>()
  const toBuffer = (on: BaseContext, audio: { sampleRate: number; channels: readonly Float32Array[] }) => {
    const length = audio.channels[0]?.length ?? 0
    const buffer = on.createBuffer(audio.channels.length, Math.max(1, length), audio.sampleRate)
    audio.channels.forEach((channel, c) => {
      buffer.copyToChannel(channel as Float32Array<ArrayBuffer>, c)
    })
    return buffer
  }
  const load = (): Promise<AudioEngine | null> => {
    loading ??= Promise.all([import('@ensemble/core/audio'), import('tone')])
      .then(async ([audio, tone]) => {
        // One 48 kHz context for playback and capture, so a take needs no resampling and shares the song's clock.
        tone.setContext(new tone.Context({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' }))
        context = tone.getContext()
        destination = tone.getDestination()
        makeVoice = (preset) => {
          const v = audio.createInstrument(tone, tone.getContext(), preset)
          v.output.toDestination()
          return v
        }
        contextNow = () => tone.getContext().now()
        const on = context
        assets = new audio.AssetBufferCache(async (hash) => {
          const res = await fetch(options.assetUrl(hash), { credentials: 'same-origin' })
          if (!res.ok) throw new Error(`The audio of a clip could not be loaded (${res.status})`)
          return on.decodeAudioData(await res.arrayBuffer())
        })
        for (const [hash, audio] of provided) assets.set(hash, toBuffer(on, audio))
        provided.clear()
        const created = audio.createAudioEngine(doc, {
          meters: true,
          metronome: view.get().metronome,
          assets,
        })
        await created.resume()
        engine = created
        syncView()
        return created
      })
      .catch((err: unknown) => {
        // No audio device, or a browser policy: the studio still works, silently.
        console.warn('Audio engine unavailable; playing silently', err)
        failed = true
        return null
      })
    return loading
  }

  const transport: AudioTransport = {
    playing: () => (engine ? engine.playing : clock.playing()),
    play() {
      if (transport.playing()) return
      const from = Math.round(clock.position())
      if (engine) {
        void engine.resume()
        const { loop } = view.get()
        engine.play(loop.enabled && (from < loop.start || from >= loop.end) ? loop.start : from)
        emit()
        return
      }
      // Start the silent clock at once so the button answers; hand over to the engine when it is ready.
      clock.play()
      emit()
      if (failed) return
      void load().then((e) => {
        if (!e || !clock.playing()) return
        const at = Math.round(clock.position())
        clock.stop()
        e.play(at)
        emit()
      })
    },
    stop() {
      if (engine?.playing) {
        const at = Math.round(engine.position)
        engine.pause()
        clock.seek(at)
      } else clock.stop()
      emit()
    },
    toggle: () => (transport.playing() ? transport.stop() : transport.play()),
    position: () => (engine?.playing ? engine.position : clock.position()),
    seek(tick) {
      clock.seek(tick)
      if (engine?.playing) engine.seek(tick)
      emit()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    levels: () => (engine ? engine.getLevels() : null),
    audition(trackId, pitch, velocity) {
      transport.noteOn(trackId, pitch, velocity)
      setTimeout(() => transport.noteOff(trackId, pitch), 280)
    },
    noteOn(trackId, pitch, velocity, atMs) {
      if (engine) engine.noteOn(trackId, pitch, velocity / 127, contextTime(engine, atMs))
      else if (!failed)
        void load().then((e) => e?.noteOn(trackId, pitch, velocity / 127, contextTime(e, atMs)))
    },
    noteOff(trackId, pitch, atMs) {
      if (engine) engine.noteOff(trackId, pitch, contextTime(engine, atMs))
    },
    startAt(tick, atMs) {
      clock.startAt(tick, atMs)
      if (engine) {
        startEngineAt(engine, tick, atMs, () => clock.position())
        // The engine holds the schedule now; the stopped clock keeps the start tick for `position` until then.
        clock.stop()
        emit()
        return
      }
      emit()
      if (failed) return
      // Loading takes a moment: the silent clock holds the schedule, and the engine joins it where it stands.
      void load().then((e) => {
        if (!e || !clock.playing()) return
        startEngineAt(e, tick, atMs, () => clock.position())
        clock.stop()
        emit()
      })
    },
    presetNoteOn(preset, pitch, velocity) {
      const play = () => voice(preset)?.noteOn(pitch, contextNow(), velocity / 127)
      if (engine) play()
      else if (!failed) void load().then(play)
    },
    presetNoteOff(preset, pitch) {
      voice(preset)?.noteOff(pitch, contextNow())
    },
    audible: () => engine !== null,
    async audioContext() {
      if (!engine && !failed) await load()
      if (!engine || !context) return null
      await engine.resume()
      return context
    },
    provideAudio(hash, audio) {
      if (assets && context) assets.set(hash, toBuffer(context, audio))
      else provided.set(hash, audio)
    },
    async audioAssets() {
      if (!engine && !failed) await load()
      return assets
    },
    audioStored(hash) {
      // Without the engine nothing waits: clips load their audio when it starts.
      if (assets === null || assets.get(hash) !== undefined || readAudioAsset(doc, hash) === undefined) return
      assets.load(hash).catch(() => {})
    },
    tickAtTime(seconds) {
      if (!engine || !context) return null
      return context.transport.getTicksAtTime(seconds)
    },
    destroy() {
      offView()
      listeners.clear()
      clock.destroy()
      for (const v of voices.values()) v.dispose()
      engine?.dispose()
    },
  }
  return transport
}
