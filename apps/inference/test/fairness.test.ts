import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { packPlugin } from '@ensemble/plugin-sdk/archive'
import { bundlePlugin } from '@ensemble/plugin-sdk/sandbox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createInferenceClient, inferenceFailureReason } from '../src/client'
import { loadInferenceConfig } from '../src/config'
import { createLogger } from '../src/log'
import { type RunningInference, startInference } from '../src/server'
import { type ArchiveShelf, startArchiveShelf } from './helpers/archive-shelf'
import { manifestFor, slowPlugin, windowInput } from './helpers/test-plugins'

/*
 * Fair shares through the real service over HTTP: a user with more calls than their share neither
 * refuses nor delays another user's call, and a publisher whose plugins spin on the sandbox threads
 * leaves a thread to everyone else. Two calls running at once in all, two per user, four in flight per
 * user; two sandbox threads.
 */

let running: RunningInference
let shelf: ArchiveShelf
let secret: string

const client = () => createInferenceClient(running.url, secret)
const callerOf = (userId: string, publisher?: string) => ({
  userId,
  projectId: `project-of-${userId}`,
  ...(publisher ? { publisher } : {}),
})

/** A plugin that spins until the sandbox stops it: at its deadline, or when it is yanked. */
async function publishSpinner(id: string): Promise<void> {
  const manifest = manifestFor(id)
  const bundle = `const manifest = ${JSON.stringify({ id, version: '1.0.0', kind: 'generator' })}\nexport default { manifest, suggest: () => { for (;;) {} } }\n`
  shelf.publish(manifest, await packPlugin({ manifest, bundle, assets: {} }))
}

const WALKER = 'org.ensemble-tests.scale-walker'

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-fairness-'))
  const config = loadInferenceConfig({
    DATA_DIR: dataDir,
    INFERENCE_PORT: '0',
    TFJS_BACKEND: 'wasm',
    INFERENCE_MAX_RUNNING: '2',
    INFERENCE_MAX_RUNNING_PER_USER: '2',
    INFERENCE_MAX_PENDING_PER_USER: '4',
    INFERENCE_SANDBOX_THREADS: '2',
  })
  secret = config.secret
  shelf = await startArchiveShelf(secret)
  running = await startInference({ ...config, port: 0, archivesUrl: shelf.url }, createLogger('error'), {
    plugins: [{ plugin: slowPlugin }],
  })
  const walker = manifestFor(WALKER, {
    parameters: [{ id: 'notes', type: 'int', label: 'Notes', min: 1, max: 64, default: 16, step: 1 }],
    capabilities: ['theory'],
  })
  const walkerSource = fileURLToPath(
    new URL('../../../packages/plugin-sdk/src/sandbox/fixtures/scale-walker.ts', import.meta.url),
  )
  const archive = await packPlugin({ manifest: walker, bundle: await bundlePlugin(walkerSource), assets: {} })
  shelf.publish(walker, archive)
  // Installed now, so that the calls below measure shares, not a first fetch.
  await client().suggest.mutate({ pluginId: WALKER, version: '1.0.0', input: windowInput({ variations: 1 }) })
}, 60_000)
afterAll(async () => {
  await running?.close()
  await shelf?.close()
})

describe('fair shares', () => {
  it('refuses a user past their share at once, and gives the next free slot to another user first', async () => {
    const order: string[] = []
    const hold = (userId: string, holdMs: number, label: string) =>
      client()
        .suggest.mutate({
          pluginId: slowPlugin.manifest.id,
          input: windowInput({ deadlineMs: 9000, parameters: { holdMs } }),
          caller: callerOf(userId),
        })
        .then(
          () => {
            order.push(label)
            return 'ok'
          },
          (err: unknown) => inferenceFailureReason(err),
        )
    // The greedy user's first two run (the whole service's two slots); the next two wait; the fifth is over
    // their four in flight.
    const greedy = [1, 2, 3, 4].map((n) => hold('greedy', 1500, `greedy ${n}`))
    while (running.host.inFlight < 4) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(await hold('greedy', 0, 'greedy 5')).toBe('busy')
    // The polite user waits for a slot too, but in their own queue: the second slot freed is theirs, ahead
    // of the greedy user's last call that waited longer.
    const polite = hold('polite', 0, 'polite')
    expect(await Promise.all([...greedy, polite])).toEqual(['ok', 'ok', 'ok', 'ok', 'ok'])
    expect(order.indexOf('polite')).toBeLessThan(order.indexOf('greedy 4'))
    expect(order.slice(0, 2).sort()).toEqual(['greedy 1', 'greedy 2'])
  })

  it('leaves a sandbox thread to other publishers while one publisher’s plugins spin on the other', async () => {
    const spinners = ['org.ensemble-tests.spin-a', 'org.ensemble-tests.spin-b']
    await expectServedBesideSpinners(spinners, (pluginId) => callerOf(`fan-of-${pluginId}`, 'hostile'))
  })

  it('keeps one user’s spinning calls to their share of the threads, whoever published the plugins', async () => {
    const spinners = ['org.ensemble-tests.spin-c', 'org.ensemble-tests.spin-d']
    // Two publishers' plugins, one user: each publisher alone could take a thread, the user may not take both.
    await expectServedBesideSpinners(spinners, (pluginId) => callerOf('spinner', `publisher-of-${pluginId}`))
  })
})

/**
 * Two spinning plugins, called as `callerFor` says, each hold a call; another publisher's plugin, asked by
 * another user, answers while both still spin; yanked, the spinning calls end.
 */
async function expectServedBesideSpinners(
  spinners: readonly string[],
  callerFor: (pluginId: string) => ReturnType<typeof callerOf>,
): Promise<void> {
  for (const id of spinners) await publishSpinner(id)
  const spinning = spinners.map((pluginId) =>
    client()
      .suggest.mutate({
        pluginId,
        version: '1.0.0',
        input: windowInput({ deadlineMs: 9000 }),
        caller: callerFor(pluginId),
      })
      .catch((err: unknown) => inferenceFailureReason(err)),
  )
  const bothSpin = async () =>
    (await client().thirdParty.status.query()).filter((s) => spinners.includes(s.id) && s.running === 1)
      .length === 2
  while (!(await bothSpin()));
  const walked = await client().suggest.mutate({
    pluginId: WALKER,
    version: '1.0.0',
    input: windowInput({ variations: 1 }),
    caller: callerOf('polite', 'friendly'),
  })
  expect(walked.suggestions).toHaveLength(1)
  expect(await bothSpin()).toBe(true)
  for (const id of spinners) await client().thirdParty.yank.mutate({ id, version: '1.0.0' })
  expect(await Promise.all(spinning)).toEqual(['yanked', 'yanked'])
}
