import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync, gzipSync } from 'node:zlib'
import type { PluginAsset, PluginManifest } from '@ensemble/core/plugin'
import { MAX_ARCHIVE_BYTES, packPlugin } from '@ensemble/plugin-sdk/archive'
import { bundlePlugin } from '@ensemble/plugin-sdk/sandbox'
import { TRPCClientError } from '@trpc/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createInferenceClient, type InferenceRouter, inferenceFailureReason } from '../src/client'
import { loadInferenceConfig } from '../src/config'
import { createLogger } from '../src/log'
import { type RunningInference, startInference } from '../src/server'
import { initTfjsBackend } from '../src/tfjs-backend'
import { type ArchiveShelf, startArchiveShelf } from './helpers/archive-shelf'
import { saveDenseModel } from './helpers/dense-model'
import { densePlugin, manifestFor, windowInput } from './helpers/test-plugins'

/*
 * Third-party plugins through the real service over HTTP: archives packed by the SDK and published to a
 * stand-in for the web's archive endpoint (helpers/archive-shelf.ts), fetched by the host on their first
 * suggest, run in the QuickJS sandbox, their declared model run by the host's tfjs. The hostile
 * plugin is called with a short deadline so that it fails fast; the strike limit is low so that suspension
 * is reached in a few calls.
 */

const HOSTILE_DEADLINE_MS = 400
const MAX_STRIKES = 3
/**
 * Long enough for well-behaved calls to be sent and served while the grinder still holds its thread,
 * and well inside the grinder's sorts (about 1.4 s on a quiet machine), so the watchdog, not the sort, ends it.
 */
const GRINDER_DEADLINE_MS = 600
const DENSE_FIRST_PARTY = 'org.ensemble-tests.dense'

let running: RunningInference
let shelf: ArchiveShelf
let dataDir: string
let secret: string
let denseAsset: PluginAsset
let denseFiles: Record<string, Uint8Array>
let walkerArchive: Uint8Array
let walkerManifest: PluginManifest

/** The notes of the first suggestion (a generator's suggestions are notes, never tracks). */
const notesOf = (out: { suggestions: ({ notes: { pitch: number }[] } | { tracks: unknown[] })[] }) => {
  const first = out.suggestions[0]
  return first && 'notes' in first ? first.notes : []
}

const client = () => createInferenceClient(running.url, secret)
const budgetOf = (err: TRPCClientError<InferenceRouter>) => (err.data as { budgetMs?: number }).budgetMs
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const keyOf = (manifest: PluginManifest) => `${manifest.id}@${manifest.version}`

/** A bundle written by hand, as anyone could upload one: no SDK needed to be hostile. */
const handBundle = (manifest: PluginManifest, suggest: string) =>
  `const manifest = ${JSON.stringify({ id: manifest.id, version: manifest.version, kind: manifest.kind })}\nexport default { manifest, suggest: ${suggest} }\n`

/** Published to the registry's stand-in: the service fetches it when a suggest first names it. */
async function publish(manifest: PluginManifest, archive: Uint8Array | Promise<Uint8Array>) {
  shelf.publish(manifest, await archive)
}

async function failureOf(promise: Promise<unknown>): Promise<TRPCClientError<InferenceRouter>> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(TRPCClientError)
  return err as TRPCClientError<InferenceRouter>
}

const suggest = (pluginId: string, deadlineMs = 5000) =>
  client().suggest.mutate({ pluginId, version: '1.0.0', input: windowInput({ variations: 2, deadlineMs }) })

async function firstPartyStillServes() {
  const out = await client().suggest.mutate({ pluginId: DENSE_FIRST_PARTY, input: windowInput() })
  expect(out.suggestions).toHaveLength(1)
  expect(notesOf(out)).toHaveLength(8)
}

beforeAll(async () => {
  await initTfjsBackend('wasm')
  dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-third-party-'))
  const assets = path.join(dataDir, 'first-party-assets')
  denseAsset = await saveDenseModel(assets, 'dense')
  denseFiles = {
    'dense/model.json': new Uint8Array(readFileSync(path.join(assets, 'dense', 'model.json'))),
    'dense/model.weights.bin': new Uint8Array(readFileSync(path.join(assets, 'dense', 'model.weights.bin'))),
  }
  const walkerSource = fileURLToPath(
    new URL('../../../packages/plugin-sdk/src/sandbox/fixtures/scale-walker.ts', import.meta.url),
  )
  walkerManifest = manifestFor('org.ensemble-tests.scale-walker', {
    name: 'Scale walker',
    parameters: [{ id: 'notes', type: 'int', label: 'Notes', min: 1, max: 64, default: 16, step: 1 }],
    capabilities: ['theory'],
  })
  walkerArchive = await packPlugin({
    manifest: walkerManifest,
    bundle: await bundlePlugin(walkerSource),
    assets: {},
  })
  const config = loadInferenceConfig({ DATA_DIR: dataDir, INFERENCE_PORT: '0', TFJS_BACKEND: 'wasm' })
  secret = config.secret
  shelf = await startArchiveShelf(secret)
  shelf.publish(walkerManifest, walkerArchive)
  running = await startInference({ ...config, port: 0, archivesUrl: shelf.url }, createLogger('error'), {
    plugins: [{ plugin: densePlugin(denseAsset), assetRoot: assets }],
    sandbox: { maxStrikes: MAX_STRIKES },
  })
}, 60_000)
afterAll(async () => {
  await running?.close()
  await shelf?.close()
})

describe('third-party plugins in the inference service', () => {
  it('fetches a published plugin on its first suggest and serves it through the sandbox, reproducibly', async () => {
    // Two first calls at once (two projects asking) fetch and install it once, and agree.
    const [first, twin] = await Promise.all([
      suggest('org.ensemble-tests.scale-walker'),
      suggest('org.ensemble-tests.scale-walker'),
    ])
    expect(shelf.fetches(keyOf(walkerManifest))).toBe(1)
    expect(twin).toEqual({ ...first, provenance: { ...first.provenance, durationMs: expect.any(Number) } })
    const again = await suggest('org.ensemble-tests.scale-walker')
    expect(first.suggestions).toHaveLength(2)
    expect(notesOf(first)).toHaveLength(16)
    expect(again.suggestions).toEqual(first.suggestions)
    expect(first.provenance).toMatchObject({
      modelHash: 'none',
      bundleSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      seed: 7,
    })
    // Installed once: later calls never ask the web again.
    expect(shelf.fetches(keyOf(walkerManifest))).toBe(1)
  })

  it('runs a declared model on the host, verified against the manifest digests', async () => {
    const manifest = manifestFor('org.ensemble-tests.third-dense', {
      assets: [{ ...denseAsset }],
      capabilities: ['models'],
    })
    const bundle = handBundle(
      manifest,
      `async (input, ctx) => {
        const features = new Array(12).fill(0)
        for (const n of input.target.notes) features[n.pitch % 12] += 1
        const [probs] = await ctx.models.run('dense', [{ shape: [12], data: features }])
        const best = probs.data.indexOf(Math.max(...probs.data))
        return { suggestions: [{ label: 'Dense', notes: [{ pitch: 60 + best, start: 0, duration: 480, velocity: 90 }] }] }
      }`,
    )
    await publish(manifest, packPlugin({ manifest, bundle, assets: denseFiles }))
    const out = await suggest('org.ensemble-tests.third-dense')
    expect(notesOf(out)[0]!.pitch).toBeGreaterThanOrEqual(60)
    expect(out.provenance.modelHash).toMatch(/^[0-9a-f]{64}$/)
    expect(out.provenance.models).toEqual([{ assetId: 'dense', sha256: out.provenance.modelHash }])
  })

  it('contains a hostile plugin with a clear error, strikes it, suspends it, and keeps serving others', async () => {
    const manifest = manifestFor('org.ensemble-tests.spinner')
    await publish(
      manifest,
      packPlugin({ manifest, bundle: handBundle(manifest, '() => { for (;;) {} }'), assets: {} }),
    )
    for (let strike = 1; strike <= MAX_STRIKES; strike++) {
      const err = await failureOf(suggest(manifest.id, HOSTILE_DEADLINE_MS))
      expect(err.data?.code).toBe('TIMEOUT')
      expect(inferenceFailureReason(err)).toBe('timeout')
      expect(err.message).toMatch(/org.ensemble-tests.spinner@1.0.0 ran past its \d+ ms deadline/)
      await firstPartyStillServes()
    }
    const status = (await client().thirdParty.status.query()).find((s) => s.id === manifest.id)
    expect(status).toMatchObject({ strikes: MAX_STRIKES, suspended: true, yanked: false })
    const suspended = await failureOf(suggest(manifest.id))
    expect(inferenceFailureReason(suspended)).toBe('suspended')
    expect(suspended.message).toMatch(/is suspended: it failed 3 times within 10 minutes \(last: timeout/)
    await firstPartyStillServes()
  })

  it('keeps answering while a plugin spins on its own thread, and a yank stops the spinning', async () => {
    const manifest = manifestFor('org.ensemble-tests.busy-loop')
    await publish(
      manifest,
      packPlugin({ manifest, bundle: handBundle(manifest, '() => { for (;;) {} }'), assets: {} }),
    )
    const order: string[] = []
    const spinning = failureOf(suggest(manifest.id, 5000)).then((err) => {
      order.push('spinner stopped')
      return err
    })
    while (!(await client().thirdParty.status.query()).some((s) => s.id === manifest.id && s.running === 1));
    // The plugin is computing right now; the service still serves a first-party plugin.
    await firstPartyStillServes()
    order.push('first-party served')
    await client().thirdParty.yank.mutate({ id: manifest.id, version: '1.0.0' })
    const err = await spinning
    expect(inferenceFailureReason(err)).toBe('yanked')
    expect(order).toEqual(['first-party served', 'spinner stopped'])
  })

  it('stops a thread held past the deadline by a built-in, re-runs its neighbours, and keeps serving', async () => {
    // A default sort of a million numbers (compared as strings) is one built-in call QuickJS cannot
    // interrupt: 0.3-0.6 s depending on the machine, more under load. Chained sorts (no bytecode between
    // for the interrupt to land on) hold the thread for seconds on any machine, far past the 600 ms
    // deadline + 100 ms grace, so the watchdog, not the sandbox, answers, and stops it at ~700 ms. (Two
    // sorts once finished inside the deadline on a fast machine; three million numbers overran the 64 MiB
    // limit.)
    const grinderManifest = manifestFor('org.ensemble-tests.grinder')
    const grinder = await packPlugin({
      manifest: grinderManifest,
      bundle: handBundle(
        grinderManifest,
        `() => { Array.from(new Array(1000000).keys()).sort().sort().sort().sort().sort().sort(); return { suggestions: [] } }`,
      ),
      assets: {},
    })
    const own = await startInference(
      {
        ...loadInferenceConfig({
          DATA_DIR: mkdtempSync(path.join(tmpdir(), 'ensemble-watchdog-')),
          INFERENCE_PORT: '0',
          TFJS_BACKEND: 'wasm',
          INFERENCE_SECRET: secret,
        }),
        port: 0,
        archivesUrl: shelf.url,
      },
      createLogger('error'),
      { sandbox: { sandboxThreads: 2, hardDeadlineGraceMs: 100 } },
    )
    try {
      const api = createInferenceClient(own.url, secret)
      shelf.publish(grinderManifest, grinder)
      const walk = () =>
        api.suggest.mutate({
          pluginId: walkerManifest.id,
          version: '1.0.0',
          input: windowInput({ variations: 2 }),
        })
      // Both installed before the grinder holds a thread: what follows is about serving, not fetching.
      expect(notesOf(await walk())).toHaveLength(16)
      const order: string[] = []
      const grinding = failureOf(
        api.suggest.mutate({
          pluginId: grinderManifest.id,
          version: '1.0.0',
          input: windowInput({ deadlineMs: GRINDER_DEADLINE_MS }),
        }),
      ).then((err) => {
        order.push('grinder answered')
        return err
      })
      while (
        !(await api.thirdParty.status.query()).some((s) => s.id === grinderManifest.id && s.running === 1)
      );
      // Three well-behaved calls while it grinds: some go to the other thread, some queue behind the grinder
      // and are run again on the thread that replaces its one.
      const served = Promise.all(
        [walk(), walk(), walk()].map((call) =>
          call.then((out) => {
            order.push('walker served')
            return out
          }),
        ),
      )
      // Settled below; a failed assertion first must not leave it unhandled.
      served.catch(() => {})
      const err = await grinding
      expect(err.data?.code).toBe('TIMEOUT')
      expect(inferenceFailureReason(err)).toBe('timeout')
      expect(err.message).toMatch(
        /org.ensemble-tests.grinder@1.0.0 ran past its \d+ ms deadline inside a built-in .* the sandbox thread was stopped/,
      )
      for (const out of await served) expect(notesOf(out)).toHaveLength(16)
      // The other thread kept serving while the grinder held its own.
      expect(order[0]).toBe('walker served')
      expect(order).toHaveLength(4)
      // Its strike is counted, and the replacement thread serves.
      const status = (await api.thirdParty.status.query()).find((s) => s.id === grinderManifest.id)
      expect(status).toMatchObject({ strikes: 1, running: 0, lastFailure: { code: 'timeout' } })
      expect(notesOf(await walk())).toHaveLength(16)
      expect(notesOf(await walk())).toHaveLength(16)
    } finally {
      await own.close()
    }
  })

  it('reports a plugin that reaches for process, and its invalid output, as that plugin failing', async () => {
    const manifest = manifestFor('org.ensemble-tests.escaper')
    await publish(
      manifest,
      packPlugin({
        manifest,
        bundle: handBundle(manifest, `() => globalThis.constructor.constructor('return process')().exit(1)`),
        assets: {},
      }),
    )
    const escaped = await failureOf(suggest(manifest.id))
    expect(escaped.data?.code).toBe('INTERNAL_SERVER_ERROR')
    expect(inferenceFailureReason(escaped)).toBe('plugin_threw')
    expect(escaped.message).toMatch(/'process' is not defined/)

    const liar = manifestFor('org.ensemble-tests.liar')
    await publish(
      liar,
      packPlugin({
        manifest: liar,
        bundle: handBundle(
          liar,
          `() => ({ suggestions: [{ label: 'x', notes: [{ pitch: 300, start: 0, duration: 1, velocity: 1 }] }] })`,
        ),
        assets: {},
      }),
    )
    const invalid = await failureOf(suggest(liar.id))
    expect(inferenceFailureReason(invalid)).toBe('invalid_output')
    expect((invalid.data as { issues?: { path: string }[] }).issues?.[0]?.path).toBe(
      'suggestions[0].notes[0].pitch',
    )
    await firstPartyStillServes()
  })

  it('refuses an archive whose bundle does not match its recorded hash', async () => {
    const manifest = manifestFor('org.ensemble-tests.tampered')
    const archive = await packPlugin({
      manifest,
      bundle: await bundlePlugin(
        fileURLToPath(
          new URL('../../../packages/plugin-sdk/src/sandbox/fixtures/scale-walker.ts', import.meta.url),
        ),
      ),
      assets: {},
    })
    const tar = gunzipSync(archive)
    const at = tar.indexOf('Walk ')
    expect(at).toBeGreaterThan(0)
    tar.write('Wa1k ', at)
    shelf.publish(manifest, new Uint8Array(gzipSync(tar)))
    const err = await failureOf(suggest(manifest.id))
    expect(err.data?.code).toBe('BAD_REQUEST')
    expect(inferenceFailureReason(err)).toBe('hash_mismatch')
    expect(err.message).toMatch(/plugin.js/)
  })

  it('refuses archive bytes that are not what the registry recorded, and never installs them', async () => {
    const manifest = manifestFor('org.ensemble-tests.swapped')
    const archive = await packPlugin({
      manifest,
      bundle: handBundle(manifest, '() => ({ suggestions: [] })'),
      assets: {},
    })
    shelf.publish(manifest, archive, '0'.repeat(64))
    const err = await failureOf(suggest(manifest.id))
    expect(err.data?.code).toBe('SERVICE_UNAVAILABLE')
    expect(inferenceFailureReason(err)).toBe('not_loaded')
    expect(err.message).toMatch(/the registry recorded 0{64}/)
    expect((await client().thirdParty.status.query()).some((s) => s.id === manifest.id)).toBe(false)
  })

  it('refuses at load a bundle that lies about its kind, or does not load', async () => {
    const manifest = manifestFor('org.ensemble-tests.shapeshifter')
    await publish(
      manifest,
      packPlugin({
        manifest,
        bundle: `export default { manifest: { id: '${manifest.id}', version: '1.0.0', kind: 'arranger' }, suggest() {} }`,
        assets: {},
      }),
    )
    const liar = await failureOf(suggest(manifest.id))
    expect(inferenceFailureReason(liar)).toBe('bad_bundle')
    expect(liar.message).toMatch(
      /\(arranger\) but manifest.json declares org.ensemble-tests.shapeshifter@1.0.0 \(generator\)/,
    )
    await publish(
      manifest,
      packPlugin({ manifest, bundle: `throw new Error('no')\nexport default {}`, assets: {} }),
    )
    const broken = await failureOf(suggest(manifest.id))
    expect(inferenceFailureReason(broken)).toBe('bad_bundle')
    expect(broken.data?.code).toBe('BAD_REQUEST')
    expect(broken.message).toMatch(/plugin.js threw while loading: Error: no/)
    // Refused, not installed.
    expect((await client().thirdParty.status.query()).some((s) => s.id === manifest.id)).toBe(false)
  })

  it('checks a bundle for the registry without loading it, and says why one can never run', async () => {
    const manifest = manifestFor('org.ensemble-tests.candidate')
    const check = async (bundle: string, declared = manifest) =>
      client().thirdParty.check.mutate({
        archive: base64(await packPlugin({ manifest: declared, bundle, assets: {} })),
      })
    const refusal = async (bundle: string, declared = manifest) => {
      const err = await failureOf(check(bundle, declared))
      expect(err.data?.code).toBe('BAD_REQUEST')
      expect(inferenceFailureReason(err)).toBe('bad_bundle')
      return err.message
    }
    expect(await refusal(`export default {`)).toMatch(/plugin.js does not parse: SyntaxError/)
    expect(await refusal(`import fs from 'fs'\nexport default fs`)).toMatch(
      /plugin.js imports a module .*a bundle must be self-contained/,
    )
    expect(await refusal(`for (;;) {}\nexport default {}`)).toMatch(
      /plugin.js did not finish loading within 2000 ms \(a loop or too much work at its top level\)/,
    )
    const other = manifestFor('org.ensemble-tests.someone-else')
    expect(await refusal(handBundle(other, '() => ({ suggestions: [] })'))).toMatch(
      /defines org.ensemble-tests.someone-else@1.0.0 \(generator\) but manifest.json declares org.ensemble-tests.candidate@1.0.0 \(generator\)/,
    )
    const checked = await check(handBundle(manifest, '() => ({ suggestions: [] })'))
    expect(checked).toMatchObject({ id: manifest.id, version: '1.0.0' })
    // Checked, not installed: the registry has not stored it, so there is nothing to run.
    expect((await client().thirdParty.status.query()).some((s) => s.id === manifest.id)).toBe(false)
    expect(inferenceFailureReason(await failureOf(suggest(manifest.id)))).toBe('not_found')
  })

  it('stops a plugin at the sandbox budget, not at the longer deadline its caller asked for, and says which', async () => {
    const spinner = manifestFor('org.ensemble-tests.budget-spinner')
    const grinder = manifestFor('org.ensemble-tests.budget-grinder')
    const own = await startInference(
      {
        ...loadInferenceConfig({
          DATA_DIR: mkdtempSync(path.join(tmpdir(), 'ensemble-budget-')),
          INFERENCE_PORT: '0',
          TFJS_BACKEND: 'wasm',
          INFERENCE_SECRET: secret,
        }),
        port: 0,
        archivesUrl: shelf.url,
      },
      createLogger('error'),
      { sandbox: { limits: { deadlineMs: GRINDER_DEADLINE_MS }, hardDeadlineGraceMs: 100 } },
    )
    try {
      const api = createInferenceClient(own.url, secret)
      await publish(
        spinner,
        packPlugin({ manifest: spinner, bundle: handBundle(spinner, '() => { for (;;) {} }'), assets: {} }),
      )
      await publish(
        grinder,
        packPlugin({
          manifest: grinder,
          bundle: handBundle(
            grinder,
            `() => { Array.from(new Array(1000000).keys()).sort().sort().sort().sort().sort().sort(); return { suggestions: [] } }`,
          ),
          assets: {},
        }),
      )
      // The web asks for 8 s; the sandbox allows 600 ms here, and that is when both are stopped.
      const ask = (id: string) =>
        failureOf(
          api.suggest.mutate({ pluginId: id, version: '1.0.0', input: windowInput({ deadlineMs: 8000 }) }),
        )
      for (const id of [spinner.id, grinder.id]) {
        const err = await ask(id)
        expect(inferenceFailureReason(err)).toBe('timeout')
        expect(budgetOf(err)).toBeGreaterThan(GRINDER_DEADLINE_MS - 100)
        expect(budgetOf(err)).toBeLessThanOrEqual(GRINDER_DEADLINE_MS)
        expect(err.message).toMatch(new RegExp(`${id}@1.0.0 ran past its ${budgetOf(err)} ms deadline`))
      }
    } finally {
      await own.close()
    }
  })

  it('runs a call again on a fresh thread when its thread dies, and never strikes the plugin for it', async () => {
    // Computes for about 1.5 s of its budget, then answers: long enough to be caught on its thread.
    const manifest = manifestFor('org.ensemble-tests.patient')
    await publish(
      manifest,
      packPlugin({
        manifest,
        bundle: handBundle(
          manifest,
          `(input, ctx) => { const until = ctx.timeLeftMs() - 1500; while (ctx.timeLeftMs() > until) {} return { suggestions: [] } }`,
        ),
        assets: {},
      }),
    )
    const onItsThread = async () => {
      while (
        !(await client().thirdParty.status.query()).some((s) => s.id === manifest.id && s.running === 1)
      );
    }
    // Installed by a first call, so that the calls below spend their budget computing, not being fetched.
    expect((await suggest(manifest.id)).suggestions).toEqual([])
    // Its thread dies once: it runs again on a fresh one and answers.
    const once = suggest(manifest.id)
    await onItsThread()
    expect(running.host.restartBusyThreads('killed by the test')).toBe(1)
    expect((await once).suggestions).toEqual([])

    // Its thread dies, and the fresh one too: the service's failure, said so, and no strike.
    const twice = failureOf(suggest(manifest.id))
    await onItsThread()
    expect(running.host.restartBusyThreads('killed by the test')).toBe(1)
    expect(running.host.restartBusyThreads('killed by the test')).toBe(1)
    const err = await twice
    expect(err.data?.code).toBe('SERVICE_UNAVAILABLE')
    expect(inferenceFailureReason(err)).toBe('infrastructure')
    expect(err.message).toMatch(
      /stopped \(killed by the test\), twice; this is the service's failure, not the plugin's/,
    )
    const status = (await client().thirdParty.status.query()).find((s) => s.id === manifest.id)
    expect(status).toMatchObject({ strikes: 0, suspended: false, running: 0 })
    await firstPartyStillServes()
  })

  it('stops reading a download past the SDK’s archive limit', async () => {
    const manifest = manifestFor('org.ensemble-tests.oversize')
    shelf.publish(manifest, new Uint8Array(MAX_ARCHIVE_BYTES + 1024 * 1024).fill(7))
    const err = await failureOf(suggest(manifest.id))
    expect(inferenceFailureReason(err)).toBe('not_loaded')
    expect(err.message).toMatch(new RegExp(`larger than ${MAX_ARCHIVE_BYTES} bytes`))
  })

  it('answers not_found for a plugin the registry does not have either', async () => {
    const err = await failureOf(suggest('org.example.never-published'))
    expect(err.data?.code).toBe('NOT_FOUND')
    expect(inferenceFailureReason(err)).toBe('not_found')
    expect(shelf.fetches('org.example.never-published@1.0.0')).toBe(1)
  })

  it('refuses a version the registry says was yanked, without installing it', async () => {
    const manifest = manifestFor('org.ensemble-tests.withdrawn')
    await publish(
      manifest,
      packPlugin({ manifest, bundle: handBundle(manifest, '() => ({ suggestions: [] })'), assets: {} }),
    )
    shelf.yank(manifest)
    const err = await failureOf(suggest(manifest.id))
    expect(inferenceFailureReason(err)).toBe('yanked')
    expect((await client().thirdParty.status.query()).some((s) => s.id === manifest.id)).toBe(false)
  })

  it('a yank aborts the running call and refuses every later one, across a restart', async () => {
    const manifest = manifestFor('org.ensemble-tests.stepper', {
      assets: [{ ...denseAsset }],
      capabilities: ['models'],
    })
    // Steps its model many times, the way a sequence generator does: each step awaits the host.
    const bundle = handBundle(
      manifest,
      `async (input, ctx) => {
        let x = new Array(12).fill(0.5)
        for (let i = 0; i < 100000; i++) x = (await ctx.models.run('dense', [{ shape: [12], data: x }]))[0].data
        return { suggestions: [] }
      }`,
    )
    await publish(manifest, packPlugin({ manifest, bundle, assets: denseFiles }))
    const call = client().suggest.mutate({
      pluginId: manifest.id,
      version: '1.0.0',
      input: windowInput({ deadlineMs: 60_000 }),
    })
    const outcome = failureOf(call)
    while (!(await client().thirdParty.status.query()).some((s) => s.id === manifest.id && s.running === 1));
    expect(await client().thirdParty.yank.mutate({ id: manifest.id, version: '1.0.0' })).toEqual({
      id: manifest.id,
      version: '1.0.0',
      aborted: 1,
    })
    const aborted = await outcome
    expect(inferenceFailureReason(aborted)).toBe('yanked')
    expect(aborted.message).toMatch(/yanked by its publisher while this call ran/)
    expect(inferenceFailureReason(await failureOf(suggest(manifest.id)))).toBe('yanked')

    // A restarted service on the same data folder serves what it installed from its disk cache, without
    // asking the web again, and remembers the yank.
    const config = loadInferenceConfig({ DATA_DIR: dataDir, INFERENCE_PORT: '0', TFJS_BACKEND: 'wasm' })
    const restarted = await startInference(
      { ...config, port: 0, archivesUrl: shelf.url },
      createLogger('error'),
    )
    const fetchedBefore = shelf.fetches(keyOf(walkerManifest))
    try {
      const again = createInferenceClient(restarted.url, secret)
      const out = await again.suggest.mutate({
        pluginId: walkerManifest.id,
        version: '1.0.0',
        input: windowInput({ variations: 2 }),
      })
      expect(notesOf(out)).toHaveLength(16)
      expect(shelf.fetches(keyOf(walkerManifest))).toBe(fetchedBefore)
      const refused = await failureOf(
        again.suggest.mutate({ pluginId: manifest.id, version: '1.0.0', input: windowInput() }),
      )
      expect(inferenceFailureReason(refused)).toBe('yanked')
    } finally {
      await restarted.close()
    }
  })
})
