import type { PluginContext } from '@ensemble/core/plugin'
import type { RollShape } from '../common/roll-runtime.js'
import { receptiveField } from '../common/roll-sampling.js'
import { first } from '../common/step-runtime.js'
import { ConvHistory, uniforms } from '../common/steps.js'

/*
 * A step model that listens: the player's frames are fed one model step each as they are played, so when a
 * phrase ends the model already holds it and an answer costs one step per new frame, not the whole phrase
 * again (re-feeding a 2-bar phrase is 16 steps, more than the first window's deadline on a loaded machine).
 * Drawing works on a fork, so the listening history stays the player's.
 */

export interface DrawOptions {
  bias: readonly number[]
  temperature: number
  random: () => number
  /** Penalised sampling, as sampleRoll's `weight`; a frame is redrawn at most `redraws` times. */
  weight?(frame: readonly number[], before: readonly (readonly number[])[]): number
  redraws?: number
  /** The drawn frames become the roll's own past (a drummer hears itself); otherwise they are forgotten. */
  keep?: boolean
  /** Checked before every step: true stops the draw (the answer was cut). */
  cancelled?(): boolean
}

export class ListeningRoll {
  private history: ConvHistory
  private frames: (readonly number[])[] = []
  /** Index since the roll began of frames[0] (older frames are dropped by a restart). */
  private offset = 0
  /** One model step at a time: feeds and draws share the model's history order. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly ctx: PluginContext,
    private readonly assetId: string,
    private readonly shape: RollShape,
    /** The extra one-hot (corpus, or bar position) of the step at this index since the roll began. */
    private readonly extra: (index: number) => number,
  ) {
    this.history = new ConvHistory(shape.dilations, shape.channels)
  }

  /** Frames heard so far (the next fed frame gets this index). */
  get heard(): number {
    return this.frames.length
  }

  /** The frames heard, for penalised sampling's look back. */
  get past(): readonly (readonly number[])[] {
    return this.frames
  }

  /** Queues one heard frame (output indices that are on); resolves when the model has taken it in. */
  feed(frame: readonly number[]): Promise<void> {
    const run = this.queue.then(async () => {
      await this.hear(this.history, this.frames, frame)
      // Older steps cannot change a draw: past twice the receptive field, start again from the last ones.
      if (this.frames.length > 2 * receptiveField(this.shape)) await this.restart()
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  /**
   * Draws `count` frames after what was heard and then `assumed` (frames taken as heard, such as the silence
   * until the answer's first frame), calling `onFrame` with each as soon as it is drawn; `onFrame` returning
   * false stops the draw.
   */
  draw(
    assumed: readonly (readonly number[])[],
    count: number,
    options: DrawOptions,
    onFrame: (frame: number[], index: number) => boolean,
  ): Promise<void> {
    const run = this.queue.then(async () => {
      const history = this.history.fork()
      const frames = [...this.frames]
      for (const frame of assumed) {
        if (options.cancelled?.()) return
        await this.hear(history, frames, frame)
      }
      for (let i = 0; i < count; i++) {
        if (options.cancelled?.()) return
        let drawn = await this.step(
          history,
          frames,
          uniforms(options.random, this.shape.outputs),
          options.bias,
          options.temperature,
        )
        for (
          let r = 0;
          options.weight &&
          r < (options.redraws ?? 8) &&
          !options.cancelled?.() &&
          options.random() >= options.weight(drawn.frame, frames);
          r++
        )
          drawn = await this.step(
            history,
            frames,
            uniforms(options.random, this.shape.outputs),
            options.bias,
            options.temperature,
          )
        history.push(drawn.conv)
        frames.push(drawn.frame)
        if (options.keep) {
          this.history = history
          this.frames = frames
        }
        if (!onFrame(drawn.frame, i)) return
      }
      if (options.keep && this.frames.length > 2 * receptiveField(this.shape)) await this.restart()
    })
    // A draw does not block listening for longer than it runs; its failure is the caller's.
    this.queue = run.catch(() => undefined)
    return run
  }

  private async restart(): Promise<void> {
    const keep = this.frames.slice(-(receptiveField(this.shape) - 1))
    this.offset += this.frames.length - keep.length
    this.history = new ConvHistory(this.shape.dilations, this.shape.channels)
    this.frames = []
    for (const frame of keep) await this.hear(this.history, this.frames, frame)
  }

  /** One step with `frame` as what was heard (teacher forced): its draw is not used. */
  private async hear(
    history: ConvHistory,
    frames: (readonly number[])[],
    frame: readonly number[],
  ): Promise<void> {
    const { conv } = await this.step(
      history,
      frames,
      uniforms(() => 0.5, this.shape.outputs),
      [],
      1,
    )
    history.push(conv)
    frames.push(frame)
  }

  /** Step t = frames.length: input the last frame, output this step's conv state and a drawn frame. */
  private async step(
    history: ConvHistory,
    frames: readonly (readonly number[])[],
    u: number[],
    bias: readonly number[],
    temperature: number,
  ): Promise<{ conv: readonly number[]; frame: number[] }> {
    const K = this.shape.outputs
    const x = new Array<number>(K + this.shape.extra).fill(0)
    for (const k of frames.at(-1) ?? []) if (k >= 0 && k < K) x[k] = 1
    x[K + this.extra(this.offset + frames.length)] = 1
    const out = await this.ctx.models.run(this.assetId, [
      { shape: [K + this.shape.extra], data: x },
      history.pastInput(history.length),
      { shape: [K], data: bias.length === K ? bias : new Array<number>(K).fill(0) },
      { shape: [K], data: u },
      { shape: [1], data: [temperature] },
    ])
    const frame: number[] = []
    first(out, 1).forEach((v, k) => {
      if (v > 0.5) frame.push(k)
    })
    return { conv: first(out, 0), frame }
  }
}
