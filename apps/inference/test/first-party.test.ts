import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { SuggestInput } from '@ensemble/core/plugin'
import { copyPublished, isPublished, modelFolder } from '@ensemble/plugins/first-party'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createInferenceClient, type InferenceClient, inferenceFailureReason } from '../src/client'
import { loadInferenceConfig } from '../src/config'
import { firstPartyPlugins } from '../src/first-party'
import { createLogger } from '../src/log'
import { PluginHost } from '../src/plugin-host'
import { type RunningInference, startInference } from '../src/server'
import { initTfjsBackend } from '../src/tfjs-backend'

/*
 * The service with its real first-party list over HTTP, on the committed harmonizer weights (copied to a temp
 * folder so a training run republishing them cannot tear the files mid-test). Continue and drums have no
 * published weights in that folder, so they must be listed as unavailable and refuse to run.
 */

let running: RunningInference
let client: InferenceClient
let modelsDir: string
const BAR = 1920

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex')

function copyHarmonizer(into: string): void {
  copyPublished('harmonizer', into)
  // weights.json is what the ML side's publish step writes; before it has run, record the copy's digests.
  if (!isPublished(into, 'harmonizer')) {
    const folder = modelFolder(into, 'harmonizer')
    const files = Object.fromEntries(
      ['model.json', 'model.weights.bin'].map((f) => [f, { sha256: sha256(path.join(folder, f)) }]),
    )
    writeFileSync(path.join(folder, 'weights.json'), JSON.stringify({ model: 'harmonizer', files }))
  }
}

beforeAll(async () => {
  await initTfjsBackend('wasm')
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-inference-fp-'))
  modelsDir = path.join(dataDir, 'models')
  copyHarmonizer(modelsDir)
  const config = loadInferenceConfig({
    DATA_DIR: dataDir,
    INFERENCE_PORT: '0',
    TFJS_BACKEND: 'wasm',
    INFERENCE_MAX_DEADLINE_MS: '120000',
    INFERENCE_BATCH_WINDOW_MS: '5',
  })
  running = await startInference({ ...config, port: 0 }, createLogger('error'), {
    plugins: firstPartyPlugins({ modelsDir }),
  })
  client = createInferenceClient(running.url, config.secret)
}, 60_000)
afterAll(() => running?.close())

const melody = [64, 65, 67, 69, 67, 65, 64, 62].map((pitch, i) => ({
  pitch,
  start: i * 480,
  duration: 480,
  velocity: 90,
}))

const input = (seed: number): SuggestInput => ({
  song: {
    bpm: 96,
    timeSignature: { numerator: 4, denominator: 4 },
    key: { tonic: 'C', mode: 'major' as const },
  },
  target: { trackId: 'lead', kind: 'instrument', fromTick: 0, toTick: 2 * BAR, notes: melody },
  context: [],
  parameters: {},
  seed,
  variations: 1,
  deadlineMs: 120_000,
})

describe('first-party plugins in the inference service', () => {
  it('lists the five first-party plugins; the ones without published weights are unavailable, with the reason', async () => {
    const list = await client.plugins.list.query()
    const byId = Object.fromEntries(list.map((p) => [p.id, p]))
    expect(Object.keys(byId).sort()).toEqual([
      'studio.ensemble.arranger',
      'studio.ensemble.background',
      'studio.ensemble.continue',
      'studio.ensemble.drums',
      'studio.ensemble.harmonizer',
    ])
    expect(byId['studio.ensemble.harmonizer']).toMatchObject({
      kind: 'harmonizer',
      available: true,
      problems: [],
    })
    expect(byId['studio.ensemble.arranger']).toMatchObject({ kind: 'arranger', available: true })
    for (const id of ['studio.ensemble.continue', 'studio.ensemble.drums', 'studio.ensemble.background']) {
      expect(byId[id]?.available).toBe(false)
      expect(byId[id]?.problems.join('\n')).toMatch(/file missing/)
    }
  })

  it('harmonizes a melody over HTTP, with the weights digest in the provenance', async () => {
    const result = await client.suggest.mutate({ pluginId: 'studio.ensemble.harmonizer', input: input(5) })
    expect(result.suggestions).toHaveLength(1)
    const [harmony] = result.suggestions
    const notes = harmony && 'notes' in harmony ? harmony.notes : []
    expect(notes.length).toBeGreaterThan(4)
    for (const n of notes) {
      expect([0, 2, 4, 5, 7, 9, 11]).toContain(n.pitch % 12)
      expect(n.start + n.duration).toBeLessThanOrEqual(2 * BAR)
    }
    expect(result.provenance.models.map((m) => m.assetId)).toEqual(['harmonizer-melody', 'harmonizer'])
    expect(result.provenance.modelHash).toMatch(/^[0-9a-f]{64}$/)
    const again = await client.suggest.mutate({ pluginId: 'studio.ensemble.harmonizer', input: input(5) })
    expect(again.suggestions).toEqual(result.suggestions)
  })

  it('batches the steps of concurrent harmonizations', async () => {
    await Promise.all(
      [1, 2, 3, 4].map((seed) =>
        client.suggest.mutate({ pluginId: 'studio.ensemble.harmonizer', input: input(seed) }),
      ),
    )
    const health = await client.health.query()
    const step = health.models.find(
      (m) => m.plugin === 'studio.ensemble.harmonizer' && m.asset === 'harmonizer',
    )
    const sizes = Object.keys(step?.batchSizes ?? {}).map(Number)
    expect(Math.max(...sizes)).toBeGreaterThan(1)
  })

  it('refuses to run a plugin whose model is not published', async () => {
    const err = await client.suggest
      .mutate({
        pluginId: 'studio.ensemble.continue',
        input: { ...input(1), target: { ...input(1).target, toTick: 4 * BAR } },
      })
      .catch((e: unknown) => e)
    expect(inferenceFailureReason(err)).toBe('unavailable')
  })

  it('a weights file that does not match its published digest leaves the plugin unavailable', async () => {
    const broken = mkdtempSync(path.join(tmpdir(), 'ensemble-inference-broken-'))
    copyHarmonizer(broken)
    const bin = path.join(modelFolder(broken, 'harmonizer'), 'model.weights.bin')
    const bytes = readFileSync(bin)
    bytes[64] = (bytes[64] ?? 0) ^ 0xff
    writeFileSync(bin, bytes)
    const host = await PluginHost.start(firstPartyPlugins({ modelsDir: broken }), {
      batching: { windowMs: 1, maxBatch: 8 },
      admission: { running: 4, runningPerCaller: 4, inFlight: 4, inFlightPerCaller: 4 },
      maxDeadlineMs: 1000,
      log: createLogger('error'),
      dataDir: broken,
    })
    const harmonizer = host.list().find((p) => p.id === 'studio.ensemble.harmonizer')
    expect(harmonizer?.available).toBe(false)
    expect(harmonizer?.problems.join('\n')).toMatch(/SHA-256/)
    await host.close()
    rmSync(broken, { recursive: true, force: true })
  })
})
