import { type ModelTensor, PluginError } from '@ensemble/core/plugin'
import { StepShares } from './step-shares'

/*
 * Micro-batching. A model run costs mostly fixed overhead (kernel dispatch, tensor set-up) when one example
 * is small, so examples that arrive for the same model within a short window are stacked into one batch,
 * run once, and each caller gets its own slice back. The first example of a batch starts the window's clock;
 * the batch runs when the window ends or as soon as it holds `maxBatch` examples, whichever comes first.
 *
 * A window of 0 means "the next turn of the event loop" (setImmediate). Plugins step their models in a loop,
 * so concurrent requests resolve together and submit their next steps in the same microtask drain: they all
 * join the batch, while a lone request pays no fixed wait per step (128 steps × 5 ms would be 640 ms).
 *
 * Each example is submitted for a user (the caller the web server named). A batch takes an equal share of
 * every waiting user's examples (step-shares.ts), so a user's steps never wait behind another user's pile;
 * what a share leaves runs in the next batch, at once.
 */

/** Runs examples[i] (one ModelTensor per model input) as one batch; returns each example's outputs in order. */
export type BatchExecutor = (examples: readonly (readonly ModelTensor[])[]) => ModelTensor[][]

export interface BatchOptions {
  windowMs: number
  /** 1 runs every example on its own: batching off, for comparison. */
  maxBatch: number
  now?: () => number
}

export interface BatchStats {
  executions: number
  examples: number
  /** How many executions ran with each batch size: `{ "1": 3, "8": 1 }`. */
  batchSizes: Record<string, number>
  /** Examples dropped because their request's deadline passed while they waited. */
  expired: number
}

interface Pending {
  inputs: readonly ModelTensor[]
  deadlineAt: number
  resolve(outputs: ModelTensor[]): void
  reject(err: unknown): void
}

interface Queue {
  items: StepShares<Pending>
  cancel: (() => void) | undefined
}

/** Only examples whose every input has the same shape can share one tensor; others wait in their own queue. */
const signature = (inputs: readonly ModelTensor[]): string => inputs.map((t) => t.shape.join('x')).join('|')

export class MicroBatcher {
  private readonly queues = new Map<string, Queue>()
  private readonly counters: BatchStats = { executions: 0, examples: 0, batchSizes: {}, expired: 0 }
  private readonly now: () => number

  constructor(
    private readonly execute: BatchExecutor,
    private readonly options: BatchOptions,
  ) {
    this.now = options.now ?? Date.now
  }

  /** `user` names whose share the example counts in; examples of one user batch together freely. */
  submit(inputs: readonly ModelTensor[], deadlineAt: number, user: string): Promise<ModelTensor[]> {
    return new Promise((resolve, reject) => {
      const key = signature(inputs)
      let queue = this.queues.get(key)
      if (!queue) {
        queue = { items: new StepShares(), cancel: undefined }
        this.queues.set(key, queue)
      }
      queue.items.add(user, { inputs, deadlineAt, resolve, reject })
      if (queue.items.waiting >= this.options.maxBatch) this.flush(key)
      else queue.cancel ??= this.schedule(() => this.flush(key))
    })
  }

  /** `next`: at the next turn of the event loop whatever the window (steps a share left already waited). */
  private schedule(run: () => void, next = false): () => void {
    if (next || this.options.windowMs <= 0) {
      const immediate = setImmediate(run)
      return () => clearImmediate(immediate)
    }
    const timer = setTimeout(run, this.options.windowMs)
    return () => clearTimeout(timer)
  }

  stats(): BatchStats {
    return { ...this.counters, batchSizes: { ...this.counters.batchSizes } }
  }

  private flush(key: string): void {
    const queue = this.queues.get(key)
    if (!queue) return
    queue.cancel?.()
    queue.cancel = undefined
    // A request that has already given up must not make the others in its batch wait for its work.
    const now = this.now()
    for (const item of queue.items.drop((item) => item.deadlineAt > now)) {
      this.counters.expired++
      item.reject(
        new PluginError('deadline_exceeded', [
          { path: '', message: 'deadline passed while waiting for the model' },
        ]),
      )
    }
    const live = queue.items.take(this.options.maxBatch)
    // What the shares left runs at the next turn of the event loop, where the next steps of the users served
    // now (submitted as their plugins go on) join it.
    if (queue.items.waiting > 0) queue.cancel = this.schedule(() => this.flush(key), true)
    else this.queues.delete(key)
    if (live.length === 0) return
    let outputs: ModelTensor[][]
    try {
      outputs = this.execute(live.map((item) => item.inputs))
    } catch (err) {
      for (const item of live) item.reject(err)
      return
    }
    this.counters.executions++
    this.counters.examples += live.length
    this.counters.batchSizes[live.length] = (this.counters.batchSizes[live.length] ?? 0) + 1
    live.forEach((item, i) => {
      item.resolve(outputs[i]!)
    })
  }
}
