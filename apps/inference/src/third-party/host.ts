import path from 'node:path'
import {
  assertHostCompatible,
  highestSatisfying,
  type PluginManifest,
  versionSatisfies,
} from '@ensemble/core/plugin'
import { type PluginArchive, readArchive } from '@ensemble/plugin-sdk/archive'
import { DEFAULT_SANDBOX_LIMITS, SandboxError, type SandboxLimits } from '@ensemble/plugin-sdk/sandbox'
import type { BatchOptions } from '../batcher'
import { LoadedModel, ModelInputError } from '../loaded-model'
import type { Logger } from '../log'
import {
  assetDigest,
  combinedHash,
  loadAsset,
  type Provenance,
  type SuggestRequest,
  type SuggestResult,
} from '../plugin-host'
import { ThirdPartyError } from './errors'
import { SandboxThread } from './sandbox-thread'
import { ArchiveStore, pluginKey } from './store'

/*
 * Third-party plugins in the inference service: archives the web server hands over (verified by
 * readArchive, every digest recomputed), cached by id@version in memory and on disk, their declared models
 * loaded through the same digest-checked tfjs path and micro-batchers as first-party ones, and their code run
 * only in the sandbox, on a small pool of its own threads (sandbox-thread.ts). No publisher and no user gets
 * more than a bounded share: of the calls in flight, and of the threads (a publisher's calls, however many
 * of them spin, go to at most half of them). Each failure that is the plugin's fault is a strike; too many within the window
 * suspend the version for the rest of it. A yanked version is refused from then on, and its running calls
 * are aborted.
 */

export interface ThirdPartyOptions {
  dataDir: string
  batching: BatchOptions
  maxDeadlineMs: number
  log: Logger
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

interface Loaded {
  key: string
  manifest: PluginManifest
  bundle: string
  bundleSha256: string
  archiveSha256: string
  models: Map<string, LoadedModel>
  modelHashes: { assetId: string; sha256: string }[]
  strikes: Strike[]
  running: Set<AbortController>
}

export interface ThirdPartyStatus {
  id: string
  version: string
  bundleSha256: string
  yanked: boolean
  suspended: boolean
  /** Failures inside the current window. */
  strikes: number
  lastFailure: Strike | null
  running: number
}

export interface ThirdPartyResult extends SuggestResult {
  provenance: Provenance & { bundleSha256: string }
}

/**
 * How long a bundle's top level may take when the registry checks it at publish. A plugin loads its bundle
 * again on every call, inside that call's budget, so a load this slow already leaves little for `suggest`.
 */
export const PUBLISH_CHECK_BUDGET_MS = 2000

export class ThirdPartyHost {
  private readonly loaded = new Map<string, Loaded>()
  private readonly loading = new Map<string, Promise<Loaded>>()
  private running = 0
  /** Calls in flight per publisher and per user, for their shares. */
  private readonly runningBy = new Map<string, number>()
  private readonly thread: SandboxThread
  private readonly store: ArchiveStore
  private readonly now: () => number
  private readonly maxRunning: number
  private readonly maxRunningPerPublisher: number
  private readonly maxRunningPerUser: number
  private readonly maxStrikes: number
  private readonly strikeWindowMs: number
  /** The sandbox's own deadline: a call never gets more, whatever its caller asked for. */
  private readonly sandboxDeadlineMs: number

  private constructor(
    private readonly options: ThirdPartyOptions,
    private readonly yanked: Set<string>,
  ) {
    this.store = new ArchiveStore(path.join(options.dataDir, 'plugins'))
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

  static async create(options: ThirdPartyOptions): Promise<ThirdPartyHost> {
    const store = new ArchiveStore(path.join(options.dataDir, 'plugins'))
    const host = new ThirdPartyHost(options, new Set(await store.readYanked()))
    // A studio that has third-party plugins installed gets its sandbox warm before the port opens, as its
    // calls would otherwise pay for starting the threads; one that has none starts them on the first
    // load or call (see IDLE_RELEASE_MS).
    if (await store.holdsAny()) await host.thread.warm()
    return host
  }

  /** Verifies an archive, caches it, loads its models. Loading the same archive again is a no-op. */
  async load(bytes: Uint8Array): Promise<{ id: string; version: string; bundleSha256: string }> {
    const archive = await readArchive(bytes)
    const { manifest } = archive
    const key = pluginKey(manifest.id, manifest.version)
    if (this.yanked.has(key)) throw new ThirdPartyError('yanked', `${key} was yanked; it cannot be loaded`)
    const entry = this.loaded.get(key) ?? (await this.installOnce(key, archive, bytes))
    if (entry.archiveSha256 !== archive.archiveSha256)
      throw new ThirdPartyError(
        'unavailable',
        `${key} is already loaded from a different archive; a published version never changes`,
      )
    return { id: manifest.id, version: manifest.version, bundleSha256: entry.bundleSha256 }
  }

  /**
   * The registry's check at publish: the archive is verified and its bundle loaded once in the sandbox, with
   * a short budget, without caching or installing anything. Throws `bad_bundle` with the reason when the
   * bundle does not parse, imports a module, throws or loops while loading, or is not the plugin its
   * manifest declares.
   */
  async check(bytes: Uint8Array): Promise<{ id: string; version: string; bundleSha256: string }> {
    const { manifest, bundle, bundleSha256 } = await readArchive(bytes)
    try {
      assertHostCompatible(manifest)
    } catch (err) {
      throw new ThirdPartyError('incompatible_host', (err as Error).message)
    }
    await this.thread
      .check(bundle, manifest, PUBLISH_CHECK_BUDGET_MS)
      .catch(refuseBundle(pluginKey(manifest.id, manifest.version)))
    return { id: manifest.id, version: manifest.version, bundleSha256 }
  }

  /** Two loads of one version at once (two projects asking) share one installation. */
  private installOnce(key: string, archive: PluginArchive, bytes: Uint8Array): Promise<Loaded> {
    let pending = this.loading.get(key)
    if (!pending) {
      pending = this.install(key, archive, bytes)
      this.loading.set(key, pending)
      void pending.finally(() => this.loading.delete(key)).catch(() => {})
    }
    return pending
  }

  private async install(key: string, archive: PluginArchive, bytes: Uint8Array): Promise<Loaded> {
    const { manifest } = archive
    try {
      assertHostCompatible(manifest)
    } catch (err) {
      throw new ThirdPartyError('incompatible_host', (err as Error).message)
    }
    // A bundle that does not load, or is not the plugin its manifest describes, is refused here, once.
    await this.thread.check(archive.bundle, manifest).catch(refuseBundle(key))
    await this.store.save(key, archive, bytes)
    const entry: Loaded = {
      key,
      manifest,
      bundle: archive.bundle,
      bundleSha256: archive.bundleSha256,
      archiveSha256: archive.archiveSha256,
      models: new Map(),
      modelHashes: [],
      strikes: [],
      running: new Set(),
    }
    const problems: string[] = []
    for (const asset of manifest.assets) {
      if (asset.format === 'tfjs-functional') {
        problems.push(
          `asset ${asset.id}: tfjs-functional models need host code; a third-party plugin cannot use them`,
        )
        continue
      }
      try {
        const model = new LoadedModel(
          `${key}/${asset.id}`,
          await loadAsset(asset, this.store.assetRoot(key), undefined),
          this.options.batching,
        )
        model.warmUp()
        entry.models.set(asset.id, model)
        entry.modelHashes.push({ assetId: asset.id, sha256: assetDigest(asset) })
      } catch (err) {
        problems.push(`asset ${asset.id}: ${(err as Error).message}`)
      }
    }
    if (problems.length) throw new ThirdPartyError('unavailable', `${key} cannot run: ${problems.join('; ')}`)
    this.loaded.set(key, entry)
    this.options.log.info('third-party plugin loaded', {
      plugin: manifest.id,
      version: manifest.version,
      bundleSha256: entry.bundleSha256,
      models: entry.modelHashes.length,
    })
    return entry
  }

  /** The loaded version for `range`; an exact version may come back from the disk cache. */
  private async pick(pluginId: string, range: string): Promise<Loaded> {
    const exact = pluginKey(pluginId, range)
    if (this.yanked.has(exact)) throw new ThirdPartyError('yanked', `${exact} was yanked by its publisher`)
    const inMemory = this.loaded.get(exact)
    if (inMemory) return inMemory
    const versions = [...this.loaded.values()].filter(
      (e) => e.manifest.id === pluginId && versionSatisfies(e.manifest.version, range),
    )
    const best = highestSatisfying(
      versions.map((e) => e.manifest.version),
      range,
    )
    const match = versions.find((e) => e.manifest.version === best)
    if (match) return match
    const cached = await this.store.read(exact)
    if (cached) {
      // Verified again as if it had just arrived: the disk is not trusted more than the network.
      await this.load(cached)
      return this.loaded.get(exact)!
    }
    throw new ThirdPartyError('not_loaded', `${pluginId}@${range} is not loaded in the inference service`)
  }

  private activeStrikes(entry: Loaded): Strike[] {
    const since = this.now() - this.strikeWindowMs
    entry.strikes = entry.strikes.filter((s) => s.at > since)
    return entry.strikes
  }

  async suggest(request: SuggestRequest): Promise<ThirdPartyResult> {
    const receivedAt = this.now()
    const entry = await this.pick(request.pluginId, request.version)
    const { key, manifest } = entry
    if (this.yanked.has(key)) throw new ThirdPartyError('yanked', `${key} was yanked by its publisher`)
    const strikes = this.activeStrikes(entry)
    if (strikes.length >= this.maxStrikes) {
      const last = strikes.at(-1)!
      const until = new Date(strikes[0]!.at + this.strikeWindowMs).toISOString()
      throw new ThirdPartyError(
        'suspended',
        `${key} is suspended: it failed ${strikes.length} times within ${Math.round(this.strikeWindowMs / 60_000)} minutes (last: ${last.code}: ${last.message}); it may run again after ${until}`,
      )
    }
    if (this.running >= this.maxRunning)
      throw new ThirdPartyError(
        'busy',
        `busy: ${this.running} sandboxed suggestions in flight, try again shortly`,
      )
    // Without a publisher named (tests, an operator's script), each plugin counts as its own.
    const publisher = `publisher:${request.caller?.publisher ?? manifest.id}`
    const user = request.caller ? `user:${request.caller.userId}` : undefined
    const full = (share: string, max: number) => (this.runningBy.get(share) ?? 0) >= max
    if (full(publisher, this.maxRunningPerPublisher))
      throw new ThirdPartyError(
        'busy',
        `busy: ${this.maxRunningPerPublisher} sandboxed suggestions of this publisher's plugins are in flight, try again shortly`,
      )
    if (user && full(user, this.maxRunningPerUser))
      throw new ThirdPartyError(
        'busy',
        `busy: this user has ${this.maxRunningPerUser} sandboxed suggestions in flight, try again shortly`,
      )
    const shares = user ? [publisher, user] : [publisher]
    // The sandbox stops the plugin at its own deadline; the watchdog's hard stop comes a grace after that.
    const deadlineAt =
      receivedAt + Math.min(request.input.deadlineMs, this.options.maxDeadlineMs, this.sandboxDeadlineMs)
    const controller = new AbortController()
    entry.running.add(controller)
    this.running++
    for (const share of shares) this.runningBy.set(share, (this.runningBy.get(share) ?? 0) + 1)
    let outcome = 'ok'
    try {
      const output = await this.thread.run({
        bundle: entry.bundle,
        manifest,
        input: request.input,
        deadlineAt,
        signal: controller.signal,
        shares,
        ...(this.options.limits ? { limits: this.options.limits } : {}),
        runModel: async (assetId, inputs) => {
          const model = entry.models.get(assetId)
          if (!model) throw new Error(`model ${assetId} is not loaded`)
          try {
            return await model.run(inputs, deadlineAt)
          } catch (err) {
            if (err instanceof ModelInputError) throw new Error(err.message)
            throw err
          }
        },
      })
      return {
        ...output,
        provenance: {
          pluginId: manifest.id,
          version: manifest.version,
          modelHash: combinedHash(entry.modelHashes),
          models: entry.modelHashes,
          seed: request.input.seed,
          durationMs: this.now() - receivedAt,
          bundleSha256: entry.bundleSha256,
        },
      }
    } catch (err) {
      outcome = err instanceof SandboxError ? err.code : ((err as { code?: string }).code ?? 'internal_error')
      if (err instanceof SandboxError && err.code === 'aborted' && this.yanked.has(key))
        throw new ThirdPartyError('yanked', `${key} was yanked by its publisher while this call ran`)
      if (err instanceof SandboxError && err.code !== 'aborted')
        entry.strikes.push({ at: this.now(), code: err.code, message: err.message })
      throw err
    } finally {
      entry.running.delete(controller)
      this.running--
      for (const share of shares) {
        const left = (this.runningBy.get(share) ?? 1) - 1
        if (left > 0) this.runningBy.set(share, left)
        else this.runningBy.delete(share)
      }
      this.options.log[outcome === 'ok' ? 'info' : 'warn']('third-party suggest', {
        plugin: manifest.id,
        version: manifest.version,
        outcome,
        durationMs: this.now() - receivedAt,
      })
    }
  }

  /** The kill list: refused from now on (and after a restart), running calls aborted. */
  async yank(id: string, version: string): Promise<{ id: string; version: string; aborted: number }> {
    const key = pluginKey(id, version)
    this.yanked.add(key)
    await this.store.writeYanked([...this.yanked])
    const entry = this.loaded.get(key)
    const running = entry ? [...entry.running] : []
    for (const controller of running) controller.abort(new Error(`${key} was yanked`))
    this.options.log.warn('third-party plugin yanked', { plugin: id, version, aborted: running.length })
    return { id, version, aborted: running.length }
  }

  /** See `SandboxThread.restartBusyThreads`: what a crashed thread does to the calls on it. */
  restartBusyThreads(reason?: string): number {
    return this.thread.restartBusyThreads(reason)
  }

  /** Stops the sandbox threads (the service is shutting down). */
  /** Sandbox threads running now: none until the first third-party call, none again once idle. */
  get sandboxThreadsStarted(): number {
    return this.thread.started
  }

  close(): Promise<void> {
    return this.thread.close()
  }

  status(): ThirdPartyStatus[] {
    return [...this.loaded.values()].map((entry) => {
      const strikes = this.activeStrikes(entry)
      return {
        id: entry.manifest.id,
        version: entry.manifest.version,
        bundleSha256: entry.bundleSha256,
        yanked: this.yanked.has(entry.key),
        suspended: strikes.length >= this.maxStrikes,
        strikes: strikes.length,
        lastFailure: strikes.at(-1) ?? null,
        running: entry.running.size,
      }
    })
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
    throw new ThirdPartyError('bad_bundle', `${key} is refused: ${reason}`)
  }
