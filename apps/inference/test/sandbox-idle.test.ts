import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { packPlugin } from '@ensemble/plugin-sdk/archive'
import { bundlePlugin } from '@ensemble/plugin-sdk/sandbox'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createInferenceClient } from '../src/client'
import { loadInferenceConfig } from '../src/config'
import { createLogger } from '../src/log'
import { type RunningInference, startInference } from '../src/server'
import { type ArchiveShelf, startArchiveShelf } from './helpers/archive-shelf'
import { manifestFor, windowInput } from './helpers/test-plugins'

/*
 * The sandbox's threads cost memory whether or not a third-party plugin ever runs: the service starts
 * without them, starts them for the first third-party call, stops them once idle, and starts them again
 * for the next call, which is answered as the first was.
 */

const IDLE_RELEASE_MS = 3000
/** Starting the threads again is part of the call: on a loaded CI machine that alone can take seconds. */
const DEADLINE_MS = 60_000
let running: RunningInference
let secret: string
let shelf: ArchiveShelf

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-sandbox-idle-'))
  const source = fileURLToPath(
    new URL('../../../packages/plugin-sdk/src/sandbox/fixtures/scale-walker.ts', import.meta.url),
  )
  const manifest = manifestFor('org.ensemble-tests.scale-walker', {
    name: 'Scale walker',
    parameters: [{ id: 'notes', type: 'int', label: 'Notes', min: 1, max: 64, default: 16, step: 1 }],
    capabilities: ['theory'],
  })
  const archive = await packPlugin({ manifest, bundle: await bundlePlugin(source), assets: {} })
  const config = loadInferenceConfig({
    DATA_DIR: dataDir,
    INFERENCE_PORT: '0',
    TFJS_BACKEND: 'wasm',
    INFERENCE_MAX_DEADLINE_MS: String(DEADLINE_MS),
  })
  secret = config.secret
  shelf = await startArchiveShelf(secret)
  shelf.publish(manifest, archive)
  running = await startInference({ ...config, port: 0, archivesUrl: shelf.url }, createLogger('error'), {
    plugins: [],
    sandbox: { sandboxIdleReleaseMs: IDLE_RELEASE_MS },
  })
})
afterAll(async () => {
  await running?.close()
  await shelf?.close()
})

const client = () => createInferenceClient(running.url, secret)
const suggest = () =>
  client().suggest.mutate({
    pluginId: 'org.ensemble-tests.scale-walker',
    version: '1.0.0',
    input: windowInput({ deadlineMs: DEADLINE_MS }),
  })

describe('sandbox threads', () => {
  it('start with the first third-party call, stop when idle, and start again for the next', async () => {
    expect(running.host.sandboxThreadsStarted).toBe(0)
    // The first call fetches the plugin (helpers/archive-shelf.ts), checks its bundle and runs it.
    const first = await suggest()
    expect(first.suggestions).toHaveLength(1)
    expect(running.host.sandboxThreadsStarted).toBeGreaterThan(0)

    await vi.waitFor(() => expect(running.host.sandboxThreadsStarted).toBe(0), {
      timeout: IDLE_RELEASE_MS + 30_000,
      interval: 200,
    })
    const again = await suggest()
    expect(again.suggestions).toEqual(first.suggestions)
  })
})
