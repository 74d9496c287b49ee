/*
 * The live engine: a TonePlayer kept in step with a song doc, plus the transport controls the studio needs.
 * It reads the song only through core's `subscribe` and `readSong`; each change becomes `diffSong(previous,
 * next)`, so a remote edit during playback reschedules just the clips it touched and the transport keeps
 * running.
 */
import type * as Y from 'yjs'
import { readSong, type SongSnapshot, subscribe } from '../song/index'
import type { AssetBuffers } from './asset-buffers'
import { diffSong, type EngineAction } from './diff'
import { type Levels, TonePlayer } from './player'
import type { TickRange } from './timing'
import type { ToneContext, ToneLib } from './tone'

export interface AudioEngineOptions {
  /** Defaults to Tone's current context (the page's AudioContext, or an offline one inside Tone.Offline). */
  readonly context?: ToneContext
  readonly meters?: boolean
  readonly metronome?: boolean
  /** Audio clips' audio by asset hash; a clip plays once its buffer is there (see AssetBuffers). */
  readonly assets?: AssetBuffers
}

export type ActionListener = (actions: readonly EngineAction[]) => void

export class AudioEngine {
  readonly #tone: ToneLib
  readonly #context: ToneContext
  readonly #player: TonePlayer
  readonly #unsubscribe: () => void
  readonly #listeners = new Set<ActionListener>()
  #song: SongSnapshot

  constructor(tone: ToneLib, doc: Y.Doc, options: AudioEngineOptions = {}) {
    this.#tone = tone
    this.#context = options.context ?? tone.getContext()
    this.#player = new TonePlayer(tone, this.#context, {
      meters: options.meters ?? true,
      ...(options.assets === undefined ? {} : { assets: options.assets }),
    })
    this.#song = readSong(doc)
    this.#player.apply(diffSong(null, this.#song))
    this.#player.metronome.setEnabled(options.metronome ?? false)
    this.#unsubscribe = subscribe(doc, readSong, (next) => this.#update(next))
  }

  #update(next: SongSnapshot): void {
    const actions = diffSong(this.#song, next)
    this.#song = next
    if (actions.length === 0) return
    this.#player.apply(actions)
    for (const listener of [...this.#listeners]) listener(actions)
  }

  /** Called with each batch of actions the engine applies after a song change (diagnostics, tests). */
  onActions(listener: ActionListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Browsers start audio only after a user gesture: call this from the click or key that starts playback. */
  async resume(): Promise<void> {
    if (this.#context === this.#tone.getContext()) await this.#tone.start()
  }

  get playing(): boolean {
    return this.#context.transport.state === 'started'
  }

  /** The playhead in ticks. */
  get position(): number {
    return this.#context.transport.ticks
  }

  /**
   * Starts from `fromTick` (else where it stands), at context time `at` (seconds; else now): a jam starts every
   * member's transport at one moment of the shared clock, scheduled ahead.
   */
  play(fromTick?: number, at?: number): void {
    const transport = this.#context.transport
    if (fromTick !== undefined) transport.ticks = fromTick
    transport.start(at)
  }

  pause(): void {
    this.#context.transport.pause()
    this.#player.releaseAll()
  }

  /** Stops and rewinds to the loop start (or 0), like a DAW's stop. */
  stop(): void {
    this.#context.transport.stop()
    this.#player.releaseAll()
    const loop = this.loop
    this.#context.transport.ticks = loop?.start ?? 0
  }

  seek(tick: number): void {
    this.#context.transport.ticks = Math.max(0, tick)
  }

  get loop(): TickRange | null {
    const transport = this.#context.transport
    if (!transport.loop) return null
    return {
      start: Math.round(this.#context.transport.toTicks(transport.loopStart)),
      end: Math.round(this.#context.transport.toTicks(transport.loopEnd)),
    }
  }

  /** Loops the playhead over [start, end) ticks; null plays straight through. */
  setLoop(range: TickRange | null): void {
    const transport = this.#context.transport
    if (range === null || range.end <= range.start) {
      transport.loop = false
      return
    }
    transport.setLoopPoints(`${range.start}i`, `${range.end}i`)
    transport.loop = true
  }

  get metronome(): boolean {
    return this.#player.metronome.enabled
  }

  setMetronome(on: boolean): void {
    this.#player.metronome.setEnabled(on)
  }

  /** Per-track and master levels in dBFS for the mixer's meters; poll it from requestAnimationFrame. */
  getLevels(): Levels {
    return this.#player.levels()
  }

  /** Sounds a pitch on a track's instrument and mixer channel, now or at context time `at` (seconds). */
  noteOn(trackId: string, pitch: number, velocity = 0.8, at?: number): void {
    this.#player.noteOn(trackId, pitch, velocity, at)
  }

  noteOff(trackId: string, pitch: number, at?: number): void {
    this.#player.noteOff(trackId, pitch, at)
  }

  /** The context's clock (seconds), what `at` is measured on. */
  get currentTime(): number {
    return this.#context.currentTime
  }

  /** Events scheduled per clip id; a diagnostic that also lets tests see what was rescheduled. */
  scheduledCounts(): ReadonlyMap<string, number> {
    return this.#player.scheduledCounts()
  }

  dispose(): void {
    this.#unsubscribe()
    this.#listeners.clear()
    this.#context.transport.stop()
    this.#player.dispose()
  }
}
