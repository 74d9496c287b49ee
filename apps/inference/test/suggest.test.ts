import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { PluginAsset } from '@ensemble/core/plugin'
import { TRPCClientError } from '@trpc/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createInferenceClient, type InferenceRouter, inferenceFailureReason } from '../src/client'
import { loadInferenceConfig } from '../src/config'
import { createLogger } from '../src/log'
import { type RunningInference, startInference } from '../src/server'
import { initTfjsBackend } from '../src/tfjs-backend'
import { affineRuntime, saveDenseModel, saveFunctionalModel } from './helpers/dense-model'
import { densePlugin, slowPlugin, throwingPlugin, windowInput } from './helpers/test-plugins'

/*
 * The inference service over real HTTP, with a real tfjs model on the wasm backend. The batching window is
 * wider than in production (40 ms, not 5) so that concurrent requests on a busy CI machine still meet.
 */

let running: RunningInference
let secret: string
const logLines: Record<string, unknown>[] = []
const MAX_PENDING = 10
const MAX_DEADLINE_MS = 800

beforeAll(async () => {
  // Building the test model needs a backend before the service picks its own (the same wasm one).
  await initTfjsBackend('wasm')
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-inference-'))
  const assets = path.join(dataDir, 'assets')
  const dense = await saveDenseModel(assets, 'dense')
  // The same model, but the manifest pins a digest the weights do not have.
  const tampered: PluginAsset = await saveDenseModel(assets, 'tampered')
  tampered.weights = [{ path: 'model.weights.bin', sha256: '0'.repeat(64) }]
  // The same model, with its weights file gone: declared, not trained yet.
  const untrained = await saveDenseModel(assets, 'untrained')
  rmSync(path.join(assets, 'untrained', 'model.weights.bin'))

  const functional = await saveFunctionalModel(assets)

  const config = loadInferenceConfig({
    DATA_DIR: dataDir,
    INFERENCE_PORT: '0',
    TFJS_BACKEND: 'wasm',
    INFERENCE_MAX_PENDING: String(MAX_PENDING),
    INFERENCE_MAX_DEADLINE_MS: String(MAX_DEADLINE_MS),
    INFERENCE_BATCH_WINDOW_MS: '40',
    INFERENCE_BATCH_MAX: '8',
  })
  secret = config.secret
  const log = createLogger('info', (line) => {
    logLines.push(JSON.parse(line))
  })
  running = await startInference(config, log, {
    plugins: [
      { plugin: densePlugin(dense), assetRoot: assets },
      { plugin: densePlugin(dense, 'org.ensemble-tests.dense', '1.1.0'), assetRoot: assets },
      { plugin: densePlugin(tampered, 'org.ensemble-tests.tampered'), assetRoot: assets },
      { plugin: densePlugin(untrained, 'org.ensemble-tests.untrained'), assetRoot: assets },
      {
        plugin: densePlugin(functional, 'org.ensemble-tests.functional'),
        assetRoot: assets,
        runtimes: { dense: affineRuntime },
      },
      { plugin: densePlugin(functional, 'org.ensemble-tests.no-runtime'), assetRoot: assets },
      { plugin: slowPlugin },
      { plugin: throwingPlugin },
    ],
  })
})
afterAll(() => running.close())

const client = () => createInferenceClient(running.url, secret)

async function failure(call: Promise<unknown>): Promise<TRPCClientError<InferenceRouter>> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(TRPCClientError)
  return err as TRPCClientError<InferenceRouter>
}

const denseStats = async () => {
  const health = await client().health.query()
  const stats = health.models.find((m) => m.plugin === 'org.ensemble-tests.dense' && m.version === '1.1.0')
  return stats!
}

describe('catalogue', () => {
  it("loads a plugin's models on its first call, not at start, and answers that call", async () => {
    const loaded = async () =>
      (await client().health.query()).models.filter((m) => m.plugin === 'org.ensemble-tests.functional')
    expect(await loaded()).toEqual([])
    const out = await client().suggest.mutate({
      pluginId: 'org.ensemble-tests.functional',
      input: windowInput({ deadlineMs: MAX_DEADLINE_MS }),
    })
    expect(out.suggestions).toHaveLength(1)
    expect((await loaded()).map((m) => m.asset)).toEqual(['dense'])
  })

  it('lists only plugins whose assets are present and match their digests as available', async () => {
    const list = await client().plugins.list.query()
    const byKey = new Map(list.map((p) => [`${p.id}@${p.version}`, p]))
    expect(byKey.get('org.ensemble-tests.dense@1.1.0')?.available).toBe(true)
    expect(byKey.get('org.ensemble-tests.slow@1.0.0')?.available).toBe(true)
    const tampered = byKey.get('org.ensemble-tests.tampered@1.0.0')!
    expect(tampered.available).toBe(false)
    expect(tampered.problems.join()).toMatch(
      /asset dense: model\.weights\.bin: SHA-256 is [0-9a-f]{64}, the manifest pins 0{64}/,
    )
    const untrained = byKey.get('org.ensemble-tests.untrained@1.0.0')!
    expect(untrained.available).toBe(false)
    expect(untrained.problems.join()).toMatch(/model\.weights\.bin: file missing/)
  })

  it('runs a first-party style functional model through the runtime its plugin registers', async () => {
    const list = await client().plugins.list.query()
    expect(list.find((p) => p.id === 'org.ensemble-tests.functional')?.available).toBe(true)
    const orphan = list.find((p) => p.id === 'org.ensemble-tests.no-runtime')!
    expect(orphan.available).toBe(false)
    expect(orphan.problems.join()).toMatch(/tfjs-functional asset needs a runtime/)
    const result = await client().suggest.mutate({
      pluginId: 'org.ensemble-tests.functional',
      input: windowInput(),
    })
    expect(result.suggestions).toHaveLength(1)
    expect(result.provenance.modelHash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('describes a plugin by id and version range, newest match first', async () => {
    const latest = await client().plugins.describe.query({ id: 'org.ensemble-tests.dense' })
    expect(latest.manifest.version).toBe('1.1.0')
    expect(latest.manifest.parameters[0]).toMatchObject({ id: 'notes', type: 'int', default: 8 })
    const pinned = await client().plugins.describe.query({
      id: 'org.ensemble-tests.dense',
      version: '~1.0.0',
    })
    expect(pinned.manifest.version).toBe('1.0.0')
    const missing = await failure(client().plugins.describe.query({ id: 'org.nobody.nothing' }))
    expect(missing.data?.code).toBe('NOT_FOUND')
  })

  it('refuses a plugin whose weights fail verification when asked to suggest', async () => {
    const err = await failure(
      client().suggest.mutate({ pluginId: 'org.ensemble-tests.tampered', input: windowInput() }),
    )
    expect(err.data?.code).toBe('PRECONDITION_FAILED')
    expect(err.data?.reason).toBe('unavailable')
    expect(err.message).toMatch(/org\.ensemble-tests\.tampered@1\.0\.0 is not available: asset dense/)
  })
})

describe('suggest', () => {
  it('returns suggestions with their provenance', async () => {
    const result = await client().suggest.mutate({
      pluginId: 'org.ensemble-tests.dense',
      version: '^1.0.0',
      input: windowInput({ variations: 2, parameters: { notes: 4 } }),
    })
    expect(result.suggestions).toHaveLength(2)
    const first = result.suggestions[0]!
    expect('notes' in first && first.notes).toHaveLength(4)
    expect(result.provenance).toMatchObject({
      pluginId: 'org.ensemble-tests.dense',
      version: '1.1.0',
      seed: 7,
    })
    expect(result.provenance.modelHash).toMatch(/^[0-9a-f]{64}$/)
    expect(result.provenance.models).toEqual([{ assetId: 'dense', sha256: result.provenance.modelHash }])
    expect(result.provenance.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('is reproducible: the same input and seed give the same suggestions; another seed does not', async () => {
    const ask = (seed: number) =>
      client().suggest.mutate({
        pluginId: 'org.ensemble-tests.dense',
        input: windowInput({ seed, variations: 3 }),
      })
    const [a, b, c] = await Promise.all([ask(11), ask(11), ask(12)])
    expect(b.suggestions).toEqual(a.suggestions)
    expect(c.suggestions).not.toEqual(a.suggestions)
  })

  it('batches concurrent requests for one model into fewer executions, with the same results', async () => {
    const inputs = Array.from({ length: 8 }, (_, i) => windowInput({ seed: 100 + i }))
    const ask = (input: ReturnType<typeof windowInput>) =>
      client().suggest.mutate({ pluginId: 'org.ensemble-tests.dense', input })
    const before = await denseStats()
    const oneByOne = []
    for (const input of inputs) oneByOne.push(await ask(input))
    const middle = await denseStats()
    expect(middle.executions - before.executions).toBe(8)

    const together = await Promise.all(inputs.map(ask))
    const after = await denseStats()
    const executions = after.executions - middle.executions
    expect(after.examples - middle.examples).toBe(8)
    expect(executions).toBeLessThan(8)
    expect(Object.keys(after.batchSizes).some((size) => Number(size) > 1)).toBe(true)
    expect(together.map((r) => r.suggestions)).toEqual(oneByOne.map((r) => r.suggestions))
  })

  it('gives a clear error for a bad request, naming the field', async () => {
    const bad = windowInput()
    bad.target.notes[0]!.pitch = 200
    const err = await failure(client().suggest.mutate({ pluginId: 'org.ensemble-tests.dense', input: bad }))
    expect(err.data?.code).toBe('BAD_REQUEST')
    expect(err.data?.reason).toBe('invalid_request')
    expect(err.message).toMatch(/invalid request: input\.target\.notes\[0\]\.pitch: /)

    const params = await failure(
      client().suggest.mutate({
        pluginId: 'org.ensemble-tests.dense',
        input: windowInput({ parameters: { notes: 99 } }),
      }),
    )
    expect(params.data?.code).toBe('BAD_REQUEST')
    expect(params.data?.reason).toBe('invalid_parameters')
    expect(params.message).toMatch(/parameters\.notes: 99 is outside 1\.\.16/)

    const unknown = await failure(
      client().suggest.mutate({ pluginId: 'org.nobody.nothing', input: windowInput() }),
    )
    expect(unknown.data?.code).toBe('NOT_FOUND')
  })

  it('answers TIMEOUT when the plugin passes the request deadline', async () => {
    const started = Date.now()
    const err = await failure(
      client().suggest.mutate({
        pluginId: 'org.ensemble-tests.slow',
        input: windowInput({ deadlineMs: 100, parameters: { holdMs: 3000 } }),
      }),
    )
    expect(err.data?.code).toBe('TIMEOUT')
    expect(err.data?.reason).toBe('deadline_exceeded')
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('caps a generous request deadline at the server maximum', async () => {
    const started = Date.now()
    const err = await failure(
      client().suggest.mutate({
        pluginId: 'org.ensemble-tests.slow',
        input: windowInput({ deadlineMs: 60_000, parameters: { holdMs: 5000 } }),
      }),
    )
    expect(err.data?.code).toBe('TIMEOUT')
    expect(Date.now() - started).toBeGreaterThanOrEqual(MAX_DEADLINE_MS - 50)
    expect(Date.now() - started).toBeLessThan(4000)
  })

  it('answers busy beyond the bounded number of calls in flight, then serves again', async () => {
    const calls = Array.from({ length: MAX_PENDING + 4 }, () =>
      client()
        .suggest.mutate({
          pluginId: 'org.ensemble-tests.slow',
          input: windowInput({ parameters: { holdMs: 400 } }),
        })
        .then(
          () => 'ok',
          (e: unknown) => (e as TRPCClientError<InferenceRouter>).data?.code,
        ),
    )
    const outcomes = await Promise.all(calls)
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(MAX_PENDING)
    expect(outcomes.filter((o) => o === 'TOO_MANY_REQUESTS')).toHaveLength(4)
    const again = await client().suggest.mutate({
      pluginId: 'org.ensemble-tests.slow',
      input: windowInput({ parameters: { holdMs: 0 } }),
    })
    expect(again.suggestions).toEqual([])
    expect((await client().health.query()).inFlight).toBe(0)
  })

  it('isolates a plugin that throws: that call fails clearly, the others are served', async () => {
    const [broken, fine] = await Promise.allSettled([
      client().suggest.mutate({ pluginId: 'org.ensemble-tests.broken', input: windowInput() }),
      client().suggest.mutate({ pluginId: 'org.ensemble-tests.dense', input: windowInput() }),
    ])
    expect(broken.status).toBe('rejected')
    const err = (broken as PromiseRejectedResult).reason as TRPCClientError<InferenceRouter>
    expect(err.data?.code).toBe('INTERNAL_SERVER_ERROR')
    expect(inferenceFailureReason(err)).toBe('plugin_failed')
    expect(err.message).toMatch(/org\.ensemble-tests\.broken failed: the model fell over/)
    expect(fine.status).toBe('fulfilled')
    expect((await client().health.query()).status).toBe('ok')
  })

  it('writes one structured log line per suggest', async () => {
    await client().suggest.mutate({ pluginId: 'org.ensemble-tests.dense', input: windowInput({ seed: 999 }) })
    const line = logLines.find((l) => l.msg === 'suggest' && l.seed === 999)
    expect(line).toMatchObject({
      level: 'info',
      svc: 'inference',
      plugin: 'org.ensemble-tests.dense',
      version: '1.1.0',
      outcome: 'ok',
    })
    expect(typeof line?.durationMs).toBe('number')
    expect(logLines.some((l) => l.msg === 'suggest' && l.outcome === 'busy')).toBe(true)
    expect(logLines.some((l) => l.msg === 'suggest' && l.outcome === 'deadline_exceeded')).toBe(true)
  })

  it('refuses every procedure to a caller without the secret', async () => {
    const stranger = createInferenceClient(running.url, 'x'.repeat(secret.length))
    const errors = await Promise.all([
      failure(stranger.plugins.list.query()),
      failure(stranger.plugins.describe.query({ id: 'org.ensemble-tests.dense' })),
      failure(stranger.suggest.mutate({ pluginId: 'org.ensemble-tests.dense', input: windowInput() })),
    ])
    for (const err of errors) expect(err.data?.code).toBe('UNAUTHORIZED')
  })
})
