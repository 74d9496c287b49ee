import {
  assertHostCompatible,
  type ModelTensor,
  type PluginManifest,
  type SuggestOutput,
} from '@ensemble/core/plugin'
import { DEFAULT_SANDBOX_LIMITS, SandboxError, type SandboxLimits } from '@ensemble/plugin-sdk/sandbox'
import { HostError } from '../host-errors'
import { type LoadedModel, ModelInputError } from '../loaded-model'
import type { Caller, SuggestRequest } from '../suggest-request'
import { SandboxThread } from './sandbox-thread'

/*
 * The host's runner for third-party plugins: their code runs only in the QuickJS sandbox, on a small pool of
 * its own threads (sandbox-thread.ts), their declared models on the host's tfjs like any other. No publisher
 * and no user gets more than a bounded share: of the calls in flight, and of the threads (a publisher's
 * calls, however many of them spin, go to at most half of them). Each failure that is the plugin's fault is
 * a strike; too many within the window suspend the version for the rest of it. A yanked version is refused
 * from then on, and its running calls are aborted. Which plugins exist is the host's catalogue's business
 * (plugin-host.ts); this runner keeps only what it needs per version to run one call.
 */

export interface SandboxRunnerOptions {
  maxDeadlineMs: number
  /** Sandbox limits per call (defaults: the SDK's). */
  limits?: Partial<SandboxLimits>
  /** Sandboxed calls in flight at once; one more is answered busy. */
  maxRunning?: number
  /** Of those, the calls of one publisher's plugins, and of one user (default: half of `maxRunning`). */
  maxRunningPerPublisher?: number
  maxRunningPerUser?: number
  /** Worker threads the sandboxed calls share (default 2). */
  sandboxThreads?: number
  /** How long the sandbox may idle before its threads stop (default IDLE_RELEASE_MS; tests shorten it). */
  sandboxIdleReleaseMs?: number
  /** The WebAssembly memory all sandbox threads together may hold; each thread gets an equal share. */
  sandboxMemoryBytes?: number
  /** How long past its deadline a call may hold its thread before the thread is stopped (default 750 ms). */
  hardDeadlineGraceMs?: number
  /** Failures within `strikeWindowMs` that suspend a version. */
  maxStrikes?: number
  strikeWindowMs?: number
  now?: () => number
}

interface Strike {
  at: number
  code: string
  message: string
}

/** A third-party version's code as this runner holds it: its bundle, and what its calls did lately. */
export interface SandboxedCode {
  key: string
  manifest: PluginManifest
  bundle: string
  bundleSha256: string
  strikes: Strike[]
  running: Set<AbortController>
}

export interface SandboxStatus {
  yanked: boolean
  suspended: boolean
  /** Failures inside the current window. */
  strikes: number
  lastFailure: Strike | null
  running: number
}

/**
 * How long a bundle's top level may take when the registry checks it at publish. A plugin loads its bundle
 * again on every call, inside that call's budget, so a load this slow already leaves little for `suggest`.
 */
export const PUBLISH_CHECK_BUDGET_MS = 2000

export class SandboxRunner {
  private running = 0
  /** Calls in flight per publisher and per user, for their shares. */
  private readonly runningBy = new Map<string, number>()
  private readonly thread: SandboxThread
  private readonly now: () => number
  private readonly maxRunning: number
  private readonly maxRunningPerPublisher: number
  private readonly maxRunningPerUser: number
  private readonly maxStrikes: number
  private readonly strikeWindowMs: number
  /** The sandbox's own deadline: a call never gets more, whatever its caller asked for. */
  private readonly sandboxDeadlineMs: number

  constructor(
    private readonly options: SandboxRunnerOptions,
    /** The kill list, by id@version; the host keeps it on disk. */
    private readonly yanked: Set<string>,
  ) {
    this.now = options.now ?? Date.now
    this.maxRunning = options.maxRunning ?? 16
    this.maxRunningPerPublisher = options.maxRunningPerPublisher ?? Math.ceil(this.maxRunning / 2)
    this.maxRunningPerUser = options.maxRunningPerUser ?? Math.ceil(this.maxRunning / 2)
    this.maxStrikes = options.maxStrikes ?? 5
    this.strikeWindowMs = options.strikeWindowMs ?? 10 * 60_000
    this.sandboxDeadlineMs = options.limits?.deadlineMs ?? DEFAULT_SANDBOX_LIMITS.deadlineMs
    const threads = options.sandboxThreads ?? 2
    this.thread = new SandboxThread({
      threads,
      ...(options.sandboxIdleReleaseMs !== undefined ? { idleReleaseMs: options.sandboxIdleReleaseMs } : {}),
      ...(options.hardDeadlineGraceMs !== undefined ? { graceMs: options.hardDeadlineGraceMs } : {}),
      ...(options.sandboxMemoryBytes !== undefined
        ? { memoryPerThreadBytes: Math.floor(options.sandboxMemoryBytes / threads) }
        : {}),
    })
  }

  warm(): Promise<void> {
    return this.thread.warm()
  }

  /** Sandbox threads running now: none until the first third-party call, none again once idle. */
  get threadsStarted(): number {
    return this.thread.started
  }

  isYanked(key: string): boolean {
    return this.yanked.has(key)
  }

  /**
   * Loads a bundle once in the sandbox, with `budgetMs` (the sandbox's own deadline when absent), and checks
   * it is the plugin its manifest declares. Throws `bad_bundle` with the reason when the bundle does not
   * parse, imports a module, throws or loops while loading, or lies about itself; `incompatible_host` when
   * the manifest asks for a host API this one does not give.
   */
  async admit(key: string, manifest: PluginManifest, bundle: string, budgetMs?: number): Promise<void> {
    try {
      assertHostCompatible(manifest)
    } catch (err) {
      throw new HostError('incompatible_host', (err as Error).message)
    }
    await this.thread.check(bundle, manifest, budgetMs).catch(refuseBundle(key))
  }

  private activeStrikes(code: SandboxedCode): Strike[] {
    const since = this.now() - this.strikeWindowMs
    code.strikes = code.strikes.filter((s) => s.at > since)
    return code.strikes
  }

  /** Who a call counts against: its publisher (without one named, each plugin counts as its own) and user. */
  private sharesOf(manifest: PluginManifest, caller: Caller | undefined): string[] {
    const publisher = `publisher:${caller?.publisher ?? manifest.id}`
    if (this.full(publisher, this.maxRunningPerPublisher))
      throw new HostError(
        'busy',
        `busy: ${this.maxRunningPerPublisher} sandboxed suggestions of this publisher's plugins are in flight, try again shortly`,
      )
    if (caller && this.full(`user:${caller.userId}`, this.maxRunningPerUser))
      throw new HostError(
        'busy',
        `busy: this user has ${this.maxRunningPerUser} sandboxed suggestions in flight, try again shortly`,
      )
    return caller ? [publisher, `user:${caller.userId}`] : [publisher]
  }

  private full(share: string, max: number): boolean {
    return (this.runningBy.get(share) ?? 0) >= max
  }

  async run(
    code: SandboxedCode,
    models: ReadonlyMap<string, LoadedModel>,
    request: SuggestRequest,
    /** When the call arrived (the caller's deadline counts from here) and when its plugin was ready. */
    times: { receivedAt: number; installedAt: number },
  ): Promise<SuggestOutput> {
    const { key, manifest } = code
    if (this.yanked.has(key)) throw new HostError('yanked', `${key} was yanked by its publisher`)
    const strikes = this.activeStrikes(code)
    if (strikes.length >= this.maxStrikes) {
      const last = strikes.at(-1)!
      const until = new Date(strikes[0]!.at + this.strikeWindowMs).toISOString()
      throw new HostError(
        'suspended',
        `${key} is suspended: it failed ${strikes.length} times within ${Math.round(this.strikeWindowMs / 60_000)} minutes (last: ${last.code}: ${last.message}); it may run again after ${until}`,
      )
    }
    if (this.running >= this.maxRunning)
      throw new HostError('busy', `busy: ${this.running} sandboxed suggestions in flight, try again shortly`)
    const shares = this.sharesOf(manifest, request.caller)
    // The sandbox stops the plugin at its own deadline; the watchdog's hard stop comes a grace after that.
    // The caller's budget counts from arrival; the sandbox's own from when the plugin was ready, so the time
    // the host spent fetching and installing it on a first call is not taken from the plugin.
    const deadlineAt = Math.min(
      times.receivedAt + Math.min(request.input.deadlineMs, this.options.maxDeadlineMs),
      times.installedAt + this.sandboxDeadlineMs,
    )
    const controller = new AbortController()
    code.running.add(controller)
    this.running++
    for (const share of shares) this.runningBy.set(share, (this.runningBy.get(share) ?? 0) + 1)
    try {
      return await this.thread.run({
        bundle: code.bundle,
        manifest,
        input: request.input,
        deadlineAt,
        signal: controller.signal,
        shares,
        ...(this.options.limits ? { limits: this.options.limits } : {}),
        // Model steps are shared per user (step-shares.ts); a call naming no user shares as its publisher.
        runModel: (assetId, inputs) =>
          runModel(models, assetId, inputs, deadlineAt, request.caller?.userId ?? shares[0]!),
      })
    } catch (err) {
      if (err instanceof SandboxError && err.code === 'aborted' && this.yanked.has(key))
        throw new HostError('yanked', `${key} was yanked by its publisher while this call ran`)
      if (err instanceof SandboxError && err.code !== 'aborted')
        code.strikes.push({ at: this.now(), code: err.code, message: err.message })
      throw err
    } finally {
      code.running.delete(controller)
      this.running--
      for (const share of shares) {
        const left = (this.runningBy.get(share) ?? 1) - 1
        if (left > 0) this.runningBy.set(share, left)
        else this.runningBy.delete(share)
      }
    }
  }

  /** The kill list: refused from now on, running calls aborted. Returns how many were aborted. */
  yank(key: string, code: SandboxedCode | undefined): number {
    this.yanked.add(key)
    const running = code ? [...code.running] : []
    for (const controller of running) controller.abort(new Error(`${key} was yanked`))
    return running.length
  }

  yankedKeys(): string[] {
    return [...this.yanked]
  }

  status(code: SandboxedCode): SandboxStatus {
    const strikes = this.activeStrikes(code)
    return {
      yanked: this.yanked.has(code.key),
      suspended: strikes.length >= this.maxStrikes,
      strikes: strikes.length,
      lastFailure: strikes.at(-1) ?? null,
      running: code.running.size,
    }
  }

  /** See `SandboxThread.restartBusyThreads`: what a crashed thread does to the calls on it. */
  restartBusyThreads(reason?: string): number {
    return this.thread.restartBusyThreads(reason)
  }

  /** Stops the sandbox threads (the service is shutting down). */
  close(): Promise<void> {
    return this.thread.close()
  }
}

/** A model call from inside the sandbox: a tensor the model cannot take is the plugin's error, as text. */
async function runModel(
  models: ReadonlyMap<string, LoadedModel>,
  assetId: string,
  inputs: ModelTensor[],
  deadlineAt: number,
  callerKey: string,
): Promise<ModelTensor[]> {
  const model = models.get(assetId)
  if (!model) throw new Error(`model ${assetId} is not loaded`)
  try {
    return await model.run(inputs, deadlineAt, callerKey)
  } catch (err) {
    if (err instanceof ModelInputError) throw new Error(err.message)
    throw err
  }
}

/** A sandbox failure while checking a bundle is the bundle's; anything else (a dead thread) passes through. */
const refuseBundle =
  (key: string) =>
  (err: unknown): never => {
    if (!(err instanceof SandboxError)) throw err
    const reason =
      err.code === 'timeout'
        ? `plugin.js did not finish loading within ${err.budgetMs ?? '?'} ms (a loop or too much work at its top level)`
        : err.message
    throw new HostError('bad_bundle', `${key} is refused: ${reason}`)
  }
