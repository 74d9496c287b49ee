import { createHash } from 'node:crypto'
import path from 'node:path'
import {
  assertHostCompatible,
  highestSatisfying,
  type ModelRunner,
  type Plugin,
  type PluginAsset,
  PluginError,
  type PluginManifest,
  runPlugin,
  type SuggestInput,
  type SuggestOutput,
  versionSatisfies,
} from '@ensemble/core/plugin'
import * as tf from '@tensorflow/tfjs'
import { Admission, type AdmissionLimits } from './admission'
import { type BatchModel, fromTfModel, functionalFromArtifacts, type ModelRuntime } from './batch-model'
import type { BatchOptions, BatchStats } from './batcher'
import { HostError } from './host-errors'
import { LoadedModel, ModelInputError } from './loaded-model'
import type { Logger } from './log'
import { fileSystemModel } from './model-files'

/*
 * The plugin host: a catalogue of registered plugins, their model files checked against their digests at
 * start and loaded (and warmed) on a plugin's first call, and the suggest pipeline around the contract's `runPlugin`: version choice, admission
 * (admission.ts: bounded calls in flight, a fair share of them per caller), the server's deadline cap,
 * provenance and one log line per call.
 */

/** A plugin and the folder its manifest's asset paths are relative to (first-party: beside its code). */
export interface PluginRegistration {
  plugin: Plugin
  assetRoot?: string
  /** The graph code of each `tfjs-functional` asset, by asset id (first-party plugins only). */
  runtimes?: Readonly<Record<string, ModelRuntime>>
}

export interface HostOptions {
  batching: BatchOptions
  admission: AdmissionLimits
  maxDeadlineMs: number
  log: Logger
  now?: () => number
}

interface Entry {
  manifest: PluginManifest
  plugin: Plugin
  /** Why the plugin cannot run; empty when it is available. */
  problems: string[]
  /** Where its assets are, for the first call to load them from. */
  assetRoot: string | undefined
  runtimes: Readonly<Record<string, ModelRuntime>> | undefined
  /** Its models, once its first call loaded them. */
  models: Map<string, LoadedModel>
  /** The first call's load, shared by the calls that arrive while it runs. */
  loading: Promise<void> | undefined
  modelHashes: { assetId: string; sha256: string }[]
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

/**
 * Who a suggest is for, as the web server names them (it authorized the call; the browser never reaches
 * this service). Fair shares are counted per user, and for third-party plugins per publisher too.
 */
export interface Caller {
  userId: string
  projectId: string
  /** The registry publisher of a third-party plugin. */
  publisher?: string | undefined
}

export interface SuggestRequest {
  pluginId: string
  /** An exact version or a semver range; the highest available match runs. */
  version: string
  /** Already shape-checked by the router; `runPlugin` checks it again, as every host does. */
  input: SuggestInput
  caller?: Caller | undefined
}

export interface Provenance {
  pluginId: string
  version: string
  /** One digest for the song's note provenance: the model's, or a digest of all of them, or "none". */
  modelHash: string
  models: { assetId: string; sha256: string }[]
  seed: number
  durationMs: number
}

export interface SuggestResult extends SuggestOutput {
  provenance: Provenance
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

export function combinedHash(models: readonly { assetId: string; sha256: string }[]): string {
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
  private readonly entries: Entry[] = []
  private readonly admission: Admission
  private readonly now: () => number
  private anonymous = 0

  private constructor(private readonly options: HostOptions) {
    this.now = options.now ?? Date.now
    this.admission = new Admission(options.admission, this.now)
  }

  /**
   * Loads every registration. A plugin whose assets are missing or do not match their digests stays in the
   * catalogue as unavailable, with the reason, rather than stopping the service: the others still serve.
   */
  static async load(registrations: readonly PluginRegistration[], options: HostOptions): Promise<PluginHost> {
    const host = new PluginHost(options)
    for (const registration of registrations) await host.add(registration)
    return host
  }

  /**
   * Checks a plugin's model files; its models load on its first call. Loaded models hold tfjs' WebAssembly
   * memory and their graphs for the life of the service, and a studio whose users never ask for, say, a
   * drum pattern should not pay for the drums model (docs/BENCHMARKS.md, "Memory").
   */
  private async add({ plugin, assetRoot, runtimes }: PluginRegistration): Promise<void> {
    const { manifest } = plugin
    if (this.entries.some((e) => e.manifest.id === manifest.id && e.manifest.version === manifest.version))
      throw new Error(`${manifest.id}@${manifest.version} is registered twice`)
    const entry: Entry = {
      manifest,
      plugin,
      problems: [],
      assetRoot,
      runtimes,
      models: new Map(),
      loading: undefined,
      modelHashes: [],
    }
    this.entries.push(entry)
    try {
      assertHostCompatible(manifest)
    } catch (err) {
      entry.problems.push((err as Error).message)
      return
    }
    for (const asset of manifest.assets) {
      if (!assetRoot) {
        entry.problems.push(`asset ${asset.id}: no asset folder was registered`)
        continue
      }
      try {
        await verifyAsset(asset, assetRoot, runtimes?.[asset.id])
        entry.modelHashes.push({ assetId: asset.id, sha256: assetDigest(asset) })
      } catch (err) {
        entry.problems.push(`asset ${asset.id}: ${(err as Error).message}`)
      }
    }
    const level = entry.problems.length ? 'warn' : 'info'
    this.options.log[level]('plugin registered', {
      plugin: manifest.id,
      version: manifest.version,
      available: entry.problems.length === 0,
      problems: entry.problems,
    })
  }

  /**
   * Loads and warms a plugin's models, once. Its files were checked at start and are checked again as they
   * are read; a model that still fails to load (files changed since, a graph tfjs cannot build) leaves the
   * plugin unavailable with the reason, as a failure at start would have.
   */
  private ensureLoaded(entry: Entry): Promise<void> {
    entry.loading ??= (async () => {
      const startedAt = this.now()
      for (const asset of entry.manifest.assets) {
        const name = `${entry.manifest.id}@${entry.manifest.version}/${asset.id}`
        try {
          const loaded = await loadAsset(asset, entry.assetRoot ?? '', entry.runtimes?.[asset.id])
          const model = new LoadedModel(name, loaded, this.options.batching)
          model.warmUp()
          entry.models.set(asset.id, model)
        } catch (err) {
          entry.problems.push(`asset ${asset.id}: ${(err as Error).message}`)
        }
      }
      this.options.log[entry.problems.length ? 'warn' : 'info']('plugin models loaded', {
        plugin: entry.manifest.id,
        version: entry.manifest.version,
        models: entry.models.size,
        durationMs: this.now() - startedAt,
        problems: entry.problems,
      })
    })()
    return entry.loading
  }

  list(): PluginSummary[] {
    return this.entries.map(({ manifest, problems }) => ({
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
    return this.entries.flatMap((e) =>
      [...e.models].map(([asset, model]) => ({
        plugin: e.manifest.id,
        version: e.manifest.version,
        asset,
        ...model.stats(),
      })),
    )
  }

  /** Calls running or waiting for their turn. */
  get inFlight(): number {
    return this.admission.inFlight
  }

  /** The highest version of `pluginId` inside `range`; with `mustRun`, the highest that is available. */
  private pick(pluginId: string, range: string, mustRun: boolean): Entry {
    const versions = this.entries.filter((e) => e.manifest.id === pluginId)
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

  async suggest(request: SuggestRequest): Promise<SuggestResult> {
    const receivedAt = this.now()
    const fields: Record<string, unknown> = { plugin: request.pluginId, range: request.version }
    let outcome = 'ok'
    try {
      const entry = this.pick(request.pluginId, request.version, true)
      fields.version = entry.manifest.version
      // The caller's budget, never more than the server allows; counted from arrival, so time spent
      // waiting for a turn, for a batch or behind other work is part of it.
      const deadlineAt = receivedAt + Math.min(request.input.deadlineMs, this.options.maxDeadlineMs)
      // A call that names no caller (tests, an operator's script) shares with nobody.
      const callerKey = request.caller?.userId ?? `anonymous:${this.anonymous++}`
      if (request.caller) fields.user = request.caller.userId
      const release = await this.admission.admit(callerKey, deadlineAt)
      try {
        await this.ensureLoaded(entry)
        if (entry.problems.length > 0)
          throw new HostError(
            'unavailable',
            `${entry.manifest.id}@${entry.manifest.version} is not available: ${entry.problems.join('; ')}`,
          )
        fields.seed = request.input.seed
        const output = await runPlugin(entry.plugin, request.input, {
          models: this.runnerFor(entry, deadlineAt),
          deadlineAt,
          now: this.now,
        })
        return {
          ...output,
          provenance: {
            pluginId: entry.manifest.id,
            version: entry.manifest.version,
            modelHash: combinedHash(entry.modelHashes),
            models: entry.modelHashes,
            seed: request.input.seed,
            durationMs: this.now() - receivedAt,
          },
        }
      } finally {
        release()
      }
    } catch (err) {
      outcome = err instanceof HostError || err instanceof PluginError ? err.code : 'internal_error'
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

  private runnerFor(entry: Entry, deadlineAt: number): ModelRunner {
    return {
      run: async (assetId, inputs) => {
        const model = entry.models.get(assetId)
        if (!model) throw new Error(`model ${assetId} is not loaded`)
        try {
          return await model.run(inputs, deadlineAt)
        } catch (err) {
          // The plugin passed a tensor the model cannot take: the plugin's fault, reported as such.
          if (err instanceof ModelInputError)
            throw new PluginError('plugin_failed', [{ path: `models.${assetId}`, message: err.message }])
          throw err
        }
      },
    }
  }
}
