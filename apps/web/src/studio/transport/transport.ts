import { readMeta, secondsToTicks } from '@ensemble/core'
import type * as Y from 'yjs'
import type { ViewStore } from '../view/view-store'

/**
 * The studio's play/stop contract. The UI polls `position()` inside requestAnimationFrame (the playhead is
 * never React state) and subscribes only to play/stop changes.
 */
export interface Transport {
  playing(): boolean
  /** Call from a user gesture: browsers start audio only then. */
  play(): void
  stop(): void
  toggle(): void
  position(): number
  seek(tick: number): void
  /**
   * Plays from `tick` starting at local time `atMs` (`performance.now()` based): a jam starts every member at
   * one moment of the shared clock, scheduled ahead. A moment already past starts at once, from where the song
   * stands by then.
   */
  startAt(tick: number, atMs: number): void
  subscribe(listener: () => void): () => void
  /** Current levels in dB per track id and for the master bus, or null while no audio runs. */
  levels(): TransportLevels | null
  destroy(): void
}

export interface TransportLevels {
  readonly tracks: Readonly<Record<string, number>>
  /** Per bus id, after its fader (absent where the engine reports none). */
  readonly buses?: Readonly<Record<string, number>>
  readonly master: number
  /** The master limiter's gain reduction in dB: 0, or negative while it holds the mix under 0 dBFS. */
  readonly limiterDb: number
  /** Gain reduction in dB by device id, for compressors (absent where the engine reports none). */
  readonly reductions?: Readonly<Record<string, number>>
}

/**
 * A silent transport that advances the playhead by the song's tempo. It keeps the studio usable (playhead,
 * loop, follow) where audio cannot start; the audio transport layers sound on the same contract.
 */
export function createClockTransport(doc: Y.Doc, view: ViewStore): Transport {
  let startedAt: number | null = null
  let from = 0
  const listeners = new Set<() => void>()
  const emit = () => {
    for (const l of [...listeners]) l()
  }
  const position = (): number => {
    if (startedAt === null) return from
    const bpm = readMeta(doc).bpm
    // Before a scheduled start (`startAt`) the playhead waits at its tick.
    const tick = from + Math.max(0, secondsToTicks((performance.now() - startedAt) / 1000, bpm))
    const { loop } = view.get()
    if (loop.enabled && loop.end > loop.start && tick >= loop.end) {
      return loop.start + ((tick - loop.start) % (loop.end - loop.start))
    }
    return tick
  }
  const transport: Transport = {
    playing: () => startedAt !== null,
    play() {
      if (startedAt !== null) return
      const { loop } = view.get()
      if (loop.enabled && (from < loop.start || from >= loop.end)) from = loop.start
      startedAt = performance.now()
      emit()
    },
    stop() {
      if (startedAt === null) return
      from = Math.round(position())
      startedAt = null
      emit()
    },
    toggle: () => (startedAt === null ? transport.play() : transport.stop()),
    position,
    seek(tick) {
      from = Math.max(0, Math.round(tick))
      if (startedAt !== null) startedAt = performance.now()
      emit()
    },
    startAt(tick, atMs) {
      from = Math.max(0, tick)
      startedAt = atMs
      emit()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    levels: () => null,
    destroy() {
      listeners.clear()
    },
  }
  return transport
}
