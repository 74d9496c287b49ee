import { createHash } from 'node:crypto'
import { addTrack } from '@ensemble/core'
import { createInferenceClient, inferenceFailureReason } from '@ensemble/inference/client'
import { ARCHIVE_SHA256_HEADER, ARCHIVES_PATH } from '@ensemble/inference/config'
import { startTestInference, type TestInference } from '@ensemble/inference/testing'
import { packPlugin } from '@ensemble/plugin-sdk/archive'
import { TRPCClientError } from '@trpc/client'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import { type Database, schema } from '../src/server/db'
import { type Caller, createApi, signUp } from './helpers/api'
import { isSaved, openSongAs } from './helpers/clients'
import { openTestDatabase } from './helpers/db'
import { fixtureArchive, fixtureManifest, publish } from './helpers/plugins'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/*
 * Third-party plugins end to end on the server side: published through the upload route, installed
 * by a project's owner, listed by `ai.plugins` and run by `ai.suggest` in the real inference
 * service's sandbox (in this process, over HTTP); and the kill list: a yanked version stops at once.
 */

const BAR = 1920

let database: Database
let inference: TestInference
let server: RunningServer
let alice: Caller
let carol: Caller
let dave: Caller
let token: string
let projectId: string
let trackId: string
let counter = 0
const pluginId = (label: string) => `org.${label}${Date.now().toString(36)}${(counter++).toString(36)}.rising`

async function failure(call: () => Promise<unknown>) {
  try {
    await call()
  } catch (err) {
    if (!(err instanceof TRPCClientError)) throw err
    const data = err.data as { code?: string; reason?: string } | undefined
    return { code: data?.code, reason: data?.reason, message: err.message }
  }
  throw new Error('expected the call to fail')
}

const auditOutcomes = async (id: string) =>
  (
    await database.db
      .select({ outcome: schema.aiRuns.outcome, version: schema.aiRuns.version })
      .from(schema.aiRuns)
      .where(eq(schema.aiRuns.pluginId, id))
      .orderBy(schema.aiRuns.createdAt)
  ).map((r) => `${r.outcome}@${r.version}`)

beforeAll(async () => {
  ;[database, inference] = await Promise.all([openTestDatabase('pglite'), startTestInference({ models: [] })])
  server = await startTestServer(database, {
    inferenceUrl: inference.url,
    inferenceSecret: inference.secret,
  })
  inference.fetchArchivesFrom(server.url)
  ;[alice, carol, dave] = await Promise.all([
    signUp(server.url, 'alice'),
    signUp(server.url, 'carol'),
    signUp(server.url, 'dave'),
  ])
  await alice.api.registry.becomePublisher.mutate({ name: `alice-${Date.now().toString(36)}` })
  token = (await alice.api.registry.createPublisherToken.mutate({ label: 'tests' })).token
  projectId = await seedProject(database.db, [
    { userId: carol.userId, role: 'owner' },
    { userId: dave.userId, role: 'editor' },
  ])
  const song = await openSongAs(collabUrl(server), carol, projectId)
  trackId = addTrack(song.doc, song.me, { kind: 'instrument', name: 'Lead' })
  await waitFor(() => isSaved(song), 'track saved on the server')
  song.destroy()
}, 120_000)

afterAll(async () => {
  await server?.close()
  await inference?.close()
  await database?.close()
})

const ask = (id: string, caller: Caller = dave) =>
  caller.api.ai.suggest.mutate({
    projectId,
    trackId,
    fromTick: 0,
    toTick: BAR,
    pluginId: id,
    parameters: { start: 64 },
    seed: 7,
  })

/** A plugin with the fixture's manifest whose `suggest` is the given source. */
function archiveSuggesting(id: string, suggest: string) {
  const manifest = fixtureManifest(id, '1.0.0')
  const identity = JSON.stringify({ id, version: '1.0.0', kind: manifest.kind })
  return packPlugin({
    manifest,
    bundle: `const manifest = ${identity};\nexport default { manifest, suggest: ${suggest} };\n`,
    assets: {},
  })
}

describe('third-party plugins in the AI router', () => {
  it('a published plugin runs only once the owner installs it, and then produces suggestions in the sandbox', async () => {
    const id = pluginId('alice')
    expect((await publish(server, await fixtureArchive(id, '1.0.0'), token)).status).toBe(201)

    const notInstalled = await failure(() => ask(id))
    expect(notInstalled).toMatchObject({ code: 'PRECONDITION_FAILED', reason: 'plugin_unavailable' })
    expect(notInstalled.message).toMatch(/not installed in this song/)
    expect((await dave.api.ai.plugins.query({ projectId })).plugins.map((p) => p.id)).not.toContain(id)

    await carol.api.registry.install.mutate({ projectId, pluginId: id })
    const listed = await dave.api.ai.plugins.query({ projectId, trackKind: 'instrument' })
    expect(listed.plugins.find((p) => p.id === id)).toMatchObject({
      id,
      version: '1.0.0',
      name: 'Rising line',
      kind: 'generator',
      thirdParty: true,
      publisher: expect.stringMatching(/^alice-/),
      capabilities: ['theory'],
    })
    expect(
      (await dave.api.ai.plugins.query({ projectId, trackKind: 'drums' })).plugins.map((p) => p.id),
    ).not.toContain(id)

    // The service has never seen this plugin: it fetches the archive from this server, then runs it.
    const result = await ask(id)
    expect(result.provenance).toMatchObject({ pluginId: id, pluginVersion: '1.0.0', seed: 7 })
    const [first] = result.suggestions
    expect(first && 'notes' in first ? first.notes.slice(0, 3) : null).toEqual([
      { pitch: 64, start: 0, duration: 240, velocity: 96 },
      { pitch: 65, start: 240, duration: 240, velocity: 96 },
      { pitch: 66, start: 480, duration: 240, velocity: 96 },
    ])
    // Loaded now: the second call runs straight away and gives the same answer.
    expect((await ask(id)).suggestions).toEqual(result.suggestions)
    expect(await auditOutcomes(id)).toEqual(['not_installed@*', 'ok@1.0.0', 'ok@1.0.0'])
  })

  it('a restarted service (empty catalogue, empty disk) fetches an installed plugin from the web by itself and runs it', async () => {
    const id = pluginId('alice')
    const archive = await fixtureArchive(id, '1.0.0')
    expect((await publish(server, archive, token)).status).toBe(201)
    await carol.api.registry.install.mutate({ projectId, pluginId: id })
    expect((await ask(id)).suggestions).toHaveLength(1)

    // The service starts again with nothing: no plugin in memory, a fresh data folder. The web server in
    // front of it has no way to send an archive; the musician just asks again.
    const restarted = await startTestInference({ models: [] })
    const web = await startTestServer(database, {
      inferenceUrl: restarted.url,
      inferenceSecret: restarted.secret,
    })
    restarted.fetchArchivesFrom(web.url)
    try {
      expect(restarted.running.host.status().map((s) => s.id)).not.toContain(id)
      const daveThere = { ...dave, api: createApi(web.url, dave.cookie) }
      const again = await daveThere.api.ai.suggest.mutate({
        projectId,
        trackId,
        fromTick: 0,
        toTick: BAR,
        pluginId: id,
        parameters: { start: 64 },
        seed: 7,
      })
      expect(again.provenance).toMatchObject({ pluginId: id, pluginVersion: '1.0.0', seed: 7 })
      expect(again.suggestions).toEqual((await ask(id)).suggestions)
      expect(restarted.running.host.status()).toEqual([expect.objectContaining({ id, version: '1.0.0' })])
    } finally {
      await web.close()
      await restarted.close()
    }
  })

  it('hands archives only to the inference service, as published, and never once yanked', async () => {
    const id = pluginId('alice')
    const archive = await fixtureArchive(id, '1.0.0')
    expect((await publish(server, archive, token)).status).toBe(201)
    const get = (path: string, secret = inference.secret) =>
      fetch(`${server.url}${ARCHIVES_PATH}/${path}`, { headers: { authorization: `Bearer ${secret}` } })

    expect((await get(`${id}/1.0.0`, 'not-the-service-secret-0123456789')).status).toBe(401)
    expect((await fetch(`${server.url}${ARCHIVES_PATH}/${id}/1.0.0`)).status).toBe(401)
    expect((await get(`${id}/9.9.9`)).status).toBe(404)
    expect((await get(`${id}/%E0%A4%A`)).status).toBe(404)
    const served = await get(`${encodeURIComponent(id)}/1.0.0`)
    expect(served.status).toBe(200)
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(archive)
    expect(served.headers.get(ARCHIVE_SHA256_HEADER)).toBe(createHash('sha256').update(archive).digest('hex'))

    await alice.api.registry.yank.mutate({ pluginId: id, version: '1.0.0', reason: 'Withdrawn' })
    expect((await get(`${id}/1.0.0`)).status).toBe(410)
  })

  it('a yanked version stops running: the next call is refused, the panel drops it, the service refuses it too', async () => {
    const id = pluginId('alice')
    await publish(server, await fixtureArchive(id, '1.0.0'), token)
    await carol.api.registry.install.mutate({ projectId, pluginId: id })
    expect((await ask(id)).suggestions).toHaveLength(1)

    const yanked = await alice.api.registry.yank.mutate({
      pluginId: id,
      version: '1.0.0',
      reason: 'Leaks the seed',
    })
    expect(yanked.serviceNotified).toBe(true)
    const refused = await failure(() => ask(id))
    expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', reason: 'plugin_unavailable' })
    expect(refused.message).toBe(`The publisher withdrew ${id} 1.0.0 (Leaks the seed); it no longer runs.`)
    expect((await dave.api.ai.plugins.query({ projectId })).plugins.map((p) => p.id)).not.toContain(id)
    expect(await auditOutcomes(id)).toEqual(['ok@1.0.0', 'yanked@1.0.0'])

    // Straight to the service, as another web instance with a stale view would call it: on its kill list.
    const direct = createInferenceClient(inference.url, inference.secret)
    const input = {
      song: {
        bpm: 120,
        timeSignature: { numerator: 4, denominator: 4 as const },
        key: { tonic: 'C', mode: 'major' as const },
      },
      target: { trackId, kind: 'instrument' as const, fromTick: 0, toTick: BAR, notes: [] },
      context: [],
      parameters: { start: 60 },
      seed: 1,
      variations: 1,
      deadlineMs: 5_000,
    }
    let reason: string | undefined
    try {
      await direct.suggest.mutate({ pluginId: id, version: '1.0.0', input })
    } catch (err) {
      reason = inferenceFailureReason(err)
    }
    expect(reason).toBe('yanked')
  })

  it('a failing plugin is explained in a musician’s words, and its publisher sees the failures and strikes', async () => {
    const plugins = {
      memory: [pluginId('alice'), `() => { let s = 'x'; for (;;) s += s }`],
      invalid: [
        pluginId('alice'),
        `() => ({ suggestions: [{ label: 'x', notes: [{ pitch: 300, start: 0, duration: 240, velocity: 90 }] }] })`,
      ],
      timeout: [pluginId('alice'), '() => { for (;;) {} }'],
    } as const
    for (const [id, suggest] of Object.values(plugins)) {
      expect((await publish(server, await archiveSuggesting(id, suggest), token)).status).toBe(201)
      await carol.api.registry.install.mutate({ projectId, pluginId: id })
    }

    const memory = await failure(() => ask(plugins.memory[0]))
    expect(memory).toMatchObject({ code: 'BAD_GATEWAY', reason: 'plugin_failed' })
    expect(memory.message).toMatch(/^The plugin ran out of memory and was stopped; nothing was changed\./)

    const invalid = await failure(() => ask(plugins.invalid[0]))
    expect(invalid).toMatchObject({ code: 'BAD_GATEWAY', reason: 'plugin_failed' })
    expect(invalid.message).toMatch(
      /^The plugin returned notes the studio cannot use \(suggestions\[0\]\.notes\[0\]\.pitch: .*127.*\); nothing was changed\./,
    )

    // The studio gives a plugin 8 s; the sandbox stops a third-party one at 5 s, and says 5 s.
    const timeout = await failure(() => ask(plugins.timeout[0]))
    expect(timeout).toMatchObject({ code: 'TIMEOUT', reason: 'deadline' })
    expect(timeout.message).toMatch(/^The plugin took longer than 5 s and was stopped; nothing was changed\./)

    const { versions, strikesKnown } = await alice.api.registry.failures.query()
    expect(strikesKnown).toBe(true)
    for (const [outcome, [id]] of [
      ['memory', plugins.memory],
      ['invalid_output', plugins.invalid],
      ['timeout', plugins.timeout],
    ] as const) {
      const trouble = versions.find((v) => v.pluginId === id)
      expect(trouble?.failures).toEqual([
        { outcome, meaning: expect.any(String), count: 1, lastAt: expect.any(String) },
      ])
      expect(trouble?.strikes).toMatchObject({ strikes: 1, suspended: false, lastStrike: { code: outcome } })
    }
  })

  it('refuses a user, then a song, past their suggestions running, while a user elsewhere is served beside a spinning publisher', async () => {
    // Two running per user, two per song, on a server of its own.
    const limited = await startTestServer(database, {
      inferenceUrl: inference.url,
      inferenceSecret: inference.secret,
      suggestionLimits: { perUser: 2, perProject: 2 },
    })
    try {
      // Dave and Carol, signed in as before (sessions live in the shared database), on this server.
      const here = (who: Caller): Caller => ({ ...who, api: createApi(limited.url, who.cookie) })
      const [daveHere, carolHere] = [here(dave), here(carol)]
      const [bob, erin] = await Promise.all([signUp(limited.url, 'bob'), signUp(limited.url, 'erin')])

      // Alice publishes a plugin that spins until it is stopped; Bob, another publisher, a plain one.
      const spinner = pluginId('alice')
      const manifest = fixtureManifest(spinner, '1.0.0')
      const spinning = `const manifest = ${JSON.stringify(manifest)};\nexport default { manifest, suggest: () => { for (;;) {} } };\n`
      const spinnerArchive = await packPlugin({ manifest, bundle: spinning, assets: {} })
      expect((await publish(limited, spinnerArchive, token)).status).toBe(201)
      await bob.api.registry.becomePublisher.mutate({ name: `bob-${Date.now().toString(36)}` })
      const bobToken = (await bob.api.registry.createPublisherToken.mutate({ label: 'tests' })).token
      const rising = pluginId('bob')
      expect((await publish(limited, await fixtureArchive(rising, '1.0.0'), bobToken)).status).toBe(201)
      await carolHere.api.registry.install.mutate({ projectId, pluginId: spinner })
      const erinsSong = await seedProject(database.db, [{ userId: erin.userId, role: 'owner' }])
      await erin.api.registry.install.mutate({ projectId: erinsSong, pluginId: rising })
      const song = await openSongAs(collabUrl(limited), erin, erinsSong)
      const erinsTrack = addTrack(song.doc, song.me, { kind: 'instrument' })
      await waitFor(() => isSaved(song), 'track saved on the server')
      song.destroy()
      const asErin = () =>
        erin.api.ai.suggest.mutate({
          projectId: erinsSong,
          trackId: erinsTrack,
          fromTick: 0,
          toTick: BAR,
          pluginId: rising,
          parameters: { start: 60 },
        })
      // Bob's plugin installed in the service beforehand (as after earlier calls): what follows runs inside
      // the spinning calls' 8 s on a slow machine too.
      const service = createInferenceClient(inference.url, inference.secret)
      expect((await asErin()).suggestions).toHaveLength(1)

      const spinners = async () =>
        (await service.thirdParty.status.query()).find((s) => s.id === spinner)?.running ?? 0
      const ask = (who: Caller) =>
        who.api.ai.suggest.mutate({ projectId, trackId, fromTick: 0, toTick: BAR, pluginId: spinner })
      const daves = [ask(daveHere), ask(daveHere)].map((call) =>
        call.catch((err: unknown) => (err as TRPCClientError<never>).data),
      )
      await waitFor(async () => (await spinners()) === 2, 'both of Dave’s calls spinning')

      const overUser = await failure(() => ask(daveHere))
      expect(overUser).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'busy' })
      expect(overUser.message).toBe('You already have 2 suggestions running; try again when one finishes.')
      const overSong = await failure(() => ask(carolHere))
      expect(overSong).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'busy' })
      expect(overSong.message).toBe(
        'This song already has 2 suggestions running (yours and your bandmates’); try again when one finishes.',
      )

      // Erin, in another song, asks another publisher's plugin: answered while both calls still spin.
      expect((await asErin()).suggestions).toHaveLength(1)
      expect(await spinners()).toBe(2)

      // Stopped, the spinning calls end, and their places are free again.
      await alice.api.registry.yank.mutate({ pluginId: spinner, version: '1.0.0', reason: 'Spins' })
      for (const data of await Promise.all(daves))
        expect(data).toMatchObject({ code: 'PRECONDITION_FAILED', reason: 'plugin_unavailable' })
      expect(await failure(() => ask(daveHere))).toMatchObject({ reason: 'plugin_unavailable' })
      // A refusal for being busy is not a run: only the two spinning calls and the last one are audited.
      expect(await auditOutcomes(spinner)).toEqual(['yanked@1.0.0', 'yanked@1.0.0', 'yanked@1.0.0'])
    } finally {
      await limited.close()
    }
  })
})
