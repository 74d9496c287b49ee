/*
 * Offline render of a song snapshot, or a region of it, on a native OfflineAudioContext, window by window
 * (see WINDOW_SECONDS). The same player as live playback builds the graph, so an export sounds like what the
 * studio plays. The browser and Node differ only in the context class they pass (`index.ts`, `node.ts`).
 */
import type * as ToneModule from 'tone'
import { ticksToSeconds } from '../music/time'
import type { SongSnapshot } from '../song/index'
import type { AssetBuffers } from './asset-buffers'
import { diffSong, type EngineAction, type NoteEvent } from './diff'
import { type VoiceNote, type VoiceStream, voiceStream } from './instruments/voice-dsp'
import { limiterLatency } from './limiter'
import { audibleTracks } from './mix'
import { TonePlayer } from './player'
import type { PresetId } from './presets'
import { songEndTick, type TickRange } from './timing'
import type { ToneLib } from './tone'

export interface RenderOptions {
  /** Ticks to render; defaults to the whole song, from 0 to the end of its last clip. */
  readonly range?: TickRange
  readonly sampleRate?: number
  readonly channels?: 1 | 2
  /** Extra seconds after the range so releases ring out (0 keeps the length exactly the range's). */
  readonly tailSeconds?: number
  readonly metronome?: boolean
  /**
   * Called with the share of the audio rendered so far (0..1): 0 first, then once a window as the audio
   * renderer reaches it, and 1 when the audio is complete.
   */
  readonly onProgress?: (fraction: number) => void
  /** Stops the render: the promise rejects with the signal's reason at once, and no further notes are made. */
  readonly signal?: AbortSignal
  /**
   * Audio clips' audio. The render waits for every buffer it needs and fails, naming the clip, when one
   * cannot be had: an export never leaves a take out silently. Without it, a song with audio clips is refused.
   */
  readonly assets?: AssetBuffers
  /**
   * A stem: render only these tracks, each as its channel plays it (volume, pan), whatever the mute and solo
   * switches say. The length stays the whole song's (or the range's), so stems line up when imported.
   */
  readonly tracks?: readonly string[]
}

export interface RenderedAudio {
  readonly sampleRate: number
  /** One Float32Array per channel, all the same length. */
  readonly channels: readonly Float32Array[]
}

export const renderedLength = (audio: RenderedAudio): number => audio.channels[0]?.length ?? 0

export const renderDurationSeconds = (song: SongSnapshot, options: RenderOptions = {}): number => {
  const range = options.range ?? { start: 0, end: songEndTick(song) }
  return ticksToSeconds(Math.max(0, range.end - range.start), song.meta.bpm) + (options.tailSeconds ?? 0)
}

/**
 * How far ahead of the render clock the transport schedules. Tone renders offline with no look-ahead, so a
 * transport callback runs only once the clock has passed its time, and Tone clamps a source's start to the
 * clock: every note would start on the next 128-sample block, up to 3 ms late at 44.1 kHz. Letting the
 * transport look ahead (as the live context does, by 0.1 s) keeps onsets sample-accurate.
 */
const LOOKAHEAD_SECONDS = 0.05

/**
 * Audio rendered per window, in seconds. Tone's own `OfflineContext.render` runs the transport's clock over
 * the whole song before the audio renderer starts, so every note's voice (oscillators, filters, gains) is
 * built up front and sits in the render graph from the first block: each 128-sample block then walks
 * nodes for every note of the song, and a render costs O(notes × length). A 3-minute, 16-track song never
 * finished that way in Chromium. Rendering window by window, with the transport run only up to the end of
 * the next window, keeps the graph to the voices that are sounding or about to, so the cost per audio
 * second stays flat however long the song is; the windows are also where progress and cancel are honest.
 */
const WINDOW_SECONDS = 1

/** What the render needs of Tone's offline context beyond its public API (Tone 15's field names). */
interface OfflineClock {
  /** The artificial clock Tone's `now()` reads while rendering offline. */
  _currentTime: number
}

/** A native OfflineAudioContext class (the browser's, or node-web-audio-api's). */
export type NativeOfflineContextClass = new (options: OfflineAudioContextOptions) => OfflineAudioContext

/** Where `renderSong` renders. */
export interface OfflineRenderer {
  /**
   * The native class, not Tone's default wrapper: standardized-audio-context connects offline nodes only
   * when rendering starts, so nodes built between windows would stay silent.
   */
  readonly native: NativeOfflineContextClass
  /**
   * Awaited after the windows' suspensions are asked for and before the render starts. node-web-audio-api
   * registers a suspension on its own runtime thread some time after `suspend()` returns; one that a
   * started render beats fails ("Error in async function") and the render would pass that window.
   */
  readonly beforeRendering?: () => Promise<void>
}

/**
 * Renders `context` (on a native offline context) in windows: the render suspends at each window's start,
 * the transport schedules that window's events (plus its look-ahead), rendering resumes, and `ahead` is asked
 * for the audio up to the end of the window after the next (the tracks' voices: computed while the renderer
 * renders, and in place before it gets there). `reached` is told each window's start in seconds as the audio
 * renderer gets there.
 *
 * On abort (or a throw while scheduling) the promise rejects at once; the native render is resumed at every
 * remaining window without scheduling anything, so it runs out over an emptying graph and is released,
 * instead of staying suspended for ever.
 */
const renderInWindows = (
  tone: ToneLib,
  context: ToneModule.OfflineContext,
  renderer: OfflineRenderer,
  reached: (seconds: number) => void,
  ahead: (seconds: number) => void,
  signal: AbortSignal | undefined,
): Promise<AudioBuffer> =>
  new Promise((resolve, reject) => {
    const clock = context as unknown as OfflineClock
    const native = context.rawContext as unknown as OfflineAudioContext
    if (typeof clock._currentTime !== 'number') {
      reject(new Error('renderSong: this Tone version has no offline clock'))
      return
    }
    let failed = false
    const fail = (error: unknown): void => {
      if (failed) return
      failed = true
      signal?.removeEventListener('abort', onAbort)
      reject(error)
    }
    const onAbort = (): void => fail(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })

    const duration = native.length / native.sampleRate
    const block = 128 / native.sampleRate
    // Tone's clock loop: one 'tick' per 128-sample block, with this context as the global one meanwhile.
    const runClockUntil = (end: number): void => {
      const previous = tone.getContext()
      tone.setContext(context)
      try {
        while (clock._currentTime < end && clock._currentTime <= duration) {
          context.emit('tick')
          clock._currentTime += block
        }
      } finally {
        tone.setContext(previous)
      }
    }
    // Suspensions land on block boundaries; one in the last (partial) block would never be reached.
    const lastBlockStart = Math.floor((native.length - 1) / 128) * block
    const starts: number[] = []
    for (let at = WINDOW_SECONDS; Math.ceil(at / block) * block < lastBlockStart; at += WINDOW_SECONDS)
      starts.push(at)
    // Each window's notes are scheduled when the render reaches its start; the last one runs the clock out.
    starts.forEach((at, i) => {
      native
        .suspend(at)
        .then(() => {
          if (!failed) {
            try {
              reached(at)
              runClockUntil(starts[i + 1] ?? Number.POSITIVE_INFINITY)
            } catch (error) {
              fail(error)
            }
          }
          const resumed = native.resume()
          // The voices two windows on are computed while the renderer works through this one (it renders up
          // to the block holding the next window's start, whose voices are already in); it cannot pass the
          // next suspension before this returns, as that suspension's callback waits for this thread.
          if (!failed) {
            try {
              ahead(starts[i + 3] ?? Number.POSITIVE_INFINITY)
            } catch (error) {
              fail(error)
            }
          }
          return resumed
        })
        .catch(fail)
    })
    try {
      runClockUntil(starts[0] ?? Number.POSITIVE_INFINITY)
      ahead(starts[2] ?? Number.POSITIVE_INFINITY)
    } catch (error) {
      fail(error)
    }
    if (failed) return
    const ready = renderer.beforeRendering?.() ?? Promise.resolve()
    ready
      .then(() => (failed ? undefined : native.startRendering()))
      .then((buffer) => {
        signal?.removeEventListener('abort', onAbort)
        if (!failed && buffer !== undefined) resolve(buffer)
      }, fail)
  })

/** The song with only `trackIds`, all of them heard (see RenderOptions.tracks). */
export const stemOf = (song: SongSnapshot, trackIds: readonly string[]): SongSnapshot => {
  const wanted = new Set(trackIds)
  const missing = trackIds.filter((id) => !song.tracks.some((t) => t.id === id))
  if (missing.length > 0) throw new Error(`No track ${missing.join(', ')} in this song to render a stem of`)
  const chains = Object.fromEntries(Object.entries(song.mixer.chains).filter(([id]) => wanted.has(id)))
  return {
    meta: song.meta,
    tracks: song.tracks.filter((t) => wanted.has(t.id)).map((t) => ({ ...t, mute: false, solo: false })),
    // The stem keeps its inserts and what it sends (the buses it feeds, the master chain), not other tracks.
    mixer: { ...song.mixer, chains, sends: song.mixer.sends.filter((s) => wanted.has(s.from)) },
  }
}

/** Waits for every buffer the song's audible audio clips need; throws naming a clip whose audio is missing. */
const loadAudio = async (song: SongSnapshot, assets: AssetBuffers | undefined): Promise<void> => {
  const heard = audibleTracks(song.tracks)
  const needed = new Map<string, string>()
  for (const track of song.tracks) {
    if (!heard.has(track.id)) continue
    for (const clip of track.audioClips) if (clip.active) needed.set(clip.asset, clip.name || clip.id)
  }
  if (needed.size === 0) return
  if (assets === undefined) throw new Error('This song has audio clips: render it with their audio (assets)')
  await Promise.all(
    [...needed].map(([hash, clip]) =>
      assets.load(hash).catch((error: unknown) => {
        throw new Error(`The audio of clip "${clip}" (asset ${hash}) could not be loaded: ${String(error)}`, {
          cause: error,
        })
      }),
    ),
  )
}

/** FNV-1a of the track id: each track's noise differs, and is the same every render. */
const seedOf = (id: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

/**
 * Each instrument track's voices as a stream of samples (instruments/voice-dsp.ts), from the same actions the
 * player applied: the notes the transport would have played from `startTick` on, in context seconds.
 */
const trackVoices = (
  actions: readonly EngineAction[],
  bpm: number,
  startTick: number,
  sampleRate: number,
): { readonly trackId: string; readonly stream: VoiceStream }[] => {
  const presets = new Map<string, PresetId | null>()
  const events = new Map<string, NoteEvent[]>()
  for (const action of actions) {
    if (action.type === 'addTrack' || action.type === 'setPreset') presets.set(action.trackId, action.preset)
    if (action.type === 'scheduleClip') {
      const list = events.get(action.trackId) ?? []
      list.push(...action.events)
      events.set(action.trackId, list)
    }
  }
  const voices: { trackId: string; stream: VoiceStream }[] = []
  for (const [trackId, preset] of presets) {
    const played = (events.get(trackId) ?? []).filter((e) => e.tick >= startTick)
    if (preset === null || played.length === 0) continue
    // In tick order, as the transport fires them (stable, so clips keep their order on one tick).
    played.sort((a, b) => a.tick - b.tick)
    const notes: VoiceNote[] = played.map((e) => ({
      time: ticksToSeconds(e.tick - startTick, bpm),
      duration: ticksToSeconds(e.duration, bpm),
      pitch: e.pitch,
      velocity: e.velocity,
    }))
    voices.push({ trackId, stream: voiceStream(preset, notes, sampleRate, seedOf(trackId)) })
  }
  return voices
}

const isSilent = (samples: Float32Array): boolean => {
  for (let i = 0; i < samples.length; i++) if (samples[i] !== 0) return false
  return true
}

export const renderSong = async (
  tone: ToneLib,
  whole: SongSnapshot,
  options: RenderOptions,
  renderer: OfflineRenderer,
): Promise<RenderedAudio> => {
  options.signal?.throwIfAborted()
  // A stem keeps the whole song's length: measured before the other tracks are left out.
  const range = options.range ?? { start: 0, end: songEndTick(whole) }
  const song = options.tracks === undefined ? whole : stemOf(whole, options.tracks)
  await loadAudio(song, options.assets)
  options.signal?.throwIfAborted()
  const sampleRate = options.sampleRate ?? 44_100
  const channelCount = options.channels ?? 2
  const start = range.start
  const duration = renderDurationSeconds(song, { ...options, range })
  // The Web Audio API refuses a zero-length offline context; an empty song is empty audio.
  if (Math.round(duration * sampleRate) === 0) {
    return { sampleRate, channels: Array.from({ length: channelCount }, () => new Float32Array(0)) }
  }

  // The master limiter delays everything by its look-ahead: render that much longer and trim it off the front.
  const frames = Math.round(duration * sampleRate)
  const latency = await limiterLatency(tone, sampleRate)
  options.signal?.throwIfAborted()
  let native: OfflineAudioContext
  try {
    native = new renderer.native({ numberOfChannels: channelCount, length: frames + latency, sampleRate })
  } catch (error) {
    // The browser holds the whole render in memory; a very long song can be more than it will allocate.
    const minutes = (frames / sampleRate / 60).toFixed(1)
    throw new Error(`Could not set up a render of ${minutes} minutes of audio: ${String(error)}`, {
      cause: error,
    })
  }
  const context = new tone.OfflineContext(native)
  // What Tone.Offline does: nodes that Tone builds internally look up the global context.
  const previous = tone.getContext()
  tone.setContext(context)
  let player: TonePlayer
  const actions = diffSong(null, song)
  try {
    player = new TonePlayer(tone, context, {
      meters: false,
      instruments: false,
      ...(options.assets === undefined ? {} : { assets: options.assets }),
    })
    // Applied at time 0, before the look-ahead starts, so mutes and volumes hold from the first sample.
    player.apply(actions)
    player.metronome.setEnabled(options.metronome ?? false)
  } finally {
    tone.setContext(previous)
  }
  // The instruments play as buffers computed here, window by window (see OfflineRenderer and voice-dsp.ts):
  // the render graph holds the mix, not a voice per note.
  const voices = trackVoices(actions, song.meta.bpm, start, sampleRate)
  let fed = 0
  const ahead = (seconds: number): void => {
    const end = Math.min(native.length, Math.round(seconds * sampleRate))
    if (end <= fed) return
    for (const { trackId, stream } of voices) {
      const samples = stream.take(end)
      if (!isSilent(samples)) player.playVoices(trackId, samples, fed / sampleRate)
    }
    fed = end
  }
  const progress = options.onProgress
  const total = native.length / sampleRate
  progress?.(0)
  context.lookAhead = LOOKAHEAD_SECONDS
  context.transport.start(0, `${start}i`)
  try {
    const buffer = await renderInWindows(
      tone,
      context,
      renderer,
      (seconds) => progress?.(Math.min(1, seconds / total)),
      ahead,
      options.signal,
    )
    progress?.(1)
    return {
      sampleRate,
      channels: Array.from({ length: channelCount }, (_, c) =>
        buffer.getChannelData(c).slice(latency, latency + frames),
      ),
    }
  } finally {
    player.dispose()
    await context.dispose()
  }
}
