import { createHash } from 'node:crypto'
import path from 'node:path'
import {
  assertHostCompatible,
  highestSatisfying,
  isVersion,
  type Plugin,
  type PluginAsset,
  type PluginManifest,
  versionSatisfies,
} from '@ensemble/core/plugin'
import { readArchive } from '@ensemble/plugin-sdk/archive'
import type { BatchModel, ModelRuntime, PluginRegistration } from '@ensemble/plugins/host'
import * as tf from '@tensorflow/tfjs'
import type { AdmissionLimits } from './admission'
import { fromTfModel, functionalFromArtifacts } from './batch-model'
import type { BatchOptions, BatchStats } from './batcher'
import { HostError, hostFailure } from './host-errors'
import { InProcessRunner } from './in-process-runner'
import { LoadedModel } from './loaded-model'
import type { Logger } from './log'
import { fileSystemModel } from './model-files'
import type { ModelHash, SuggestRequest, SuggestResult } from './suggest-request'
import type { ArchiveSource } from './third-party/archive-source'
import {
  PUBLISH_CHECK_BUDGET_MS,
  type SandboxedCode,
  SandboxRunner,
  type SandboxRunnerOptions,
  type SandboxStatus,
} from './third-party/sandbox-runner'
import { ArchiveStore, pluginKey } from './third-party/store'

/*
 * The plugin host: ONE catalogue of plugins keyed by id@version, each with its models (loaded after their
 * digests are checked, warmed, micro-batched) and one of two runners:
 *
 * - first-party plugins (registered at start, code in this process): `InProcessRunner`, core's `runPlugin`
 *   behind admission;
 * - third-party plugins (published to the web's registry): `SandboxRunner`, their bundle in QuickJS.
 *
 * A third-party version the catalogue does not hold yet (a fresh start, another replica) is installed on
 * demand: from this service's disk cache, or else fetched from the web server through the `ArchiveSource`
 * the host is given, verified, its bundle checked once in the sandbox, its models loaded. The web server
 * never has to send or re-send an archive: it makes one call, `suggest`.
 *
 * Around both runners, the same pipeline: version choice, the server's deadline cap, provenance, one log line
 * per call.
 */

export type { PluginRegistration }

export interface HostOptions {
  batching: BatchOptions
  admission: AdmissionLimits
  maxDeadlineMs: number
  log: Logger
  /** Where third-party archives are cached (DATA_DIR/plugins) and the kill list is kept. */
  dataDir: string
  /** Where a third-party archive the host does not hold comes from (the web server); none: cache only. */
  archives?: ArchiveSource
  /** Sandbox limits, shares and strike policy for third-party plugins (tests tighten them). */
  sandbox?: Omit<SandboxRunnerOptions, 'maxDeadlineMs' | 'now'>
  now?: () => number
}

type Code =
  | { origin: 'first-party'; plugin: Plugin }
  | { origin: 'third-party'; sandboxed: SandboxedCode; archiveSha256: string }

interface Entry {
  key: string
  manifest: PluginManifest
  /** Why the plugin cannot run; empty when it is available. */
  problems: string[]
  models: Map<string, LoadedModel>
  modelHashes: ModelHash[]
  code: Code
  /**
   * A first-party plugin's models load on its first call (`ensureLoaded`): where they are, and that load,
   * shared by the calls arriving while it runs. Undefined once loaded, or for a third-party plugin (its
   * models load when it is installed, which is its first call).
   */
  lazy?: {
    assetRoot: string
    runtimes: Readonly<Record<string, ModelRuntime>> | undefined
    loading?: Promise<void>
  }
}

export interface PluginSummary {
  id: string
  version: string
  name: string
  kind: PluginManifest['kind']
  trackKinds: PluginManifest['trackKinds']
  description: string
  capabilities: PluginManifest['capabilities']
  /** True only when every asset is present, matches its SHA-256 and loaded. */
  available: boolean
  problems: string[]
}

export interface ThirdPartyStatus extends SandboxStatus {
  id: string
  version: string
  bundleSha256: string
}

/**
 * An asset's identity for provenance: the SHA-256 of its model.json's digest and its weights' digests, one
 * per line in manifest order. The model.json alone would not change when only the weights are retrained.
 */
export function assetDigest(asset: PluginAsset): string {
  return createHash('sha256')
    .update([asset.sha256, ...asset.weights.map((w) => w.sha256)].join('\n'))
    .digest('hex')
}

export function combinedHash(models: readonly ModelHash[]): string {
  if (models.length === 0) return 'none'
  if (models.length === 1) return models[0]!.sha256
  return createHash('sha256')
    .update(models.map((m) => `${m.assetId}:${m.sha256}`).join('\n'))
    .digest('hex')
}

/**
 * Reads every file of an asset and checks it against the manifest's digests, without building the model:
 * what `loadAsset` would refuse at the first call is refused at start, and the plugin listed unavailable.
 */
export async function verifyAsset(
  asset: PluginAsset,
  root: string,
  runtime: ModelRuntime | undefined,
): Promise<void> {
  if (asset.format === 'tfjs-functional' && !runtime)
    throw new Error('a tfjs-functional asset needs a runtime registered with its plugin')
  const pins = new Map([
    [path.basename(asset.path), asset.sha256],
    ...asset.weights.map((w) => [w.path, w.sha256] as const),
  ])
  await fileSystemModel(path.join(root, asset.path), pins).load!()
}

export async function loadAsset(
  asset: PluginAsset,
  root: string,
  runtime: ModelRuntime | undefined,
): Promise<BatchModel> {
  const modelPath = path.join(root, asset.path)
  const pins = new Map([
    [path.basename(asset.path), asset.sha256],
    ...asset.weights.map((w) => [w.path, w.sha256] as const),
  ])
  const io = fileSystemModel(modelPath, pins)
  switch (asset.format) {
    case 'tfjs-layers':
      return fromTfModel(await tf.loadLayersModel(io))
    case 'tfjs-graph':
      return fromTfModel(await tf.loadGraphModel(io))
    case 'tfjs-functional': {
      if (!runtime) throw new Error('a tfjs-functional asset needs a runtime registered with its plugin')
      return runtime(functionalFromArtifacts(await io.load!()))
    }
  }
}

export class PluginHost {
  private readonly catalogue = new Map<string, Entry>()
  /** Third-party versions being installed, so two first calls at once (two projects asking) share one. */
  private readonly installing = new Map<string, Promise<Entry>>()
  private readonly inProcess: InProcessRunner
  private readonly now: () => number

  private constructor(
    private readonly options: HostOptions,
    private readonly store: ArchiveStore,
    private readonly sandbox: SandboxRunner,
  ) {
    this.now = options.now ?? Date.now
    this.inProcess = new InProcessRunner({
      admission: options.admission,
      maxDeadlineMs: options.maxDeadlineMs,
      now: this.now,
    })
  }

  /**
   * Starts the sandbox threads and loads every first-party registration. A plugin whose assets are missing
   * or do not match their digests stays in the catalogue as unavailable, with the reason, rather than
   * stopping the service: the others still serve.
   */
  static async start(
    registrations: readonly PluginRegistration[],
    options: HostOptions,
  ): Promise<PluginHost> {
    const store = new ArchiveStore(path.join(options.dataDir, 'plugins'))
    const sandbox = new SandboxRunner(
      {
        ...options.sandbox,
        maxDeadlineMs: options.maxDeadlineMs,
        ...(options.now ? { now: options.now } : {}),
      },
      new Set(await store.readYanked()),
    )
    // A studio with third-party plugins in its cache gets its sandbox warm before the port opens, as their
    // calls would otherwise pay for starting the threads; one with none starts them on the first install
    // or call, and they stop again when idle (sandbox-thread.ts, IDLE_RELEASE_MS).
    if (await store.holdsAny()) await sandbox.warm()
    const host = new PluginHost(options, store, sandbox)
    for (const registration of registrations) await host.register(registration)
    return host
  }

  private async register({ plugin, assetRoot, runtimes }: PluginRegistration): Promise<void> {
    const { manifest } = plugin
    const key = pluginKey(manifest.id, manifest.version)
    if (this.catalogue.has(key)) throw new Error(`${key} is registered twice`)
    const entry: Entry = {
      key,
      manifest,
      problems: [],
      models: new Map(),
      modelHashes: [],
      code: { origin: 'first-party', plugin },
    }
    this.catalogue.set(key, entry)
    try {
      assertHostCompatible(manifest)
    } catch (err) {
      entry.problems.push((err as Error).message)
      return
    }
    // Checked now, loaded on the first call: loaded models hold tfjs' WebAssembly memory and their graphs
    // for the life of the service, and a studio whose users never ask for, say, a drum pattern should not
    // pay for the drums model (docs/BENCHMARKS.md, "Memory").
    await this.loadModels(entry, assetRoot, runtimes, 'verify')
    if (assetRoot && entry.problems.length === 0) entry.lazy = { assetRoot, runtimes }
    const level = entry.problems.length ? 'warn' : 'info'
    this.options.log[level]('plugin registered', {
      plugin: manifest.id,
      version: manifest.version,
      available: entry.problems.length === 0,
      problems: entry.problems,
    })
  }

  /**
   * Loads, verifies and warms each declared asset (`verify`: only reads its files and checks their digests,
   * so what loading would refuse is refused now); what fails goes into the entry's problems.
   */
  private async loadModels(
    entry: Entry,
    assetRoot: string | undefined,
    runtimes: Readonly<Record<string, ModelRuntime>> | undefined,
    mode: 'load' | 'verify' = 'load',
  ): Promise<void> {
    for (const asset of entry.manifest.assets) {
      if (!assetRoot) {
        entry.problems.push(`asset ${asset.id}: no asset folder was registered`)
        continue
      }
      if (asset.format === 'tfjs-functional' && entry.code.origin === 'third-party') {
        entry.problems.push(
          `asset ${asset.id}: tfjs-functional models need host code; a third-party plugin cannot use them`,
        )
        continue
      }
      try {
        if (mode === 'verify') {
          await verifyAsset(asset, assetRoot, runtimes?.[asset.id])
          entry.modelHashes.push({ assetId: asset.id, sha256: assetDigest(asset) })
          continue
        }
        const loaded = await loadAsset(asset, assetRoot, runtimes?.[asset.id])
        const model = new LoadedModel(`${entry.key}/${asset.id}`, loaded, this.options.batching)
        model.warmUp()
        entry.models.set(asset.id, model)
        if (!entry.modelHashes.some((m) => m.assetId === asset.id))
          entry.modelHashes.push({ assetId: asset.id, sha256: assetDigest(asset) })
      } catch (err) {
        entry.problems.push(`asset ${asset.id}: ${(err as Error).message}`)
      }
    }
  }

  /**
   * Loads and warms a first-party plugin's models, once. Its files were checked at start and are checked
   * again as they are read; a model that still fails to load (files changed since, a graph tfjs cannot
   * build) leaves the plugin unavailable with the reason, as a failure at start would have.
   */
  private async ensureLoaded(entry: Entry): Promise<void> {
    const lazy = entry.lazy
    if (lazy === undefined) return
    lazy.loading ??= (async () => {
      const startedAt = this.now()
      await this.loadModels(entry, lazy.assetRoot, lazy.runtimes)
      entry.lazy = undefined
      this.options.log[entry.problems.length ? 'warn' : 'info']('plugin models loaded', {
        plugin: entry.manifest.id,
        version: entry.manifest.version,
        models: entry.models.size,
        durationMs: this.now() - startedAt,
        problems: entry.problems,
      })
    })()
    await lazy.loading
    if (entry.problems.length > 0)
      throw new HostError('unavailable', `${entry.key} is not available: ${entry.problems.join('; ')}`)
  }

  /** Sandbox threads running now (none until a third-party plugin is installed or called; none once idle). */
  get sandboxThreadsStarted(): number {
    return this.sandbox.threadsStarted
  }

  /** The plugins this service ships (first-party); third-party ones are a project's installs, listed by the web. */
  list(): PluginSummary[] {
    return [...this.catalogue.values()]
      .filter((e) => e.code.origin === 'first-party')
      .map(({ manifest, problems }) => ({
        id: manifest.id,
        version: manifest.version,
        name: manifest.name,
        kind: manifest.kind,
        trackKinds: manifest.trackKinds,
        description: manifest.description,
        capabilities: manifest.capabilities,
        available: problems.length === 0,
        problems,
      }))
  }

  describe(
    pluginId: string,
    version: string,
  ): { manifest: PluginManifest; available: boolean; problems: string[] } {
    const entry = this.pick(pluginId, version, false)
    return { manifest: entry.manifest, available: entry.problems.length === 0, problems: entry.problems }
  }

  /** Per model, how its executions were batched: the figures that show micro-batching at work. */
  modelStats(): ({ plugin: string; version: string; asset: string } & BatchStats)[] {
    return [...this.catalogue.values()].flatMap((e) =>
      [...e.models].map(([asset, model]) => ({
        plugin: e.manifest.id,
        version: e.manifest.version,
        asset,
        ...model.stats(),
      })),
    )
  }

  /** First-party calls running or waiting for their turn. */
  get inFlight(): number {
    return this.inProcess.inFlight
  }

  /** The highest version of `pluginId` inside `range`; with `mustRun`, the highest that is available. */
  private pick(pluginId: string, range: string, mustRun: boolean): Entry {
    const versions = [...this.catalogue.values()].filter((e) => e.manifest.id === pluginId)
    if (versions.length === 0) throw new HostError('not_found', `no plugin ${pluginId}`)
    const matching = versions.filter((e) => versionSatisfies(e.manifest.version, range))
    if (matching.length === 0)
      throw new HostError(
        'not_found',
        `no version of ${pluginId} matches ${range} (have ${versions.map((e) => e.manifest.version).join(', ')})`,
      )
    const candidates = mustRun ? matching.filter((e) => e.problems.length === 0) : matching
    const best = highestSatisfying(
      candidates.map((e) => e.manifest.version),
      range,
    )
    const entry = candidates.find((e) => e.manifest.version === best)
    if (!entry) {
      const newest = highestSatisfying(
        matching.map((e) => e.manifest.version),
        range,
      )
      const top = matching.find((e) => e.manifest.version === newest)!
      throw new HostError('unavailable', `${pluginId}@${newest} is not available: ${top.problems.join('; ')}`)
    }
    return entry
  }

  /**
   * The entry a suggest runs. A first-party id is served from what was registered; any other id with an
   * exact version (the web always names a project's installed version) is installed first if the
   * catalogue does not hold it.
   */
  private async find(pluginId: string, range: string): Promise<Entry> {
    const known = [...this.catalogue.values()].filter((e) => e.manifest.id === pluginId)
    if (known.some((e) => e.code.origin === 'first-party') || !isVersion(range))
      return this.pick(pluginId, range, true)
    const key = pluginKey(pluginId, range)
    if (this.sandbox.isYanked(key)) throw new HostError('yanked', `${key} was yanked by its publisher`)
    return this.catalogue.get(key) ?? this.installOnce(key, pluginId, range)
  }

  private installOnce(key: string, id: string, version: string): Promise<Entry> {
    let pending = this.installing.get(key)
    if (!pending) {
      pending = this.fetchArchive(key, id, version).then((bytes) => this.install(key, bytes))
      this.installing.set(key, pending)
      void pending.finally(() => this.installing.delete(key)).catch(() => {})
    }
    return pending
  }

  /** This service's disk cache first, else the web server; nowhere: `not_found`. */
  private async fetchArchive(key: string, id: string, version: string): Promise<Uint8Array> {
    const cached = await this.store.read(key)
    if (cached) return cached
    const fetched = await this.options.archives?.fetch(id, version)
    if (!fetched) throw new HostError('not_found', `no plugin ${key}: the registry has no such version`)
    return fetched
  }

  /**
   * Verifies an archive (every digest recomputed: the disk is not trusted more than the network), checks its
   * bundle once in the sandbox, caches it, loads its models, and adds it to the catalogue.
   */
  private async install(key: string, bytes: Uint8Array): Promise<Entry> {
    const archive = await readArchive(bytes)
    const { manifest } = archive
    if (pluginKey(manifest.id, manifest.version) !== key)
      throw new HostError(
        'not_loaded',
        `the archive served for ${key} is ${manifest.id}@${manifest.version}; it was not installed`,
      )
    await this.sandbox.admit(key, manifest, archive.bundle)
    await this.store.save(key, archive, bytes)
    const entry: Entry = {
      key,
      manifest,
      problems: [],
      models: new Map(),
      modelHashes: [],
      code: {
        origin: 'third-party',
        archiveSha256: archive.archiveSha256,
        sandboxed: {
          key,
          manifest,
          bundle: archive.bundle,
          bundleSha256: archive.bundleSha256,
          strikes: [],
          running: new Set(),
        },
      },
    }
    await this.loadModels(entry, this.store.assetRoot(key), undefined)
    if (entry.problems.length)
      throw new HostError('unavailable', `${key} cannot run: ${entry.problems.join('; ')}`)
    this.catalogue.set(key, entry)
    this.options.log.info('third-party plugin installed', {
      plugin: manifest.id,
      version: manifest.version,
      bundleSha256: archive.bundleSha256,
      models: entry.modelHashes.length,
    })
    return entry
  }

  async suggest(request: SuggestRequest): Promise<SuggestResult> {
    const receivedAt = this.now()
    const fields: Record<string, unknown> = { plugin: request.pluginId, range: request.version }
    let outcome = 'ok'
    try {
      const entry = await this.find(request.pluginId, request.version)
      const { code, manifest } = entry
      fields.version = manifest.version
      fields.origin = code.origin
      fields.seed = request.input.seed
      if (request.caller) fields.user = request.caller.userId
      await this.ensureLoaded(entry)
      const output =
        code.origin === 'first-party'
          ? await this.inProcess.run(code.plugin, entry.models, request, receivedAt)
          : await this.sandbox.run(code.sandboxed, entry.models, request, {
              receivedAt,
              installedAt: this.now(),
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
          ...(code.origin === 'third-party' ? { bundleSha256: code.sandboxed.bundleSha256 } : {}),
        },
      }
    } catch (err) {
      outcome = hostFailure(err)?.reason ?? 'internal_error'
      fields.error = (err as Error).message
      throw err
    } finally {
      this.options.log[outcome === 'ok' ? 'info' : 'warn']('suggest', {
        ...fields,
        durationMs: this.now() - receivedAt,
        outcome,
      })
    }
  }

  /**
   * The registry's check at publish: the archive verified and its bundle loaded once in the sandbox, with a
   * short budget, without caching or installing anything. Throws `bad_bundle` with the reason when it can
   * never run.
   */
  async check(bytes: Uint8Array): Promise<{ id: string; version: string; bundleSha256: string }> {
    const { manifest, bundle, bundleSha256 } = await readArchive(bytes)
    const key = pluginKey(manifest.id, manifest.version)
    await this.sandbox.admit(key, manifest, bundle, PUBLISH_CHECK_BUDGET_MS)
    return { id: manifest.id, version: manifest.version, bundleSha256 }
  }

  /** The kill list: refused from now on (and after a restart), running calls aborted. */
  async yank(id: string, version: string): Promise<{ id: string; version: string; aborted: number }> {
    const key = pluginKey(id, version)
    const entry = this.catalogue.get(key)
    const aborted = this.sandbox.yank(
      key,
      entry?.code.origin === 'third-party' ? entry.code.sandboxed : undefined,
    )
    await this.store.writeYanked(this.sandbox.yankedKeys())
    this.options.log.warn('third-party plugin yanked', { plugin: id, version, aborted })
    return { id, version, aborted }
  }

  /** Installed third-party versions with their strikes, suspension and kill-list state. */
  status(): ThirdPartyStatus[] {
    return [...this.catalogue.values()].flatMap(({ manifest, code }) =>
      code.origin === 'third-party'
        ? [
            {
              id: manifest.id,
              version: manifest.version,
              bundleSha256: code.sandboxed.bundleSha256,
              ...this.sandbox.status(code.sandboxed),
            },
          ]
        : [],
    )
  }

  /** See `SandboxThread.restartBusyThreads`: what a crashed thread does to the calls on it. */
  restartBusyThreads(reason?: string): number {
    return this.sandbox.restartBusyThreads(reason)
  }

  /** Stops the sandbox threads (the service is shutting down). */
  close(): Promise<void> {
    return this.sandbox.close()
  }
}
