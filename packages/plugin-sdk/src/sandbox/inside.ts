import { createRandom } from '@ensemble/core/plugin/random'
import { type Theory, theory } from '@ensemble/core/plugin/theory'

/*
 * The code that runs INSIDE QuickJS, before and around the plugin's bundle (engine.ts compiles it with
 * esbuild into one script). It builds the plugin's context from core's own random and theory code, so a
 * sandboxed plugin draws the same numbers and snaps to the same scales as a first-party one, and it is the
 * only code that talks to the host: through `HostBindings`, strings and numbers only.
 *
 * Everything the plugin could tamper with (JSON, Object, Promise, prototypes) is captured here before the
 * bundle runs. A plugin that breaks the sandbox's own globals can still only hurt its own run: the host
 * trusts nothing that comes out but one string, which it parses and validates itself.
 */

/** Functions the host hands in. Never reachable from the plugin except through `ctx`. */
export interface HostBindings {
  /** Runs a declared model; resolves with the outputs as JSON, rejects with an Error saying why. */
  runModel(assetId: string, inputsJson: string): Promise<string>
  timeLeftMs(): number
  log(line: string): void
}

export interface SandboxSetup {
  pluginId: string
  seed: number
  capabilities: readonly string[]
  assetIds: readonly string[]
}

/**
 * How the driver reports a failure it caught: a string (never an object the plugin built), marked so the
 * host can tell it from anything else, carrying a JSON description. No NUL in the mark: strings leave
 * QuickJS as C strings.
 */
export const FAILURE_MARK = 'ensemble-sandbox-failure:'

export interface FailureDescription {
  code: 'plugin_threw' | 'bad_bundle' | 'invalid_output'
  name: string
  message: string
  stack: string
}

const json = { stringify: JSON.stringify, parse: JSON.parse }
const freeze = Object.freeze
const stringOf = String
const hasOwn = (o: object, k: string) => Object.hasOwn(o, k)

function safeRead(read: () => unknown): string {
  try {
    const value = read()
    return typeof value === 'string' ? value : value === undefined ? '' : stringOf(value)
  } catch {
    return ''
  }
}

function failure(code: FailureDescription['code'], err: unknown): string {
  let description: FailureDescription
  const e = (err !== null && typeof err === 'object' ? err : {}) as {
    name?: unknown
    message?: unknown
    stack?: unknown
  }
  const message = safeRead(() => e.message)
  if (err === null)
    // What QuickJS throws when it cannot even allocate the "out of memory" error.
    description = { code, name: 'InternalError', message: 'out of memory (thrown as null)', stack: '' }
  else if (message || err instanceof Error)
    description = {
      code,
      name: safeRead(() => e.name) || 'Error',
      message,
      stack: safeRead(() => e.stack),
    }
  // Not an Error: its text only, never its toString or getters, which are the plugin's code.
  else
    description = {
      code,
      name: 'a non-Error value',
      message: typeof err === 'string' || typeof err === 'number' ? stringOf(err) : typeof err,
      stack: '',
    }
  return FAILURE_MARK + json.stringify(description)
}

/**
 * Makes the sandbox reproducible before any plugin code runs: Math.random draws from the run's seed (a
 * stream of its own, so library code that calls it cannot shift `ctx.random`), and the clock reads
 * 1970-01-01T00:00:00Z, so nothing a plugin computes can depend on when it ran.
 */
function harden(seed: number): void {
  Math.random = createRandom(seed, 0x7fffffff)
  const RealDate = Date
  RealDate.now = () => 0
  const FixedDate = new Proxy(RealDate, {
    construct: (target, args, newTarget) =>
      Reflect.construct(target, args.length === 0 ? [0] : args, newTarget) as object,
    apply: () => new RealDate(0).toString(),
  })
  RealDate.prototype.constructor = FixedDate
  globalThis.Date = FixedDate
}

const CONSOLE_LEVELS = ['log', 'info', 'warn', 'error', 'debug'] as const

function installConsole(host: HostBindings): void {
  const console: Record<string, (...args: unknown[]) => void> = {}
  for (const level of CONSOLE_LEVELS)
    console[level] = (...args: unknown[]) => {
      const text = args
        .map((a) => (typeof a === 'string' ? a : safeRead(() => json.stringify(a) ?? stringOf(a))))
        .join(' ')
      host.log(`${level}: ${text}`)
    }
  ;(globalThis as { console?: unknown }).console = freeze(console)
}

function capabilityMissing(pluginId: string, capability: string): Error {
  return new Error(`${pluginId} did not declare the "${capability}" capability`)
}

function buildContext(host: HostBindings, setup: SandboxSetup) {
  const declares = (c: string) => setup.capabilities.includes(c)
  const assetIds = setup.assetIds
  const models = freeze({
    async run(assetId: unknown, inputs: unknown): Promise<unknown> {
      if (!declares('models')) throw capabilityMissing(setup.pluginId, 'models')
      const id = stringOf(assetId)
      if (!assetIds.includes(id)) throw new Error(`${setup.pluginId} declares no asset "${id}"`)
      const payload = json.stringify(inputs)
      if (typeof payload !== 'string')
        throw new TypeError('models.run(assetId, inputs): inputs must be an array of { shape, data }')
      return json.parse(await host.runModel(id, payload))
    },
  })
  const undeclaredTheory = Object.fromEntries(
    Object.keys(theory).map((name) => [
      name,
      () => {
        throw capabilityMissing(setup.pluginId, 'theory')
      },
    ]),
  ) as unknown as Theory
  return freeze({
    models,
    random: createRandom(setup.seed),
    fork: (stream: number) => createRandom(setup.seed, stream + 1),
    theory: freeze(declares('theory') ? { ...theory } : undeclaredTheory),
    timeLeftMs: () => host.timeLeftMs(),
  })
}

interface PluginShape {
  manifest: { id: unknown; version: unknown; kind: unknown }
  suggest: (input: unknown, ctx: unknown) => unknown
}

function pluginOf(namespace: unknown): PluginShape {
  const plugin =
    namespace !== null && typeof namespace === 'object' && hasOwn(namespace, 'default')
      ? (namespace as { default: unknown }).default
      : undefined
  if (plugin === null || typeof plugin !== 'object')
    throw new TypeError('plugin.js has no default export: export default definePlugin({ manifest, suggest })')
  const { manifest, suggest } = plugin as Partial<PluginShape>
  if (manifest === null || typeof manifest !== 'object')
    throw new TypeError("the default export has no manifest: build it with the SDK's definePlugin")
  if (typeof suggest !== 'function') throw new TypeError('the default export has no suggest function')
  return { manifest, suggest }
}

/**
 * The driver the host calls. `prepare` runs before the bundle is evaluated; `identify` and `run` after,
 * with the bundle's module namespace. Failures come back as FAILURE_MARK strings; `run` resolves with the
 * output's JSON text.
 */
export function createDriver(host: HostBindings, setupJson: string) {
  const setup = json.parse(setupJson) as SandboxSetup
  harden(setup.seed)
  installConsole(host)
  return freeze({
    identify(namespace: unknown): string {
      try {
        const { manifest } = pluginOf(namespace)
        return json.stringify({
          id: stringOf(manifest.id),
          version: stringOf(manifest.version),
          kind: stringOf(manifest.kind),
        })
      } catch (err) {
        throw failure('bad_bundle', err)
      }
    },
    async run(namespace: unknown, inputJson: string): Promise<string> {
      let raw: unknown
      try {
        const { suggest } = pluginOf(namespace)
        raw = await suggest(json.parse(inputJson), buildContext(host, setup))
      } catch (err) {
        throw failure('plugin_threw', err)
      }
      let out: unknown
      try {
        out = json.stringify(raw)
      } catch (err) {
        throw failure('invalid_output', err)
      }
      if (typeof out !== 'string')
        throw failure(
          'invalid_output',
          new TypeError(`suggest returned ${typeof raw}; it must return { suggestions: [...] }`),
        )
      return out
    },
  })
}

export type Driver = ReturnType<typeof createDriver>
