import { PluginError } from './errors'
import type { PluginManifest } from './manifest'
import { createRandom } from './random'
import { type Theory, theory } from './theory'

/**
 * One example for a model, without the batch dimension: the host stacks examples from concurrent runs into
 * one batch and hands each run its own slice back. Plain numbers, so it can cross a sandbox boundary as JSON.
 */
export interface ModelTensor {
  shape: readonly number[]
  data: readonly number[]
}

/** The host's side of `ctx.models`: runs one example through a loaded asset. */
export interface ModelRunner {
  run(assetId: string, inputs: readonly ModelTensor[]): Promise<ModelTensor[]>
}

/**
 * Everything a plugin can reach beyond its input. Deliberately narrow: no file system, network, clock or
 * song access, so the same plugin can later run in a sandbox with nothing else exposed.
 */
export interface PluginContext {
  /** Runs a model the manifest declares as an asset (needs the `models` capability). */
  models: ModelRunner
  /** Uniform floats in [0, 1), seeded from the input's seed. */
  random: () => number
  /**
   * An independent sequence for stream `n` of the same seed. Use one per variation when variations run
   * concurrently, so their interleaving cannot change what each draws.
   */
  fork(stream: number): () => number
  /** Music-theory helpers (needs the `theory` capability). */
  theory: Theory
  /** Milliseconds left before the host gives up on this run; for a generator that refines while time remains. */
  timeLeftMs(): number
}

export interface ContextOptions {
  manifest: PluginManifest
  seed: number
  models?: ModelRunner | undefined
  deadlineAt: number
  now: () => number
}

/** Calls of an undeclared capability fail loudly: what the registry shows must be all a plugin can do. */
function missing(pluginId: string, capability: string): PluginError {
  return new PluginError(
    'capability_missing',
    [{ path: 'capabilities', message: `${pluginId} did not declare the "${capability}" capability` }],
    'capability not declared',
  )
}

export interface RunContext {
  ctx: PluginContext
  /** Ends the run: later model calls from a plugin that outlived its deadline are refused, not queued. */
  close(): void
}

export function createPluginContext(options: ContextOptions): RunContext {
  const { manifest } = options
  let closed = false
  const assetIds = new Set(manifest.assets.map((a) => a.id))
  const declares = (c: string) => (manifest.capabilities as readonly string[]).includes(c)

  const models: ModelRunner = {
    async run(assetId, inputs) {
      if (!declares('models') || !options.models) throw missing(manifest.id, 'models')
      if (!assetIds.has(assetId))
        throw new PluginError(
          'capability_missing',
          [{ path: 'assets', message: `${manifest.id} declares no asset "${assetId}"` }],
          'unknown model',
        )
      if (closed)
        throw new PluginError('deadline_exceeded', [{ path: '', message: 'this run is over' }], 'run ended')
      return options.models.run(assetId, inputs)
    },
  }

  const undeclaredTheory = Object.fromEntries(
    Object.keys(theory).map((name) => [
      name,
      () => {
        throw missing(manifest.id, 'theory')
      },
    ]),
  ) as unknown as Theory

  const ctx: PluginContext = {
    models,
    random: createRandom(options.seed),
    fork: (stream) => createRandom(options.seed, stream + 1),
    theory: declares('theory') ? theory : undeclaredTheory,
    timeLeftMs: () => Math.max(0, options.deadlineAt - options.now()),
  }
  return {
    ctx: Object.freeze(ctx),
    close: () => {
      closed = true
    },
  }
}
