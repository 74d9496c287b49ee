/*
 * The click: a short blip on every beat, higher on the downbeat. Scheduled on the transport like the notes,
 * so it follows tempo changes, loops and seeks with no extra bookkeeping.
 */
import type * as ToneModule from 'tone'
import { PPQ, type TimeSignature, ticksPerBar, ticksPerBeat } from '../music/index'
import { SourceStarts } from './instruments/source-starts'
import type { ToneContext, ToneLib } from './tone'

export class Metronome {
  readonly #synth: ToneModule.Synth
  readonly #context: ToneContext
  // The click is one oscillator: two clicks that a busy main thread runs late would start it at one instant.
  readonly #starts = new SourceStarts<'click'>()
  readonly #transport: ToneModule.TransportInstance
  #eventId: number | null = null
  #timeSignature: TimeSignature = { numerator: 4, denominator: 4 }

  constructor(tone: ToneLib, context: ToneContext, destination: ToneModule.InputNode) {
    this.#context = context
    this.#transport = context.transport
    this.#synth = new tone.Synth({
      context,
      volume: -12,
      oscillator: { type: 'square' },
      envelope: { attack: 0.001, decay: 0.04, sustain: 0, release: 0.01 },
    })
    this.#synth.connect(destination)
  }

  get enabled(): boolean {
    return this.#eventId !== null
  }

  setEnabled(on: boolean): void {
    if (on === this.enabled) return
    if (on) this.#schedule()
    else this.#clear()
  }

  setTimeSignature(timeSignature: TimeSignature): void {
    this.#timeSignature = timeSignature
    // The beat length depends on the denominator, so a running click is rescheduled with the new interval.
    if (this.enabled) {
      this.#clear()
      this.#schedule()
    }
  }

  #schedule(): void {
    const beat = ticksPerBeat(this.#timeSignature)
    const bar = ticksPerBar(this.#timeSignature)
    this.#eventId = this.#transport.scheduleRepeat(
      (time) => {
        // The tick the click lands on tells downbeat from beat, whatever loop or seek brought us here.
        const tick = Math.round(this.#transport.getTicksAtTime(time))
        const downbeat = tick % bar < PPQ / 8
        const at = this.#starts.start('click', time, this.#context.currentTime)
        this.#synth.triggerAttackRelease(downbeat ? 1760 : 1320, 0.03, at, downbeat ? 1 : 0.6)
      },
      `${beat}i`,
      0,
    )
  }

  #clear(): void {
    if (this.#eventId !== null) this.#transport.clear(this.#eventId)
    this.#eventId = null
  }

  dispose(): void {
    this.#clear()
    this.#synth.dispose()
  }
}
