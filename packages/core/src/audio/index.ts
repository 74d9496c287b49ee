/*
 * `@ensemble/core/audio`: the browser entry of the audio engine. It imports Tone.js statically; Node code
 * uses `@ensemble/core/audio/node`, which loads Tone only after installing a Web Audio implementation.
 * Everything Tone-free (diff, presets, drum map, timing, WAV) is re-exported for tests and the UI.
 */
import * as Tone from 'tone'
import type * as Y from 'yjs'
import type { SongSnapshot } from '../song/index'
import { AudioEngine, type AudioEngineOptions } from './engine'
import { type RenderedAudio, type RenderOptions, renderSong as renderWith } from './render'

export * from './common'

/** A live engine on the page's AudioContext; call `resume()` from a user gesture before `play()`. */
export const createAudioEngine = (doc: Y.Doc, options: AudioEngineOptions = {}): AudioEngine =>
  new AudioEngine(Tone, doc, options)

/** Renders a song (or `options.range`) offline on the browser's OfflineAudioContext, window by window. */
export const renderSong = (song: SongSnapshot, options: RenderOptions = {}): Promise<RenderedAudio> =>
  renderWith(Tone, song, options, { native: OfflineAudioContext })
