import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { copyPublished } from '@ensemble/plugins/first-party'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createInferenceClient } from '../src/client'
import { loadInferenceConfig } from '../src/config'
import { firstPartyPlugins } from '../src/first-party'
import { createLogger } from '../src/log'
import { type RunningInference, startInference } from '../src/server'

/*
 * TFJS_BACKEND=webgpu on the machine at hand: where Dawn finds no GPU adapter (CI, developers' machines) the
 * service says so in one log line and serves on wasm; where it finds one it serves on webgpu and says nothing.
 */

let running: RunningInference
let dataDir: string
let secret: string
const logLines: { level: string; msg: string; reason?: string }[] = []

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-inference-backend-'))
  const modelsDir = path.join(dataDir, 'models')
  copyPublished('drums', modelsDir)
  const config = loadInferenceConfig({
    DATA_DIR: dataDir,
    INFERENCE_PORT: '0',
    TFJS_BACKEND: 'webgpu',
    INFERENCE_SECRET: 'test-inference-secret-0123456789',
    INFERENCE_MAX_DEADLINE_MS: '60000',
  })
  secret = config.secret
  const log = createLogger('info', (line) => logLines.push(JSON.parse(line)))
  running = await startInference(config, log, { plugins: firstPartyPlugins({ modelsDir }) })
}, 60_000)
afterAll(async () => {
  await running?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('TFJS_BACKEND', () => {
  it('starts with webgpu, falling back to wasm with one log line when there is no adapter', async () => {
    const fallbacks = logLines.filter((l) => l.msg.includes('falling back to wasm'))
    if (running.backend === 'webgpu') {
      expect(fallbacks).toEqual([])
    } else {
      expect(running.backend).toBe('wasm')
      expect(fallbacks).toHaveLength(1)
      expect(fallbacks[0]).toMatchObject({ level: 'warn' })
      expect(fallbacks[0]?.reason).toMatch(/adapter|failed to load/)
    }
    const health = await createInferenceClient(running.url, secret).health.query()
    expect(health.backend).toBe(running.backend)
  })

  it('serves a suggestion on the backend it started', async () => {
    const out = await createInferenceClient(running.url, secret).suggest.mutate({
      pluginId: 'studio.ensemble.drums',
      input: {
        song: {
          bpm: 100,
          timeSignature: { numerator: 4, denominator: 4 },
          key: { tonic: 'C', mode: 'major' },
        },
        target: { trackId: 'drums', kind: 'drums', fromTick: 0, toTick: 1920, notes: [] },
        context: [],
        parameters: { style: 'rock', bars: 1 },
        seed: 3,
        variations: 1,
        deadlineMs: 60_000,
      },
    })
    expect(out.suggestions).toHaveLength(1)
    const s = out.suggestions[0]
    expect(s && 'notes' in s ? s.notes.length : 0).toBeGreaterThan(0)
  })

  it('refuses a backend it does not know, naming the variable and the choices', () => {
    expect(() => loadInferenceConfig({ DATA_DIR: dataDir, TFJS_BACKEND: 'cuda' })).toThrow(
      /"wasm"\|"webgpu"\|"cpu"[\s\S]*TFJS_BACKEND/,
    )
  })
})
