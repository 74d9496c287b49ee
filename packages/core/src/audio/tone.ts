/*
 * Tone.js is passed in, never imported for its value here: in Node the Web Audio classes must be on
 * globalThis before `tone` is first evaluated, so the Node entry imports it late and hands the module over.
 * The browser entry passes its static import.
 */
import type * as ToneModule from 'tone'

export type ToneLib = typeof ToneModule
export type ToneContext = ToneModule.BaseContext
export type ToneNode = ToneModule.ToneAudioNode
