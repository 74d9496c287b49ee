/*
 * An AudioParam's automation timeline in plain TypeScript: the events the presets schedule on their native
 * nodes (setValueAtTime, linear ramps, setTargetAtTime, Tone's cancel-and-hold), evaluated into a
 * Float32Array. The offline render's voices (`voice-dsp.ts`) shape their envelopes with it, through the very
 * same scheduling code the live voices run on real AudioParams, so both follow one curve.
 *
 * Only what the presets use: events are added in time order (a later event at an earlier time is a
 * programming error here, not a user input), and exponential ramps are done by the callers that need one.
 */

/** What the presets' envelope code calls on a parameter: a native AudioParam or a `ScheduledValues`. */
export interface ParamTimeline {
  setValueAtTime(value: number, time: number): unknown
  linearRampToValueAtTime(value: number, time: number): unknown
  setTargetAtTime(target: number, time: number, timeConstant: number): unknown
  cancelScheduledValues(time: number): unknown
}

interface Event {
  readonly type: 'set' | 'linear' | 'target'
  readonly time: number
  readonly value: number
  /** setTarget's time constant; 0 for the others. */
  readonly timeConstant: number
}

export class ScheduledValues implements ParamTimeline {
  readonly #events: Event[] = []
  readonly #initial: number

  constructor(initial = 0) {
    this.#initial = initial
  }

  setValueAtTime(value: number, time: number): this {
    this.#events.push({ type: 'set', time, value, timeConstant: 0 })
    return this
  }

  linearRampToValueAtTime(value: number, time: number): this {
    this.#events.push({ type: 'linear', time, value, timeConstant: 0 })
    return this
  }

  setTargetAtTime(target: number, time: number, timeConstant: number): this {
    this.#events.push({ type: 'target', time, value: target, timeConstant })
    return this
  }

  cancelScheduledValues(time: number): this {
    const keep = this.#events.filter((e) => e.time < time)
    this.#events.length = 0
    this.#events.push(...keep)
    return this
  }

  /** Tone's cancelAndHoldAtTime: the value there stays, everything after is dropped. */
  cancelAndHoldAtTime(time: number): this {
    const value = this.valueAt(time)
    this.cancelScheduledValues(time)
    return this.setValueAtTime(value, time)
  }

  /** The value at `time`, as the Web Audio API defines it for these events. */
  valueAt(time: number): number {
    let value = this.#initial
    let from = Number.NEGATIVE_INFINITY
    const events = this.#events
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as Event
      if (e.type === 'linear') {
        if (time < e.time)
          return e.time > from ? value + ((e.value - value) * (time - from)) / (e.time - from) : value
        value = e.value
        from = e.time
        continue
      }
      if (time < e.time) return value
      if (e.type === 'set') {
        value = e.value
        from = e.time
        continue
      }
      // A target runs until the next event; a linear ramp after it starts from where the target got to.
      const next = events[i + 1]
      const until = next === undefined ? time : Math.min(time, next.time)
      value = e.value + (value - e.value) * Math.exp(-(until - e.time) / e.timeConstant)
      from = until
      if (next === undefined || time < next.time) return value
    }
    return value
  }

  /**
   * Writes the value at `start + i / sampleRate` into `out[i]` for i < `length`. Each segment is filled from
   * its own exact start with a running step (a sum for ramps, a product for targets), so no sample costs an
   * `exp`. Events are few per note; the per-sample loop is all this does.
   */
  fill(out: Float32Array, length: number, start: number, sampleRate: number): void {
    const events = this.#events
    const dt = 1 / sampleRate
    let i = 0
    // Index of the first event after the sample at i.
    let next = 0
    while (i < length) {
      const t = start + i * dt
      while (next < events.length && (events[next] as Event).time <= t) next++
      const upcoming = events[next]
      // The samples up to the next event boundary follow one formula.
      const end =
        upcoming === undefined
          ? length
          : Math.min(length, Math.max(i + 1, Math.ceil((upcoming.time - start) * sampleRate - 1e-9)))
      const current = events[next - 1]
      let value = this.valueAt(t)
      if (upcoming !== undefined && upcoming.type === 'linear') {
        // A straight line from here to the ramp's end point.
        const step = ((upcoming.value - value) / Math.max(upcoming.time - t, dt)) * dt
        for (; i < end; i++, value += step) out[i] = value
      } else if (current !== undefined && current.type === 'target') {
        const factor = Math.exp(-dt / current.timeConstant)
        let distance = value - current.value
        for (; i < end; i++, distance *= factor) out[i] = current.value + distance
      } else {
        for (; i < end; i++) out[i] = value
      }
    }
  }
}
