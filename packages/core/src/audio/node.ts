/*
 * `@ensemble/core/audio/node`: the audio engine under Node, for WAV export on a server, benchmarks and
 * tests. Tone.js reads `window.AudioContext` and friends when it is first evaluated (and creates its default
 * context right then), so the Web Audio classes from `node-web-audio-api` go onto globalThis first and Tone
 * is imported dynamically afterwards. Nothing here may import `tone` statically.
 *
 * `node-web-audio-api` is a native module; a Node app that uses this entry must depend on it.
 */
import type * as Y from 'yjs'
import type { SongSnapshot } from '../song/index'
import { AudioEngine, type AudioEngineOptions } from './engine'
import {
  type NativeOfflineContextClass,
  type RenderedAudio,
  type RenderOptions,
  renderSong as renderWith,
} from './render'
import type { ToneLib } from './tone'

export * from './common'

type Globals = Record<string, unknown>

let loading: Promise<ToneLib> | null = null

const install = async (): Promise<ToneLib> => {
  const webAudio = await import('node-web-audio-api')
  const globals = globalThis as unknown as Globals
  for (const [name, value] of Object.entries(webAudio)) {
    if (name === 'default' || name === 'mediaDevices' || name in globals) continue
    globals[name] = value
  }
  // Tone opens a realtime AudioContext on import. A server has no sound card, so that context gets the
  // "none" sink: it runs without touching an audio device. Offline renders make their own contexts.
  const Realtime = webAudio.AudioContext
  class SilentAudioContext extends Realtime {
    constructor(options: AudioContextOptions = {}) {
      super({ sampleRate: 44_100, ...options, sinkId: { type: 'none' } } as AudioContextOptions)
    }
  }
  globals.AudioContext = SilentAudioContext
  if (globals.window === undefined) globals.window = globalThis
  return (await import('tone')) as ToneLib
}

/** Installs Web Audio on globalThis (once) and returns the Tone.js module bound to it. */
export const loadTone = (): Promise<ToneLib> => {
  loading ??= install()
  return loading
}

/** Renders window by window on node-web-audio-api's own OfflineAudioContext, so long songs stay fast. */
export const renderSong = async (song: SongSnapshot, options: RenderOptions = {}): Promise<RenderedAudio> => {
  const tone = await loadTone()
  const { OfflineAudioContext } = await import('node-web-audio-api')
  const native = OfflineAudioContext as unknown as NativeOfflineContextClass
  // node-web-audio-api registers suspensions on its runtime's threads (see OfflineRenderer.beforeRendering):
  // a pause lets them land first (5 ms: none of 200 renders lost one on an idle machine, where starting at
  // once lost one in most). A busier machine can still be slower: the render then starts again, waiting longer.
  for (let settleMs = 5; ; settleMs *= 8) {
    const beforeRendering = () => new Promise<void>((resolve) => setTimeout(resolve, settleMs))
    try {
      return await renderWith(tone, song, options, {
        native,
        beforeRendering,
      })
    } catch (error) {
      if (!isLostSuspension(error) || settleMs >= 320) throw error
    }
  }
}

/** node-web-audio-api's report of a suspension registered after the render started (a panic in Rust). */
const isLostSuspension = (error: unknown): boolean =>
  error instanceof Error && error.name === 'InvalidStateError' && error.message === 'Error in async function'

export const createAudioEngine = async (doc: Y.Doc, options: AudioEngineOptions = {}): Promise<AudioEngine> =>
  new AudioEngine(await loadTone(), doc, options)

/**
 * Closes Tone's realtime context (its clock is a timer that keeps Node's event loop alive), so a script can
 * exit. Tone cannot be used again in this process afterwards.
 */
export const closeTone = async (): Promise<void> => {
  if (loading === null) return
  const tone = await loading
  await tone.getContext().dispose()
}
