import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import {
  type ModelTensor,
  PluginError,
  type PluginErrorCode,
  type PluginManifest,
  type SuggestInput,
  type SuggestOutput,
} from '@ensemble/core/plugin'
import { SandboxError, type SandboxErrorCode, type SandboxLimits } from '@ensemble/plugin-sdk/sandbox'

/*
 * The main thread's side of the sandbox thread. Sandboxed code is synchronous while it computes: on the
 * service's own thread a plugin spinning to its deadline would stall every other request, first-party ones
 * included. So all sandboxed calls run on one worker thread (QuickJS module compiled there once), and only
 * the model steps come back here, to the loaded models and their micro-batchers.
 */

export interface SerializedFailure {
  kind: 'sandbox' | 'plugin' | 'other'
  code: string
  message: string
  issues: { path: string; message: string }[]
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
  | { type: 'check'; id: number; bundle: string; manifest: PluginManifest }

export type FromWorker =
  | { type: 'warm' }
  | { type: 'model'; id: number; callId: number; assetId: string; inputs: ModelTensor[] }
  | { type: 'done'; id: number; output?: SuggestOutput }
  | { type: 'failed'; id: number; failure: SerializedFailure }

export interface ThreadCall {
  bundle: string
  manifest: PluginManifest
  input: SuggestInput
  deadlineAt: number
  limits?: Partial<SandboxLimits>
  signal: AbortSignal
  runModel(assetId: string, inputs: ModelTensor[]): Promise<ModelTensor[]>
}

interface Pending {
  resolve(output: SuggestOutput): void
  reject(err: Error): void
  runModel: ThreadCall['runModel']
}

function revive(failure: SerializedFailure): Error {
  if (failure.kind === 'sandbox')
    return new SandboxError(failure.code as SandboxErrorCode, failure.message, failure.issues)
  if (failure.kind === 'plugin') {
    // PluginError builds its message from the issues; keep the worker's text exactly.
    const err = new PluginError(failure.code as PluginErrorCode, failure.issues)
    err.message = failure.message
    return err
  }
  return new Error(failure.message)
}

/**
 * The worker is TypeScript, like the service: it registers tsx's loader in its own thread before importing
 * itself, whoever started the service (tsx, vitest).
 */
const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'))
// The ESM build of `tsx/esm/api` (require.resolve would pick its CommonJS one).
const tsxApi = pathToFileURL(path.join(tsxRoot, 'dist/esm/api/index.mjs')).href
const bootstrap = `
  const { register } = await import(${JSON.stringify(tsxApi)})
  register()
  await import(${JSON.stringify(new URL('./sandbox-thread.worker.ts', import.meta.url).href)})
`

export class SandboxThread {
  private worker: Worker | undefined
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  private warmed: (() => void) | undefined

  private start(): Worker {
    const worker = new Worker(`(async () => {${bootstrap}})()`, { eval: true })
    worker.on('message', (message: FromWorker) => this.receive(worker, message))
    worker.on('error', (err) => this.fail(worker, err))
    worker.on('exit', (code) => this.fail(worker, new Error(`the sandbox thread exited (${code})`)))
    return worker
  }

  /** A thread with work keeps the process alive (it may be all that is left to wait on); an idle one not. */
  private updateRef(): void {
    if (this.pending.size > 0 || this.warmed) this.worker?.ref()
    else this.worker?.unref()
  }

  /** Everything in flight on a thread that died fails; the next call starts a fresh thread. */
  private fail(worker: Worker, err: Error): void {
    if (this.worker !== worker) return
    this.worker = undefined
    for (const pending of this.pending.values()) pending.reject(err)
    this.pending.clear()
    // Warming is best effort: a thread that failed to start is started again by the next call.
    this.warmed?.()
    this.warmed = undefined
  }

  /**
   * Starts the thread and compiles the QuickJS module and driver there, so the first sandboxed suggestion
   * does not pay for them (about 1–3 s on a busy machine).
   */
  warm(): Promise<void> {
    this.worker ??= this.start()
    const worker = this.worker
    return new Promise<void>((resolve) => {
      this.warmed = resolve
      this.updateRef()
      worker.postMessage({ type: 'warm' } satisfies ToWorker)
    })
  }

  private receive(worker: Worker, message: FromWorker): void {
    if (message.type === 'warm') {
      this.warmed?.()
      this.warmed = undefined
      this.updateRef()
      return
    }
    const pending = this.pending.get(message.id)
    if (!pending) return
    switch (message.type) {
      case 'model':
        pending.runModel(message.assetId, message.inputs).then(
          (outputs) =>
            worker.postMessage({ type: 'model', callId: message.callId, outputs } satisfies ToWorker),
          (err: unknown) =>
            worker.postMessage({
              type: 'model',
              callId: message.callId,
              error: err instanceof Error ? err.message : String(err),
            } satisfies ToWorker),
        )
        break
      case 'done':
        this.pending.delete(message.id)
        this.updateRef()
        pending.resolve(message.output ?? { suggestions: [] })
        break
      case 'failed':
        this.pending.delete(message.id)
        this.updateRef()
        pending.reject(revive(message.failure))
        break
    }
  }

  /** `checkBundle` on the thread: the bundle loads and is the plugin its manifest describes. */
  check(bundle: string, manifest: PluginManifest): Promise<void> {
    this.worker ??= this.start()
    const worker = this.worker
    const id = this.nextId++
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, {
        resolve: () => resolve(),
        reject,
        runModel: () => Promise.reject(new Error('no models while checking a bundle')),
      })
      this.updateRef()
      worker.postMessage({ type: 'check', id, bundle, manifest } satisfies ToWorker)
    })
  }

  run(call: ThreadCall): Promise<SuggestOutput> {
    this.worker ??= this.start()
    const worker = this.worker
    const id = this.nextId++
    const flags = new SharedArrayBuffer(4)
    return new Promise<SuggestOutput>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, runModel: call.runModel })
      this.updateRef()
      const reason = () =>
        call.signal.reason instanceof Error ? call.signal.reason.message : String(call.signal.reason)
      const abort = () => {
        Atomics.store(new Int32Array(flags), 0, 1)
        worker.postMessage({ type: 'abort', id, reason: reason() } satisfies ToWorker)
      }
      call.signal.addEventListener('abort', abort, { once: true })
      const settle = () => call.signal.removeEventListener('abort', abort)
      this.pending.get(id)!.resolve = (output) => {
        settle()
        resolve(output)
      }
      this.pending.get(id)!.reject = (err) => {
        settle()
        reject(err)
      }
      worker.postMessage({
        type: 'run',
        id,
        bundle: call.bundle,
        manifest: call.manifest,
        input: call.input,
        deadlineAt: call.deadlineAt,
        ...(call.limits ? { limits: call.limits } : {}),
        flags,
        abortReason: 'aborted by the host',
      } satisfies ToWorker)
      if (call.signal.aborted) abort()
    })
  }

  async close(): Promise<void> {
    const worker = this.worker
    this.worker = undefined
    await worker?.terminate()
  }
}
