import {
  checkInput,
  checkOutput,
  type ModelTensor,
  PluginError,
  type PluginManifest,
  type SuggestInput,
  type SuggestOutput,
} from '@ensemble/core/plugin'
import type {
  QuickJSContext,
  QuickJSDeferredPromise,
  QuickJSHandle,
  QuickJSRuntime,
  VmCallResult,
} from 'quickjs-emscripten'
import { z } from 'zod'
import { discardSandboxEngine, sandboxEngine } from './engine'
import { SandboxError } from './errors'
import { FAILURE_MARK, type FailureDescription, type SandboxSetup } from './inside'

/*
 * One sandboxed `suggest`: a fresh QuickJS runtime and context from the process's warm module, the plugin's
 * bundle evaluated in it, the call driven to completion, everything disposed. Only strings cross: the input
 * goes in as JSON text, the output comes out as JSON text that the host parses and validates; the plugin's
 * only way out is the driver's `ctx` (models through `SandboxHost`, a log line, the time left).
 */

export interface SandboxLimits {
  /** Heap of the plugin's runtime, bundle and input included. */
  memoryBytes: number
  /** Wall-clock budget of the call from its start, CPU loops and model waits alike. */
  deadlineMs: number
  /** The longest output JSON let out. */
  maxOutputBytes: number
  /** The runtime's C stack: how deep the plugin may recurse. */
  stackBytes: number
}

export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  memoryBytes: 64 * 1024 * 1024,
  deadlineMs: 5000,
  maxOutputBytes: 4 * 1024 * 1024,
  // QuickJS's frames also use the host's native stack, and V8 allows about 1 MB of that: at 512 KiB a deep
  // recursion overflowed V8's stack before QuickJS's own check fired.
  stackBytes: 192 * 1024,
})

/** The host's side of `ctx.models.run`, called only for assets the manifest declares. */
export interface SandboxHost {
  runModel(assetId: string, inputs: ModelTensor[]): Promise<ModelTensor[]>
}

export interface SandboxRunOptions {
  /** plugin.js: one ES module whose default export is `definePlugin({ manifest, suggest })`. */
  bundle: string
  /** manifest.json, already validated: what the host trusts, the bundle's own copy only has to agree. */
  manifest: PluginManifest
  /** Parameters unresolved; checked and resolved here as every host does. */
  input: SuggestInput
  host?: SandboxHost
  limits?: Partial<SandboxLimits>
  /** Aborting stops the call wherever it is (a yanked version, a caller that went away). */
  signal?: AbortSignal
  /**
   * Called whenever QuickJS checks for interrupts; may abort `signal` there and then. For a host running
   * the sandbox on a worker thread: no message reaches the worker while the plugin computes, but a flag in
   * shared memory does.
   */
  pollAbort?: () => void
  /** An absolute deadline (Date.now() ms) the caller already counts from; the earlier one wins. */
  deadlineAt?: number
  /** Where the plugin's console lines go (the CLI prints them); dropped when absent. */
  onLog?: (line: string) => void
}

const MAX_LOG_LINES = 200
const MAX_LOG_LINE = 2000
const MAX_MESSAGE = 600

/** What a plugin may hand a model: bounded so a request cannot make the host allocate without limit. */
const ModelInputsSchema = z
  .array(
    z.strictObject({
      shape: z
        .array(
          z
            .number()
            .int()
            .min(1)
            .max(1 << 20),
        )
        .min(1)
        .max(8),
      data: z.array(z.number()).max(1 << 22),
    }),
  )
  .min(1)
  .max(16)

const clip = (text: string, max = MAX_MESSAGE) => (text.length > max ? `${text.slice(0, max)}…` : text)
const mib = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`
const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`

/** Runs the plugin's `suggest` in a fresh sandbox; resolves with validated output or throws SandboxError. */
export async function runInSandbox(options: SandboxRunOptions): Promise<SuggestOutput> {
  const { manifest } = options
  // The same checks as an in-process run, on the host's side of the boundary.
  const input = checkInput(manifest, options.input)
  const name = `${manifest.id}@${manifest.version}`
  const result = await execute(options, input, input.deadlineMs)
  try {
    return checkOutput(manifest, input, result)
  } catch (err) {
    if (err instanceof PluginError)
      throw new SandboxError('invalid_output', `${name} returned ${err.message}`, err.issues)
    throw err
  }
}

export type BundleCheckOptions = Pick<SandboxRunOptions, 'bundle' | 'manifest' | 'limits' | 'signal'>

/**
 * Evaluates the bundle's top level in a fresh sandbox and checks it is the plugin manifest.json describes
 * (same id, version and kind), without calling `suggest`: what a host runs when an archive arrives, so a
 * bundle that does not parse, throws while loading or lies about itself is refused once, up front.
 */
export async function checkBundle(options: BundleCheckOptions): Promise<void> {
  await execute(options, undefined, Number.POSITIVE_INFINITY)
}

/** One fresh runtime: the bundle loaded, identified and, given an input, its `suggest` run. */
async function execute(
  options: Omit<SandboxRunOptions, 'input'>,
  input: object | undefined,
  inputDeadlineMs: number,
): Promise<unknown> {
  const { manifest } = options
  const limits: SandboxLimits = { ...DEFAULT_SANDBOX_LIMITS, ...options.limits }
  const startedAt = Date.now()
  const deadlineAt = Math.min(
    options.deadlineAt ?? Number.POSITIVE_INFINITY,
    startedAt + limits.deadlineMs,
    startedAt + inputDeadlineMs,
  )
  const name = `${manifest.id}@${manifest.version}`
  if (options.signal?.aborted) throw abortedError(name, options.signal)

  const engine = await sandboxEngine()
  const runtime = engine.module.newRuntime()
  const budgetMs = Math.max(0, Math.round(deadlineAt - startedAt))
  const call = new SandboxCall(runtime, { ...options, limits, deadlineAt, budgetMs, name })
  let result: unknown
  let failure: unknown
  try {
    result = await call.run(engine.driverScript, input)
  } catch (err) {
    failure = err
  }
  if (failure instanceof RangeError) {
    // The host's own stack ran out inside the WebAssembly: the module was unwound mid-call and cannot be
    // trusted (nor this runtime freed); the next call compiles a fresh one.
    discardSandboxEngine()
    throw new SandboxError(
      'stack',
      `${name} recursed deeper than the sandbox allows: make the recursion iterative or shallower`,
    )
  }
  try {
    call.dispose()
    runtime.dispose()
  } catch (err) {
    // QuickJS asserts when a handle outlives its runtime; the module's state is unknown from here on.
    discardSandboxEngine()
    failure ??= new SandboxError('plugin_threw', `${name}: the sandbox failed to clean up (${String(err)})`)
  }
  if (failure !== undefined) throw failure
  return result
}

function abortedError(name: string, signal: AbortSignal): SandboxError {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? '')
  return new SandboxError('aborted', `${name} was stopped by the host${reason ? `: ${reason}` : ''}`)
}

interface CallOptions extends Omit<SandboxRunOptions, 'input'> {
  limits: SandboxLimits
  deadlineAt: number
  /** The call's time from its start to its deadline, for messages. */
  budgetMs: number
  name: string
}

/** The state of one call: its context, its handles, the model calls it is waiting on. */
class SandboxCall {
  private readonly vm: QuickJSContext
  private readonly handles: QuickJSHandle[] = []
  private readonly deferreds = new Set<QuickJSDeferredPromise>()
  /** Set when the host stopped the plugin, so whatever error QuickJS reports is read as this. */
  private stopped: 'timeout' | 'aborted' | undefined
  private outstanding = 0
  private closed = false
  private logLines = 0
  private wake: (() => void) | undefined
  private woken = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly onAbort = () => this.stop('aborted')

  constructor(
    private readonly runtime: QuickJSRuntime,
    private readonly options: CallOptions,
  ) {
    const { limits, deadlineAt, signal } = options
    runtime.setMemoryLimit(limits.memoryBytes)
    runtime.setMaxStackSize(limits.stackBytes)
    runtime.setInterruptHandler(() => {
      options.pollAbort?.()
      if (signal?.aborted) this.stopped ??= 'aborted'
      else if (Date.now() >= deadlineAt) this.stopped ??= 'timeout'
      return this.stopped !== undefined
    })
    this.vm = runtime.newContext()
    // While the plugin waits on a model, no QuickJS code runs to be interrupted: these wake the wait.
    this.timer = setTimeout(() => this.stop('timeout'), Math.max(0, deadlineAt - Date.now()))
    signal?.addEventListener('abort', this.onAbort)
  }

  private stop(reason: 'timeout' | 'aborted'): void {
    this.stopped ??= reason
    this.notify()
  }

  private notify(): void {
    this.woken = true
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private keep(handle: QuickJSHandle): QuickJSHandle {
    this.handles.push(handle)
    return handle
  }

  /** The value of a VM call, kept for disposal; a failure becomes the SandboxError it means. */
  private value(result: VmCallResult<QuickJSHandle>, during: 'load' | 'run'): QuickJSHandle {
    if (result.error) {
      const error = this.keep(result.error)
      throw this.explain(error, during)
    }
    return this.keep(result.value)
  }

  /** Without an input, stops once the bundle is loaded and identified. */
  async run(driverScript: string, input: object | undefined): Promise<unknown> {
    const { vm } = this
    const { manifest, bundle, name } = this.options
    const createDriver = this.value(
      vm.evalCode(driverScript, 'ensemble-sandbox.js', { type: 'global', strict: true }),
      'load',
    )
    const setup: SandboxSetup = {
      pluginId: manifest.id,
      seed: (input as { seed?: number } | undefined)?.seed ?? 0,
      capabilities: manifest.capabilities,
      assetIds: manifest.assets.map((a) => a.id),
    }
    const driver = this.value(
      vm.callFunction(
        createDriver,
        vm.undefined,
        this.hostBindings(),
        this.keep(vm.newString(JSON.stringify(setup))),
      ),
      'load',
    )

    // The bundle's top level runs here, after the driver made the globals reproducible.
    let namespace = this.value(vm.evalCode(bundle, 'plugin.js', { type: 'module', strict: true }), 'load')
    namespace = await this.settle(namespace, 'load')

    const identity = JSON.parse(
      vm.getString(this.value(vm.callMethod(driver, 'identify', [namespace]), 'load')),
    ) as { id: string; version: string; kind: string }
    const claims = `${identity.id}@${identity.version} (${identity.kind})`
    const declared = `${manifest.id}@${manifest.version} (${manifest.kind})`
    if (claims !== declared)
      throw new SandboxError(
        'bad_bundle',
        `plugin.js defines ${clip(claims, 300)} but manifest.json declares ${declared}: pack the bundle and the manifest from the same source`,
      )

    if (input === undefined) return undefined
    const inputJson = this.keep(vm.newString(JSON.stringify(input)))
    const pending = this.value(vm.callMethod(driver, 'run', [namespace, inputJson]), 'run')
    const output = await this.settle(pending, 'run')
    if (vm.typeof(output) !== 'string')
      throw new SandboxError('invalid_output', `${name} returned something that is not JSON text`)
    const length = vm.getLength(output) ?? 0
    const max = this.options.limits.maxOutputBytes
    const tooLarge = () =>
      new SandboxError(
        'output_too_large',
        `${name} returned more than ${mib(max)} of JSON; the sandbox lets out at most that: return fewer or shorter suggestions`,
      )
    if (length > max) throw tooLarge()
    const text = vm.getString(output)
    if (Buffer.byteLength(text) > max) throw tooLarge()
    return JSON.parse(text) as unknown
  }

  /**
   * Runs the plugin's jobs until `handle` (a promise or a plain value) settles, waiting on the host's model
   * calls in between. A promise still pending with no model call outstanding can never settle: the sandbox
   * has no timers or I/O that could resolve it later, so that is reported at once instead of at the deadline.
   */
  private async settle(handle: QuickJSHandle, during: 'load' | 'run'): Promise<QuickJSHandle> {
    const { vm, runtime } = this
    for (;;) {
      const jobs = runtime.executePendingJobs()
      if (jobs.error) {
        const error = this.keep(jobs.error)
        throw this.explain(error, during)
      }
      jobs.dispose()
      if (this.stopped) throw this.stoppedError()
      const state = vm.getPromiseState(handle)
      if (state.type === 'fulfilled') return state.notAPromise ? handle : this.keep(state.value)
      if (state.type === 'rejected') throw this.explain(this.keep(state.error), during)
      if (this.outstanding === 0)
        throw new SandboxError(
          'timeout',
          `${this.options.name}'s ${during === 'load' ? 'top-level await' : 'suggest'} returned a promise that can never settle: nothing it waits for is pending (the sandbox has no timers, network or I/O; await only ctx.models.run)`,
        )
      if (!this.woken) await new Promise<void>((resolve) => (this.wake = resolve))
      this.woken = false
    }
  }

  /** The object the driver receives: three host functions, nothing else of the host. */
  private hostBindings(): QuickJSHandle {
    const { vm } = this
    const host = this.keep(vm.newObject())
    const runModel = this.keep(
      vm.newFunction('runModel', (assetIdHandle, inputsHandle) => {
        const assetId = vm.typeof(assetIdHandle) === 'string' ? vm.getString(assetIdHandle) : ''
        const inputs = vm.typeof(inputsHandle) === 'string' ? vm.getString(inputsHandle) : ''
        const deferred = vm.newPromise()
        this.deferreds.add(deferred)
        this.outstanding++
        this.callModel(assetId, inputs).then(
          (outputs) => this.resolveDeferred(deferred, () => vm.newString(JSON.stringify(outputs)), true),
          (err: unknown) =>
            this.resolveDeferred(
              deferred,
              () => vm.newError(err instanceof Error ? err.message : String(err)),
              false,
            ),
        )
        return deferred.handle
      }),
    )
    const timeLeftMs = this.keep(
      vm.newFunction('timeLeftMs', () => vm.newNumber(Math.max(0, this.options.deadlineAt - Date.now()))),
    )
    const log = this.keep(
      vm.newFunction('log', (lineHandle) => {
        const { onLog } = this.options
        if (!onLog || this.logLines > MAX_LOG_LINES || vm.typeof(lineHandle) !== 'string') return
        this.logLines++
        onLog(
          this.logLines > MAX_LOG_LINES
            ? `(more than ${MAX_LOG_LINES} lines; the rest are dropped)`
            : clip(vm.getString(lineHandle), MAX_LOG_LINE),
        )
      }),
    )
    vm.setProp(host, 'runModel', runModel)
    vm.setProp(host, 'timeLeftMs', timeLeftMs)
    vm.setProp(host, 'log', log)
    return host
  }

  private async callModel(assetId: string, inputsJson: string): Promise<ModelTensor[]> {
    const { manifest, host } = this.options
    if (!manifest.capabilities.includes('models') || !host)
      throw new Error(`${manifest.id} did not declare the "models" capability`)
    if (!manifest.assets.some((a) => a.id === assetId))
      throw new Error(`${manifest.id} declares no asset "${assetId}"`)
    let parsed: unknown
    try {
      parsed = JSON.parse(inputsJson)
    } catch {
      throw new Error('models.run: inputs must be JSON')
    }
    const inputs = ModelInputsSchema.safeParse(parsed)
    if (!inputs.success)
      throw new Error(
        `models.run("${assetId}"): inputs must be 1–16 { shape, data } tensors without the batch dimension (${inputs.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')})`,
      )
    return host.runModel(assetId, inputs.data)
  }

  private resolveDeferred(deferred: QuickJSDeferredPromise, make: () => QuickJSHandle, ok: boolean): void {
    this.outstanding--
    if (this.closed || !deferred.alive) return
    const value = make()
    try {
      if (ok) deferred.resolve(value)
      else deferred.reject(value)
    } finally {
      value.dispose()
      this.deferreds.delete(deferred)
      deferred.dispose()
    }
    this.notify()
  }

  private stoppedError(): SandboxError {
    const { name, budgetMs, signal } = this.options
    if (this.stopped === 'aborted' && signal) return abortedError(name, signal)
    return new SandboxError(
      'timeout',
      `${name} ran past its ${budgetMs} ms deadline (an endless loop, or more work than one call allows); the sandbox stopped it`,
      [],
      budgetMs,
    )
  }

  /** What a failure reported by QuickJS means for the plugin's author. */
  private explain(error: QuickJSHandle, during: 'load' | 'run'): SandboxError {
    if (this.stopped) return this.stoppedError()
    const { vm } = this
    let description: FailureDescription
    if (vm.typeof(error) === 'string' && vm.getString(error).startsWith(FAILURE_MARK)) {
      description = JSON.parse(vm.getString(error).slice(FAILURE_MARK.length)) as FailureDescription
    } else {
      // An error the driver could not catch and describe (out of memory while describing, a syntax error).
      let dumped: unknown
      try {
        dumped = vm.dump(error)
      } catch {
        dumped = undefined
      }
      const d = (dumped ?? {}) as { name?: unknown; message?: unknown; stack?: unknown }
      description = {
        code: 'plugin_threw',
        name: typeof d.name === 'string' ? d.name : 'Error',
        message: typeof d.message === 'string' ? d.message : String(dumped),
        stack: typeof d.stack === 'string' ? d.stack : '',
      }
    }
    return this.classify(description, during)
  }

  private classify(d: FailureDescription, during: 'load' | 'run'): SandboxError {
    const { name, limits } = this.options
    const where = d.stack
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.startsWith('at '))
    const at = where ? ` (${clip(where, 200)})` : ''
    const internal = d.name === 'InternalError' || d.name === 'RangeError'
    if (internal && /^(out of memory|string too long|invalid array length)/.test(d.message))
      return new SandboxError(
        'memory',
        `${name} used more than the sandbox's ${mib(limits.memoryBytes)} memory limit${at}: keep fewer or smaller objects alive`,
      )
    if (internal && /stack overflow|call stack size/i.test(d.message))
      return new SandboxError(
        'stack',
        `${name} recursed deeper than the sandbox's ${kib(limits.stackBytes)} stack allows${at}: make the recursion iterative or shallower`,
      )
    const message = clip(`${d.name}: ${d.message}`)
    if (d.code === 'bad_bundle') return new SandboxError('bad_bundle', `plugin.js: ${clip(d.message)}`)
    if (d.code === 'invalid_output')
      return new SandboxError('invalid_output', `${name}'s output is not JSON (${message})`)
    if (during === 'load') {
      if (d.name === 'SyntaxError')
        return new SandboxError('bad_bundle', `plugin.js does not parse: ${message}${at}`)
      if (/could not load module/.test(d.message))
        return new SandboxError(
          'bad_bundle',
          `plugin.js imports a module (${message}); a bundle must be self-contained: build it with the SDK's pack`,
        )
      return new SandboxError('plugin_threw', `plugin.js threw while loading: ${message}${at}`)
    }
    return new SandboxError('plugin_threw', `${name} threw ${message}${at}`)
  }

  dispose(): void {
    this.closed = true
    clearTimeout(this.timer)
    this.options.signal?.removeEventListener('abort', this.onAbort)
    for (const deferred of this.deferreds) deferred.dispose()
    this.deferreds.clear()
    for (const handle of this.handles.reverse()) if (handle.alive) handle.dispose()
    this.handles.length = 0
    this.vm.dispose()
  }
}
