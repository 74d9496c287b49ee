import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { type ResourceLimits, Worker } from 'node:worker_threads'
import {
  type ModelTensor,
  PluginError,
  type PluginErrorCode,
  type PluginManifest,
  type SuggestInput,
  type SuggestOutput,
} from '@ensemble/core/plugin'
import {
  DEFAULT_SANDBOX_LIMITS,
  SandboxError,
  type SandboxErrorCode,
  type SandboxLimits,
} from '@ensemble/plugin-sdk/sandbox'
import { HostError } from '../host-errors'

/*
 * The main thread's side of the sandbox threads. Sandboxed code is synchronous while it computes: on the
 * service's own thread a plugin spinning to its deadline would stall every other request, first-party ones
 * included. So sandboxed calls run on a small pool of worker threads (QuickJS module compiled in each once),
 * and only the model steps come back here, to the loaded models and their micro-batchers.
 *
 * QuickJS checks its interrupt handler only between bytecode instructions, so one built-in call that grinds
 * (a huge default `sort`, an allocation near the memory limit) can hold a thread far past the call's
 * deadline, and nothing inside the thread can stop it. The watchdog here can: a call that has not come back
 * `HARD_DEADLINE_GRACE_MS` after its deadline gets its thread terminated, is answered `timeout`, and the
 * other calls that were on that thread run again on a fresh one (a suggestion is a pure function of its
 * input, so running it twice is harmless).
 *
 * A thread that dies on its own (its heap limit, a crash in the engine) is not any one plugin's doing: its
 * calls run once more on a fresh thread, and a call whose second thread dies too is answered
 * `infrastructure`, which is never a strike against the plugin.
 *
 * Memory is bounded per thread, so the pool's total is `threads × memoryPerThreadBytes` plus each thread's
 * own heap: QuickJS's WebAssembly memory may grow to the thread's share and no further (see the SDK's
 * `setSandboxMemoryCeiling`), and the thread's JavaScript heap has V8's resource limits.
 *
 * Until its deadline, though, a plugin that spins holds its thread, and every call sent there waits. So no
 * one may spin on every thread: each call names its shares (its publisher, its user), and a share's calls
 * go to at most `threadsPerShare` threads (half the pool), whichever threads it already holds once it holds
 * that many. Two looping plugins of one publisher, or one user's loops, then hold one thread of two, and
 * everyone else's calls go to the other: among the threads a call may use it takes the least loaded, and a
 * thread that has gone quiet while it holds a call (a plugin computing) counts as fuller than any other.
 */

export interface SerializedFailure {
  kind: 'sandbox' | 'plugin' | 'other'
  code: string
  message: string
  issues: { path: string; message: string }[]
  budgetMs?: number
}

/** What each thread is started with (its `workerData`). */
export interface SandboxThreadData {
  memoryCeilingBytes: number
}

export type ToWorker =
  | {
      type: 'run'
      id: number
      bundle: string
      manifest: PluginManifest
      input: SuggestInput
      deadlineAt: number
      limits?: Partial<SandboxLimits>
      /** One Int32: set to 1 to abort while the plugin computes. */
      flags: SharedArrayBuffer
      abortReason: string
    }
  | { type: 'model'; callId: number; outputs?: ModelTensor[]; error?: string }
  | { type: 'abort'; id: number; reason: string }
  | { type: 'warm' }
  | { type: 'check'; id: number; bundle: string; manifest: PluginManifest; budgetMs: number }

export type FromWorker =
  | { type: 'warm' }
  | { type: 'model'; id: number; callId: number; assetId: string; inputs: ModelTensor[] }
  /** The thread has begun the call: from now on it may be the one holding the thread. */
  | { type: 'started'; id: number }
  | { type: 'done'; id: number; output?: SuggestOutput }
  | { type: 'failed'; id: number; failure: SerializedFailure }

export interface ThreadCall {
  bundle: string
  manifest: PluginManifest
  input: SuggestInput
  deadlineAt: number
  limits?: Partial<SandboxLimits>
  signal: AbortSignal
  /** Who the call counts against ('publisher:…', 'user:…'); each may hold only its share of the threads. */
  shares: readonly string[]
  runModel(assetId: string, inputs: ModelTensor[]): Promise<ModelTensor[]>
}

/**
 * How long past its deadline a call may keep its thread before the thread is terminated. The sandbox's own
 * interrupt handler stops ordinary loops at the deadline; this only catches a built-in that will not return.
 */
export const HARD_DEADLINE_GRACE_MS = 750

/**
 * The WebAssembly memory each thread's calls share by default. A call's 64 MiB limit is QuickJS's count of
 * what the plugin allocated; the module's memory holds more than that (a default sort of a million numbers,
 * inside the limit, grew it to 94 MiB), and the engine starts with 16 MiB of its own.
 */
export const MEMORY_PER_THREAD_BYTES = 112 * 1024 * 1024

/**
 * Each thread's own JavaScript heap (the driver, messages, a plugin's output being parsed); QuickJS's memory
 * is not in it. A thread that outgrows it is stopped by V8, which the pool reports as `infrastructure`.
 */
const THREAD_RESOURCE_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 }

export interface SandboxThreadOptions {
  /** Worker threads in the pool. */
  threads?: number
  /** Tests shorten it to catch a built-in that overruns by less than the default. */
  graceMs?: number
  /** The WebAssembly memory all calls on one thread share; the pool's total is this times `threads`. */
  memoryPerThreadBytes?: number
  /** Threads one share's calls may occupy at once (default: half the pool, at least one). */
  threadsPerShare?: number
  /** How long the pool may sit with no call in flight before its threads are stopped. */
  idleReleaseMs?: number
}

/**
 * Each thread holds a V8 isolate (a 12-20 MiB heap), tsx's loader and a compiled QuickJS. A studio that
 * runs no third-party plugin (the default) should not pay for them, so threads start on the first call
 * and stop once the pool has been idle this long; the next call waits for them to start again (a cold
 * start: docs/BENCHMARKS.md, "Plugin sandbox").
 */
export const IDLE_RELEASE_MS = 5 * 60_000

/** A thread that holds calls and has sent nothing for this long is computing, not waiting for a model. */
const QUIET_MS = 50

/** A call re-run on a fresh thread with less time than this left is answered busy instead. */
const MIN_RERUN_MS = 50

type CallMessage = Extract<ToWorker, { type: 'run' | 'check' }>

interface Pending {
  message: CallMessage
  /** id@version, for the watchdog's message. */
  name: string
  /** When the watchdog may stop the thread (the call's deadline + grace). */
  hardDeadlineAt: number
  budgetMs: number
  shares: readonly string[]
  started: boolean
  /** Already run again after its thread died: a second death is answered, not retried. */
  retried: boolean
  resolve(output: SuggestOutput): void
  reject(err: Error): void
  runModel: ThreadCall['runModel']
}

function revive(failure: SerializedFailure): Error {
  if (failure.kind === 'sandbox')
    return new SandboxError(
      failure.code as SandboxErrorCode,
      failure.message,
      failure.issues,
      failure.budgetMs,
    )
  if (failure.kind === 'plugin') {
    // PluginError builds its message from the issues; keep the worker's text exactly.
    const err = new PluginError(failure.code as PluginErrorCode, failure.issues)
    err.message = failure.message
    return err
  }
  return new Error(failure.message)
}

/**
 * Set in the built service only (scripts/build-server.mjs): the URL of the bundle that runs. The build
 * bundles the worker as `sandbox-thread.js` beside it; from source (tsx, Vitest) the worker is
 * TypeScript and registers tsx's loader in its own thread before importing itself.
 */
declare const BUNDLE_URL: string | undefined
const workerEntry: URL | string =
  typeof BUNDLE_URL === 'string' ? new URL('./sandbox-thread.js', BUNDLE_URL) : tsxWorkerEntry()

function tsxWorkerEntry(): string {
  const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'))
  // The ESM build of `tsx/esm/api` (require.resolve would pick its CommonJS one).
  const tsxApi = pathToFileURL(path.join(tsxRoot, 'dist/esm/api/index.mjs')).href
  return `(async () => {
    const { register } = await import(${JSON.stringify(tsxApi)})
    register()
    await import(${JSON.stringify(new URL('./sandbox-thread.worker.ts', import.meta.url).href)})
  })()`
}

/** One worker thread and the calls in flight on it. */
class SandboxWorker {
  readonly pending = new Map<number, Pending>()
  private warmed: (() => void) | undefined
  private readonly worker: Worker
  private dead = false
  /** When the thread last sent a message, or was given work while it had none. */
  private heardAt = Date.now()

  constructor(
    data: SandboxThreadData,
    private readonly onDeath: (worker: SandboxWorker, err: Error) => void,
  ) {
    this.worker = new Worker(workerEntry, {
      eval: typeof workerEntry === 'string',
      workerData: data,
      resourceLimits: THREAD_RESOURCE_LIMITS,
    })
    this.worker.on('message', (message: FromWorker) => this.receive(message))
    this.worker.on('error', (err) => this.die(err))
    this.worker.on('exit', (code) => this.die(new Error(`the sandbox thread exited (${code})`)))
  }

  get alive(): boolean {
    return !this.dead
  }

  /** A thread with work keeps the process alive (it may be all that is left to wait on); an idle one not. */
  private updateRef(): void {
    if (this.dead) return
    if (this.pending.size > 0 || this.warmed) this.worker.ref()
    else this.worker.unref()
  }

  /** Compiles the QuickJS module and driver on the thread, so the first call does not pay for them. */
  warm(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.warmed = resolve
      this.updateRef()
      this.worker.postMessage({ type: 'warm' } satisfies ToWorker)
    })
  }

  /** True when one of its calls counts against `share`. */
  holds(share: string): boolean {
    for (const call of this.pending.values()) if (call.shares.includes(share)) return true
    return false
  }

  /** Holds calls and has been silent a while: a plugin is computing there, and new calls would wait. */
  quiet(now: number): boolean {
    return this.pending.size > 0 && now - this.heardAt > QUIET_MS
  }

  post(id: number, pending: Pending): void {
    if (this.pending.size === 0) this.heardAt = Date.now()
    this.pending.set(id, pending)
    this.updateRef()
    this.worker.postMessage(pending.message satisfies ToWorker)
  }

  send(message: ToWorker): void {
    if (!this.dead) this.worker.postMessage(message)
  }

  /** Forgets a call (answered elsewhere); the thread drops it on its own at its deadline. */
  forget(id: number): void {
    this.pending.delete(id)
    this.updateRef()
  }

  /** Stops the thread as if it had died: its calls go to `onDeath`. */
  kill(reason: string): void {
    void this.worker.terminate()
    this.die(new Error(reason))
  }

  /** Stops the thread; its calls are left to the caller, which took them from `pending` first. */
  terminate(): Promise<number> {
    this.dead = true
    this.warmed?.()
    this.warmed = undefined
    return this.worker.terminate()
  }

  private die(err: Error): void {
    if (this.dead) return
    this.dead = true
    // Warming is best effort: a thread that failed to start is replaced by the next call.
    this.warmed?.()
    this.warmed = undefined
    this.onDeath(this, err)
  }

  private receive(message: FromWorker): void {
    this.heardAt = Date.now()
    if (message.type === 'warm') {
      this.warmed?.()
      this.warmed = undefined
      this.updateRef()
      return
    }
    const pending = this.pending.get(message.id)
    if (!pending) return
    switch (message.type) {
      case 'started':
        pending.started = true
        break
      case 'model':
        pending.runModel(message.assetId, message.inputs).then(
          (outputs) => this.send({ type: 'model', callId: message.callId, outputs }),
          (err: unknown) =>
            this.send({
              type: 'model',
              callId: message.callId,
              error: err instanceof Error ? err.message : String(err),
            }),
        )
        break
      case 'done':
        this.forget(message.id)
        pending.resolve(message.output ?? { suggestions: [] })
        break
      case 'failed':
        this.forget(message.id)
        pending.reject(revive(message.failure))
        break
    }
  }
}

/** The pool: each call goes to the least loaded thread its shares allow. */
export class SandboxThread {
  private readonly workers: (SandboxWorker | undefined)[]
  private nextId = 0

  private readonly graceMs: number
  private readonly data: SandboxThreadData
  private readonly threadsPerShare: number
  private readonly idleReleaseMs: number
  private idleTimer: NodeJS.Timeout | undefined
  /** Threads being started for the calls waiting on it. */
  private starting: Promise<void> | undefined

  constructor(options: SandboxThreadOptions = {}) {
    const threads = Math.max(1, options.threads ?? 2)
    this.workers = new Array<SandboxWorker | undefined>(threads).fill(undefined)
    this.graceMs = options.graceMs ?? HARD_DEADLINE_GRACE_MS
    this.data = { memoryCeilingBytes: options.memoryPerThreadBytes ?? MEMORY_PER_THREAD_BYTES }
    this.threadsPerShare = Math.max(1, options.threadsPerShare ?? Math.floor(threads / 2))
    this.idleReleaseMs = options.idleReleaseMs ?? IDLE_RELEASE_MS
  }

  /** Threads running now (started on demand, stopped when the pool idles). */
  get started(): number {
    return this.workers.filter((w) => w !== undefined).length
  }

  /**
   * Starts the threads that are not running and waits until QuickJS is compiled on them, so that a call's
   * budget (a bundle check's above all) is not spent starting its thread. Calls that arrive meanwhile wait
   * for the same start.
   */
  private startThreads(): Promise<void> | undefined {
    // A call is coming: the pool is not idle, even if its threads are still starting.
    clearTimeout(this.idleTimer)
    // Running threads: nothing to wait for, and the call is scheduled in the same turn (no await), so
    // its budget is measured exactly as before threads were started on demand.
    if (this.starting === undefined && this.workers.every((w) => w !== undefined)) return undefined
    this.starting ??= this.warm().finally(() => {
      this.starting = undefined
    })
    return this.starting
  }

  /** A call settled: once nothing is in flight for `idleReleaseMs`, stop the threads. */
  private releaseWhenIdle(): void {
    clearTimeout(this.idleTimer)
    if (this.workers.some((w) => w !== undefined && w.pending.size > 0)) return
    this.idleTimer = setTimeout(() => {
      if (this.workers.some((w) => w !== undefined && w.pending.size > 0)) return
      void this.close()
    }, this.idleReleaseMs)
    this.idleTimer.unref()
  }

  private spawn(slot: number): SandboxWorker {
    const worker = new SandboxWorker(this.data, (dead, err) => this.died(dead, err))
    this.workers[slot] = worker
    return worker
  }

  private pick(shares: readonly string[]): SandboxWorker {
    const workers = this.workers.map((w, slot) => w ?? this.spawn(slot))
    let allowed = workers
    // A share that holds its quota of threads stays on them. Where the publisher's and the user's threads
    // do not meet, the publisher's (named first) win: one publisher's loops must never spread.
    for (const share of shares) {
      const held = workers.filter((w) => w.holds(share))
      if (held.length < this.threadsPerShare) continue
      const within = allowed.filter((w) => held.includes(w))
      if (within.length > 0) allowed = within
    }
    const now = Date.now()
    const lighter = (a: SandboxWorker, b: SandboxWorker) =>
      a.quiet(now) !== b.quiet(now) ? !a.quiet(now) : a.pending.size < b.pending.size
    return allowed.reduce((best, w) => (lighter(w, best) ? w : best))
  }

  /** Starts the threads that are not running and compiles QuickJS there. */
  async warm(): Promise<void> {
    await Promise.all(this.workers.map((w, slot) => (w === undefined ? this.spawn(slot).warm() : undefined)))
  }

  /**
   * A thread that died on its own: not a plugin's failure. Each of its calls runs once more on a fresh
   * thread; one that was already retried, or has no time left, is answered `infrastructure`.
   */
  private died(worker: SandboxWorker, err: Error): void {
    const slot = this.workers.indexOf(worker)
    if (slot >= 0) this.workers[slot] = undefined
    const calls = [...worker.pending.entries()]
    worker.pending.clear()
    const now = Date.now()
    for (const [id, call] of calls) {
      if (call.retried || call.hardDeadlineAt - this.graceMs - now < MIN_RERUN_MS) {
        call.reject(
          new HostError(
            'infrastructure',
            `the sandbox thread running ${call.name} stopped (${err.message})${call.retried ? ', twice' : ''}; this is the service's failure, not the plugin's`,
          ),
        )
        continue
      }
      const fresh = slot >= 0 ? (this.workers[slot] ?? this.spawn(slot)) : this.pick(call.shares)
      this.schedule(fresh, id, { ...call, started: false, retried: true })
    }
  }

  /**
   * Stops every thread with calls in flight as if it had died (an operator recovering a wedged sandbox; the
   * tests failing a thread under a call). Returns how many were stopped.
   */
  restartBusyThreads(reason = 'restarted by the host'): number {
    const busy = this.workers.filter((w): w is SandboxWorker => w !== undefined && w.pending.size > 0)
    for (const worker of busy) worker.kill(reason)
    return busy.length
  }

  /**
   * A call's hard deadline passed. If a call the thread had begun is overdue, that call holds the thread in
   * a built-in that will not return: the thread is terminated and replaced by a warm one, the overdue calls
   * are answered `timeout`, and the others run again there. An overdue call the thread never began was only
   * queued behind a legitimate one: it is answered busy, and nothing is stopped.
   */
  private watchdog(worker: SandboxWorker): void {
    if (!worker.alive) return
    const now = Date.now()
    const overdue = [...worker.pending.entries()].filter(([, call]) => call.hardDeadlineAt <= now)
    const culprits = overdue.filter(([, call]) => call.started)
    if (culprits.length === 0) {
      for (const [id, call] of overdue) {
        worker.forget(id)
        call.reject(
          new HostError(
            'busy',
            `busy: ${call.name} waited its whole deadline for a sandbox thread; try again`,
          ),
        )
      }
      return
    }
    const slot = this.workers.indexOf(worker)
    const calls = [...worker.pending.entries()]
    worker.pending.clear()
    void worker.terminate()
    const fresh = this.spawn(slot)
    void fresh.warm()
    for (const [id, call] of calls) {
      if (call.hardDeadlineAt <= now && call.started) {
        call.reject(
          new SandboxError(
            'timeout',
            `${call.name} ran past its ${call.budgetMs} ms deadline inside a built-in that does not check for interrupts, and was still running ${this.graceMs} ms later; the sandbox thread was stopped`,
            [],
            call.budgetMs,
          ),
        )
      } else if (call.message.type === 'run' && call.message.deadlineAt - now < MIN_RERUN_MS) {
        call.reject(
          new HostError(
            'busy',
            `busy: ${call.name} shared a sandbox thread with a plugin that had to be stopped, and has no time left to run again; try again`,
          ),
        )
      } else {
        this.schedule(fresh, id, { ...call, started: false })
      }
    }
  }

  private schedule(worker: SandboxWorker, id: number, call: Pending): void {
    const timer = setTimeout(() => this.watchdog(worker), Math.max(0, call.hardDeadlineAt - Date.now()))
    timer.unref()
    const { resolve, reject } = call
    clearTimeout(this.idleTimer)
    worker.post(id, {
      ...call,
      resolve: (output) => {
        clearTimeout(timer)
        resolve(output)
        this.releaseWhenIdle()
      },
      reject: (err) => {
        clearTimeout(timer)
        reject(err)
        this.releaseWhenIdle()
      },
    })
  }

  /** The thread a call is on now (it moves if its thread was stopped). */
  private holder(id: number): SandboxWorker | undefined {
    return this.workers.find((w) => w?.pending.has(id))
  }

  /**
   * `checkBundle` on a thread: the bundle loads within `budgetMs` and is the plugin its manifest describes.
   */
  async check(
    bundle: string,
    manifest: PluginManifest,
    budgetMs = DEFAULT_SANDBOX_LIMITS.deadlineMs,
  ): Promise<void> {
    const starting = this.startThreads()
    if (starting !== undefined) await starting
    const id = this.nextId++
    return new Promise<void>((resolve, reject) => {
      this.schedule(this.pick([]), id, {
        message: { type: 'check', id, bundle, manifest, budgetMs },
        name: `${manifest.id}@${manifest.version}`,
        hardDeadlineAt: Date.now() + budgetMs + this.graceMs,
        budgetMs,
        shares: [],
        started: false,
        retried: false,
        resolve: () => resolve(),
        reject,
        runModel: () => Promise.reject(new Error('no models while checking a bundle')),
      })
    })
  }

  async run(call: ThreadCall): Promise<SuggestOutput> {
    const starting = this.startThreads()
    if (starting !== undefined) await starting
    const id = this.nextId++
    const flags = new SharedArrayBuffer(4)
    return new Promise<SuggestOutput>((resolve, reject) => {
      const reason = () =>
        call.signal.reason instanceof Error ? call.signal.reason.message : String(call.signal.reason)
      const abort = () => {
        Atomics.store(new Int32Array(flags), 0, 1)
        this.holder(id)?.send({ type: 'abort', id, reason: reason() })
      }
      call.signal.addEventListener('abort', abort, { once: true })
      const settle = () => call.signal.removeEventListener('abort', abort)
      this.schedule(this.pick(call.shares), id, {
        message: {
          type: 'run',
          id,
          bundle: call.bundle,
          manifest: call.manifest,
          input: call.input,
          deadlineAt: call.deadlineAt,
          ...(call.limits ? { limits: call.limits } : {}),
          flags,
          abortReason: 'aborted by the host',
        },
        name: `${call.manifest.id}@${call.manifest.version}`,
        hardDeadlineAt: call.deadlineAt + this.graceMs,
        budgetMs: Math.max(0, Math.round(call.deadlineAt - Date.now())),
        shares: call.shares,
        started: false,
        retried: false,
        resolve: (output) => {
          settle()
          resolve(output)
        },
        reject: (err) => {
          settle()
          reject(err)
        },
        runModel: call.runModel,
      })
      if (call.signal.aborted) abort()
    })
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer)
    const workers = this.workers.filter((w): w is SandboxWorker => w !== undefined)
    this.workers.fill(undefined)
    await Promise.all(workers.map((w) => w.terminate()))
  }
}
