import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadInferenceConfig, sharedInferenceSecret } from '../src/config'
import { createLogger } from '../src/log'
import type { InferenceRouter } from '../src/router'
import { type RunningInference, startInference } from '../src/server'

let running: RunningInference
let secret: string

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-inference-'))
  const config = loadInferenceConfig({ DATA_DIR: dataDir, INFERENCE_PORT: '0', TFJS_BACKEND: 'wasm' })
  secret = config.secret
  running = await startInference({ ...config, port: 0 }, createLogger('error'))
})
afterAll(() => running.close())

const client = (bearer: string) =>
  createTRPCClient<InferenceRouter>({
    links: [httpLink({ url: running.url, headers: { authorization: `Bearer ${bearer}` } })],
  })

describe('inference service', () => {
  it('answers health to the web server, on the wasm backend', async () => {
    const health = await client(secret).health.query()
    expect(health.status).toBe('ok')
    expect(health.backend).toBe('wasm')
  })

  it('refuses callers without the shared secret', async () => {
    const err = await client('not-the-secret')
      .health.query()
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TRPCClientError)
    expect((err as TRPCClientError<InferenceRouter>).data?.code).toBe('UNAUTHORIZED')
  })

  it('shares one generated secret between processes through the data folder', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ensemble-secret-'))
    const first = sharedInferenceSecret(dir)
    expect(first.length).toBeGreaterThanOrEqual(32)
    expect(sharedInferenceSecret(dir)).toBe(first)
    expect(sharedInferenceSecret(dir, 'from-the-environment-123')).toBe('from-the-environment-123')
  })
})
