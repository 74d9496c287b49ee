import { fileURLToPath } from 'node:url'
import {
  type ModelTensor,
  PluginError,
  type PluginManifest,
  parseManifest,
  runPlugin,
  type SuggestInput,
  type SuggestOutput,
} from '@ensemble/core/plugin'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  bundlePlugin,
  checkBundle,
  runInSandbox,
  SandboxError,
  type SandboxErrorCode,
  type SandboxRunOptions,
} from '.'
import scaleWalker from './fixtures/scale-walker'

/*
 * Hostile plugins, each written the way an attacker would ship it (one ES-module file whose default export
 * looks like a plugin), each contained with an error its author can act on, and after each one the
 * well-behaved plugin still runs and still matches what it computes natively.
 */

const input = (overrides: Partial<SuggestInput> = {}): SuggestInput => ({
  song: { bpm: 120, timeSignature: { numerator: 4, denominator: 4 }, key: { tonic: 'D', mode: 'dorian' } },
  target: {
    trackId: 'lead',
    kind: 'instrument',
    fromTick: 1920,
    toTick: 1920 + 4 * 1920,
    notes: [{ pitch: 64, start: 0, duration: 480, velocity: 90 }],
  },
  context: [],
  parameters: {},
  seed: 42,
  variations: 3,
  deadlineMs: 5000,
  ...overrides,
})

const HOSTILE_ID = 'org.ensemble-tests.hostile'

function manifestFor(overrides: Partial<PluginManifest> = {}): PluginManifest {
  return parseManifest({
    id: HOSTILE_ID,
    name: 'Hostile',
    version: '1.0.0',
    hostApi: '^1.0.0',
    kind: 'generator',
    description: 'Misbehaves on purpose.',
    author: 'Ensemble tests',
    licence: 'MIT',
    trackKinds: ['instrument'],
    parameters: [],
    assets: [],
    capabilities: ['theory'],
    ...overrides,
  })
}

/** A bundle as an attacker writes it: no SDK, just an object that claims to be the manifest's plugin. */
function hostileBundle(suggest: string, claims: Partial<Record<'id' | 'version' | 'kind', string>> = {}) {
  const manifest = { id: HOSTILE_ID, version: '1.0.0', kind: 'generator', ...claims }
  return `const manifest = ${JSON.stringify(manifest)}\nexport default { manifest, suggest: ${suggest} }\n`
}

let walkerBundle: string
let walkerNative: SuggestOutput

beforeAll(async () => {
  walkerBundle = await bundlePlugin(fileURLToPath(new URL('./fixtures/scale-walker.ts', import.meta.url)))
  walkerNative = await runPlugin(scaleWalker, input())
})

const runWalker = (overrides: Partial<SandboxRunOptions> = {}) =>
  runInSandbox({ bundle: walkerBundle, manifest: scaleWalker.manifest, input: input(), ...overrides })

async function failure(options: Partial<SandboxRunOptions> & { bundle: string }): Promise<SandboxError> {
  const err = await runInSandbox({ manifest: manifestFor(), input: input(), ...options }).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(SandboxError)
  return err as SandboxError
}

/** The contained failure, then proof that the next plugin in the same process is unharmed. */
async function expectContained(
  options: Partial<SandboxRunOptions> & { bundle: string },
  code: SandboxErrorCode,
  message: RegExp,
): Promise<SandboxError> {
  const err = await failure(options)
  expect({ code: err.code, message: err.message }).toEqual({ code, message: expect.stringMatching(message) })
  expect(await runWalker()).toEqual(walkerNative)
  return err
}

describe('a well-behaved plugin in the sandbox', () => {
  it('returns exactly what it returns natively, using core theory and seeded random', async () => {
    const out = await runWalker()
    expect(out.suggestions).toHaveLength(3)
    expect(out).toEqual(walkerNative)
  })

  it('is reproducible by seed, and another seed gives other notes', async () => {
    const again = await runWalker()
    const other = await runWalker({ input: input({ seed: 43 }) })
    expect(again).toEqual(walkerNative)
    expect(other).not.toEqual(walkerNative)
  })

  it('sees a fixed clock and a seeded Math.random, so nothing depends on when it ran', async () => {
    const bundle = hostileBundle(
      `(input) => ({ suggestions: [{ label: [Date.now(), new Date().getTime(), typeof Date(), Math.random().toFixed(6)].join(' '), notes: [] }] })`,
    )
    const first = await runInSandbox({ bundle, manifest: manifestFor(), input: input() })
    const second = await runInSandbox({ bundle, manifest: manifestFor(), input: input() })
    expect(first.suggestions[0]!.label).toMatch(/^0 0 string 0\.\d{6}$/)
    expect(second).toEqual(first)
  })

  it('refuses a bad input before any plugin code runs, as the contract does', async () => {
    const err = await runInSandbox({
      bundle: hostileBundle(`() => { throw new Error('must not run') }`),
      manifest: manifestFor(),
      input: input({
        target: { trackId: 'beat', kind: 'drums', fromTick: 0, toTick: 1920, notes: [] },
        seed: -1,
      }),
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PluginError)
    expect((err as PluginError).code).toBe('invalid_input')
    expect((err as PluginError).issues.map((i) => i.path)).toEqual(['seed'])
  })

  it('passes console lines to the host, bounded', async () => {
    const lines: string[] = []
    await runInSandbox({
      bundle: hostileBundle(
        `() => { console.log('hello', { a: 1 }); console.warn('careful'); return { suggestions: [] } }`,
      ),
      manifest: manifestFor(),
      input: input(),
      onLog: (line) => lines.push(line),
    })
    expect(lines).toEqual(['log: hello {"a":1}', 'warn: careful'])
  })
})

describe('hostile plugins are contained', () => {
  it('an endless loop is stopped at the deadline', async () => {
    await expectContained(
      { bundle: hostileBundle('() => { for (;;) {} }'), limits: { deadlineMs: 300 } },
      'timeout',
      /ran past its 300 ms deadline/,
    )
  })

  it('an endless loop in the bundle top level is stopped too', async () => {
    await expectContained(
      { bundle: `for (;;) {}\nexport default {}`, limits: { deadlineMs: 300 } },
      'timeout',
      /deadline/,
    )
  })

  it('a memory bomb hits the memory limit', async () => {
    await expectContained(
      {
        bundle: hostileBundle(
          '() => { const keep = []; for (let i = 0; ; i++) keep.push({ i, list: [i, i + 1] }) }',
        ),
        // A long deadline: near its limit QuickJS collects garbage on every allocation, which is slow here.
        limits: { memoryBytes: 16 * 1024 * 1024, deadlineMs: 120_000 },
        input: input({ deadlineMs: 120_000 }),
      },
      'memory',
      /more than the sandbox's 16 MiB memory limit/,
    )
  })

  it('a string that doubles forever hits the memory limit', async () => {
    await expectContained(
      { bundle: hostileBundle(`() => { let s = 'x'; for (;;) s += s }`) },
      'memory',
      /memory limit/,
    )
  })

  it('endless recursion hits the stack limit', async () => {
    await expectContained(
      { bundle: hostileBundle('function deep(n) { return deep(n + 1) + 1 }') },
      'stack',
      /recursed deeper than the sandbox's 192 KiB stack.*at deep/,
    )
  })

  it('a huge output is refused before it is copied out', async () => {
    const err = await expectContained(
      {
        bundle: hostileBundle(
          `() => ({ suggestions: [{ label: 'big', notes: Array.from({ length: 200000 }, (_, i) => ({ pitch: 60, start: i, duration: 1, velocity: 90 })) }] })`,
        ),
        limits: { maxOutputBytes: 1024 * 1024 },
      },
      'output_too_large',
      /more than 1 MiB of JSON/,
    )
    expect(err.issues).toEqual([])
  })

  it('wrong output types are refused with every problem listed', async () => {
    const err = await expectContained(
      {
        bundle: hostileBundle(
          `() => ({ suggestions: [{ label: 'x', notes: [{ pitch: '64', start: -1, duration: 1.5, velocity: 900 }] }] })`,
        ),
      },
      'invalid_output',
      /invalid plugin output/,
    )
    expect(err.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'suggestions[0].notes[0].pitch',
        'suggestions[0].notes[0].start',
        'suggestions[0].notes[0].duration',
        'suggestions[0].notes[0].velocity',
      ]),
    )
  })

  it('output that is not JSON, or nothing at all, is refused', async () => {
    await expectContained(
      { bundle: hostileBundle('() => ({ suggestions: [], big: 10n })') },
      'invalid_output',
      /output is not JSON.*BigInt/i,
    )
    await expectContained(
      { bundle: hostileBundle('() => { const o = { suggestions: [] }; o.self = o; return o }') },
      'invalid_output',
      /not JSON/,
    )
    await expectContained(
      { bundle: hostileBundle('() => undefined') },
      'invalid_output',
      /suggest returned undefined; it must return \{ suggestions/,
    )
  })

  it('process, require, fetch, timers and the host are simply not there', async () => {
    const probe = `() => {
      const names = ['process', 'require', 'module', 'fetch', 'XMLHttpRequest', 'WebSocket', 'setTimeout',
        'setInterval', 'setImmediate', 'queueMicrotask', 'Buffer', 'std', 'os', 'Deno', 'Bun', '__filename', 'performance']
      const reached = names.filter((n) => typeof globalThis[n] !== 'undefined')
      const viaFunction = globalThis.constructor.constructor('return typeof process + typeof require')()
      const viaEval = (0, eval)('typeof fetch')
      const globals = Object.getOwnPropertyNames(globalThis).filter((n) => n.startsWith('__') || n === 'host')
      return { suggestions: [{ label: [reached.join('+') || 'none', viaFunction, viaEval, globals.join('+') || 'none'].join(' '), notes: [] }] }
    }`
    const out = await runInSandbox({ bundle: hostileBundle(probe), manifest: manifestFor(), input: input() })
    expect(out.suggestions[0]!.label).toBe('none undefinedundefined undefined none')
  })

  it('the Function-constructor escape finds no process', async () => {
    await expectContained(
      { bundle: hostileBundle(`() => globalThis.constructor.constructor('return process')().exit(1)`) },
      'plugin_threw',
      /threw ReferenceError: 'process' is not defined/,
    )
    await expectContained(
      { bundle: hostileBundle(`(input, ctx) => ctx.random.constructor('return require')()('fs')`) },
      'plugin_threw',
      /'require' is not defined/,
    )
  })

  it('imports are refused, static or dynamic', async () => {
    await expectContained(
      { bundle: `import fs from 'node:fs'\nexport default { manifest: {}, suggest() {} }` },
      'bad_bundle',
      /plugin.js imports a module.*self-contained/,
    )
    await expectContained(
      {
        bundle: hostileBundle(
          `async () => { await import('node:child_process'); return { suggestions: [] } }`,
        ),
      },
      'plugin_threw',
      /could not load module/,
    )
  })

  it('prototype pollution stays inside its own context', async () => {
    const polluter = hostileBundle(`() => {
      Object.prototype.polluted = 'yes'
      Array.prototype.map = () => { throw new Error('hijacked') }
      JSON.stringify = () => '{"suggestions":[{"label":"forged","notes":[]}]}'
      return { suggestions: [] }
    }`)
    const out = await runInSandbox({ bundle: polluter, manifest: manifestFor(), input: input() })
    expect(out).toEqual({ suggestions: [] })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect([1, 2].map((x) => x * 2)).toEqual([2, 4])
    // A fresh context for the next call: nothing the polluter did is visible to it.
    expect(await runWalker()).toEqual(walkerNative)
  })

  it('__proto__ keys in the output neither pollute the host nor pass validation', async () => {
    const err = await expectContained(
      {
        bundle: hostileBundle(
          `() => JSON.parse('{"suggestions":[],"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}')`,
        ),
      },
      'invalid_output',
      /invalid plugin output/,
    )
    expect(err.message).toMatch(/__proto__/)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
  })

  it('a bundle whose manifest lies about its kind is refused before suggest runs', async () => {
    await expectContained(
      {
        bundle: hostileBundle(`() => { throw new Error('must not run') }`, { kind: 'arranger' }),
      },
      'bad_bundle',
      /plugin.js defines org.ensemble-tests.hostile@1.0.0 \(arranger\) but manifest.json declares org.ensemble-tests.hostile@1.0.0 \(generator\)/,
    )
    await expectContained(
      { bundle: hostileBundle('() => ({ suggestions: [] })', { id: 'org.example.other' }) },
      'bad_bundle',
      /org.example.other@1.0.0/,
    )
  })

  it('checkBundle refuses the liar up front and accepts the honest plugin', async () => {
    const err = await checkBundle({
      bundle: hostileBundle('() => ({ suggestions: [] })', { kind: 'harmonizer' }),
      manifest: manifestFor(),
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SandboxError)
    expect((err as SandboxError).code).toBe('bad_bundle')
    await expect(
      checkBundle({ bundle: walkerBundle, manifest: scaleWalker.manifest }),
    ).resolves.toBeUndefined()
  })

  it('a bundle without a plugin, or that does not parse, is a bad bundle', async () => {
    await expectContained({ bundle: 'export const x = 1' }, 'bad_bundle', /no default export/)
    await expectContained({ bundle: 'export default {' }, 'bad_bundle', /does not parse: SyntaxError/)
  })

  it('a plugin that throws gets its own message and where it threw', async () => {
    await expectContained(
      { bundle: hostileBundle(`function suggest() { throw new TypeError('no chords here') }`) },
      'plugin_threw',
      /org.ensemble-tests.hostile@1.0.0 threw TypeError: no chords here \(at suggest \(plugin.js:2/,
    )
    await expectContained(
      { bundle: hostileBundle(`() => { throw { toString() { for (;;) {} } } }`) },
      'plugin_threw',
      /threw a non-Error value: object/,
    )
    await expectContained(
      { bundle: hostileBundle(`async () => { throw 'out of ideas' }`) },
      'plugin_threw',
      /threw a non-Error value: out of ideas/,
    )
    await expectContained(
      { bundle: `throw new Error('broken at load')\nexport default {}` },
      'plugin_threw',
      /plugin.js threw while loading: Error: broken at load/,
    )
  })

  it('a promise that never resolves is reported at once, not at the deadline', async () => {
    await expectContained(
      { bundle: hostileBundle('() => new Promise(() => {})'), limits: { deadlineMs: 60_000 } },
      'timeout',
      /returned a promise that can never settle/,
    )
  })

  it('an undeclared capability fails that call only', async () => {
    await expectContained(
      {
        bundle: hostileBundle(
          `(input, ctx) => ({ suggestions: [{ label: String(ctx.theory.snapToScale(61, input.song.key)), notes: [] }] })`,
        ),
        manifest: manifestFor({ capabilities: [] }),
      },
      'plugin_threw',
      /did not declare the "theory" capability/,
    )
  })
})

describe('models and cancellation', () => {
  const SHA = 'c'.repeat(64)
  const modelManifest = manifestFor({
    capabilities: ['models'],
    assets: [
      {
        id: 'scorer',
        format: 'tfjs-layers',
        path: 'scorer/model.json',
        sha256: SHA,
        weights: [{ path: 'scorer.weights.bin', sha256: SHA }],
      },
    ],
  })
  /** A host that computes: the sum of each input, so the plugin's answer depends on what crossed. */
  const summingHost = (calls: string[]) => ({
    async runModel(assetId: string, inputs: ModelTensor[]): Promise<ModelTensor[]> {
      calls.push(assetId)
      return [{ shape: [1], data: [inputs[0]!.data.reduce((a, b) => a + b, 0)] }]
    },
  })

  it('reaches a declared model through the host, as JSON both ways', async () => {
    const calls: string[] = []
    const out = await runInSandbox({
      bundle: hostileBundle(`async (input, ctx) => {
        const [a] = await ctx.models.run('scorer', [{ shape: [3], data: [1, 2, 3.5] }])
        const [b] = await ctx.models.run('scorer', [{ shape: [1], data: [a.data[0]] }])
        return { suggestions: [{ label: 'sum ' + b.data[0], notes: [] }] }
      }`),
      manifest: modelManifest,
      input: input(),
      host: summingHost(calls),
    })
    expect(out.suggestions[0]!.label).toBe('sum 6.5')
    expect(calls).toEqual(['scorer', 'scorer'])
  })

  it('refuses undeclared assets and malformed tensors without calling the host', async () => {
    const calls: string[] = []
    await expectContained(
      {
        bundle: hostileBundle(`(input, ctx) => ctx.models.run('secret-model', [{ shape: [1], data: [1] }])`),
        manifest: modelManifest,
        host: summingHost(calls),
      },
      'plugin_threw',
      /declares no asset "secret-model"/,
    )
    await expectContained(
      {
        bundle: hostileBundle(`(input, ctx) => ctx.models.run('scorer', [{ shape: [-1], data: 'lots' }])`),
        manifest: modelManifest,
        host: summingHost(calls),
      },
      'plugin_threw',
      /inputs must be 1–16 \{ shape, data \} tensors/,
    )
    expect(calls).toEqual([])
  })

  it('an abort stops a plugin spinning on the CPU and one waiting on a model', async () => {
    // The plugin's console line reaches the host while it runs, so the abort lands mid-loop.
    const spinning = new AbortController()
    await expectContained(
      {
        bundle: hostileBundle(`() => { console.log('spinning'); for (;;) {} }`),
        signal: spinning.signal,
        onLog: () => spinning.abort(new Error('version yanked')),
      },
      'aborted',
      /was stopped by the host: version yanked/,
    )

    const waiting = new AbortController()
    const stalledHost = {
      runModel: () => {
        setTimeout(() => waiting.abort(new Error('version yanked')), 10)
        return new Promise<ModelTensor[]>(() => {})
      },
    }
    await expectContained(
      {
        bundle: hostileBundle(`(input, ctx) => ctx.models.run('scorer', [{ shape: [1], data: [1] }])`),
        manifest: modelManifest,
        host: stalledHost,
        signal: waiting.signal,
      },
      'aborted',
      /version yanked/,
    )
  })

  it('a model that never answers runs into the deadline', async () => {
    await expectContained(
      {
        bundle: hostileBundle(`(input, ctx) => ctx.models.run('scorer', [{ shape: [1], data: [1] }])`),
        manifest: modelManifest,
        host: { runModel: () => new Promise<ModelTensor[]>(() => {}) },
        limits: { deadlineMs: 200 },
      },
      'timeout',
      /deadline/,
    )
  })
})
