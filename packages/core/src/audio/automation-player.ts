/*
 * Plays automation lanes on the transport. Each breakpoint is a transport event at its tick that draws the
 * segment to the next point onto the parameter (a curve sampled from core's `segmentValue`, so the engine
 * follows exactly the curve the song describes, whatever units Tone converts through). When the transport
 * starts, loops or seeks, every lane picks up at the playhead, mid-segment if need be; stopping cancels what
 * was drawn ahead. Parameters with no audio-rate param (`step` sinks) take the point values at the points.
 */
import { ticksToSeconds } from '../music/time'
import { type CurvePoint, segmentValue } from '../song/index'
import type { AutomatableParam } from './effect-nodes'
import type { ParamCurve } from './graph'
import type { ToneContext } from './tone'
import { followTransport } from './transport-follow'

export type AutomationSink =
  | { readonly param: AutomatableParam; readonly convert: (value: number) => number }
  | { readonly step: (value: number) => void }

interface Lane {
  readonly sink: AutomationSink
  readonly curve: ParamCurve
  readonly events: readonly number[]
}

/** Curve samples per second of a segment: ramps between them are linear, so this bounds the error. */
const SAMPLES_PER_SECOND = 50
const MAX_SAMPLES = 512

export class AutomationPlayer {
  readonly #context: ToneContext
  readonly #bpm: () => number
  readonly #lanes = new Map<string, Lane>()
  readonly #unfollow: () => void

  constructor(context: ToneContext, bpm: () => number) {
    this.#context = context
    this.#bpm = bpm
    this.#unfollow = followTransport(context, this.#started, this.#stopped)
  }

  /** Whether a lane with points drives `key`. */
  has(key: string): boolean {
    return this.#lanes.has(key)
  }

  /** Replaces what drives `key`; an empty curve stops driving it (the caller sets the static value again). */
  set(key: string, sink: AutomationSink, curve: ParamCurve): void {
    this.remove(key)
    if (curve.length === 0) return
    const transport = this.#context.transport
    const events = curve.map((point, i) =>
      transport.schedule((time) => {
        const lane = this.#lanes.get(key)
        if (lane !== undefined) this.#drawFrom(lane, i, point.tick, time)
      }, `${point.tick}i`),
    )
    const lane: Lane = { sink, curve, events }
    this.#lanes.set(key, lane)
    if (transport.state === 'started') {
      const time = this.#context.now()
      this.#pickUp(lane, transport.getTicksAtTime(time), time)
    }
  }

  remove(key: string): void {
    const lane = this.#lanes.get(key)
    if (lane === undefined) return
    for (const id of lane.events) this.#context.transport.clear(id)
    if ('param' in lane.sink) lane.sink.param.cancelScheduledValues(this.#context.now())
    this.#lanes.delete(key)
  }

  /** Removes every lane whose key starts with `prefix` (a strip or a device going away). */
  removeAll(prefix: string): void {
    for (const key of [...this.#lanes.keys()]) if (key.startsWith(prefix)) this.remove(key)
  }

  /** The tempo changed: ramps drawn ahead were timed for the old one. */
  retime(): void {
    const transport = this.#context.transport
    if (transport.state !== 'started') return
    this.#started(this.#context.now())
  }

  dispose(): void {
    for (const key of [...this.#lanes.keys()]) this.remove(key)
    this.#unfollow()
  }

  readonly #started = (time: number): void => {
    const ticks = this.#context.transport.getTicksAtTime(time)
    for (const lane of this.#lanes.values()) this.#pickUp(lane, ticks, time)
  }

  readonly #stopped = (time: number): void => {
    for (const lane of this.#lanes.values())
      if ('param' in lane.sink) lane.sink.param.cancelScheduledValues(time)
  }

  /** Draws the lane from `ticks` on: before the first point it holds the first value. */
  #pickUp(lane: Lane, ticks: number, time: number): void {
    const { curve } = lane
    let i = curve.length - 1
    while (i > 0 && curve[i]!.tick > ticks) i--
    if (ticks < curve[0]!.tick) this.#hold(lane.sink, curve[0]!.value, time)
    else this.#drawFrom(lane, i, ticks, time)
  }

  /** Draws segment `i` (from point i to i + 1) from `ticks`, inside it, at `time`. */
  #drawFrom(lane: Lane, i: number, ticks: number, time: number): void {
    const a: CurvePoint = lane.curve[i]!
    const b: CurvePoint | undefined = lane.curve[i + 1]
    const { sink } = lane
    if (b === undefined || b.tick <= a.tick || a.curve === 'step' || !('param' in sink)) {
      const t = b === undefined || b.tick <= a.tick ? 0 : (ticks - a.tick) / (b.tick - a.tick)
      this.#hold(sink, b === undefined ? a.value : segmentValue(a.value, b.value, t, a.curve), time)
      return
    }
    const remaining = b.tick - ticks
    const seconds = ticksToSeconds(remaining, this.#bpm())
    const steps = Math.min(MAX_SAMPLES, Math.max(1, Math.ceil(seconds * SAMPLES_PER_SECOND)))
    const values = Array.from({ length: steps + 1 }, (_, k) =>
      sink.convert(
        segmentValue(
          a.value,
          b.value,
          (ticks + (k * remaining) / steps - a.tick) / (b.tick - a.tick),
          a.curve,
        ),
      ),
    )
    sink.param.cancelScheduledValues(time)
    sink.param.setValueCurveAtTime(values, time, seconds)
  }

  #hold(sink: AutomationSink, value: number, time: number): void {
    if ('param' in sink) {
      sink.param.cancelScheduledValues(time)
      sink.param.setValueAtTime(sink.convert(value), time)
    } else sink.step(value)
  }
}
