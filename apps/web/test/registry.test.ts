import { createHash } from 'node:crypto'
import type { PluginManifest } from '@ensemble/core/plugin'
import { startTestInference, type TestInference } from '@ensemble/inference/testing'
import { packPlugin } from '@ensemble/plugin-sdk/archive'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import { type Database, schema } from '../src/server/db'
import { type Caller, errorMessage, outcome, signUp } from './helpers/api'
import { drivers, openTestDatabase } from './helpers/db'
import { fixtureArchive, fixtureManifest, publish, tamperBundle } from './helpers/plugins'
import { seedProject } from './helpers/projects'
import { startTestServer } from './helpers/server'

/*
 * The plugin registry over real HTTP on a real database: publishers and tokens, the upload route
 * (every refusal), the gallery, yanking and installs per project. Publishing asks the real inference
 * service to load the bundle once; running the plugins is in registry-suggest.test.ts.
 */

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
let counter = 0
/** Plugin ids and publisher names unique per test, so a PostgreSQL run never sees another's rows. */
const unique = (label: string) => `${label}${Date.now().toString(36)}${(counter++).toString(36)}`

let inference: TestInference
beforeAll(async () => {
  inference = await startTestInference({ models: [] })
}, 120_000)
afterAll(() => inference?.close())

/** An archive whose manifest is honest and whose bundle is whatever the test says. */
const archiveWith = (manifest: PluginManifest, bundle: string) => packPlugin({ manifest, bundle, assets: {} })

describe.each(drivers)('plugin registry on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let alice: Caller
  let bob: Caller
  let carol: Caller
  let aliceToken: string
  let bobToken: string

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    server = await startTestServer(database, {
      inferenceUrl: inference.url,
      inferenceSecret: inference.secret,
    })
    ;[alice, bob, carol] = await Promise.all([
      signUp(server.url, 'alice'),
      signUp(server.url, 'bob'),
      signUp(server.url, 'carol'),
    ])
    await alice.api.registry.becomePublisher.mutate({ name: unique('alice-') })
    await bob.api.registry.becomePublisher.mutate({ name: unique('bob-') })
    aliceToken = (await alice.api.registry.createPublisherToken.mutate({ label: 'laptop' })).token
    bobToken = (await bob.api.registry.createPublisherToken.mutate({ label: 'ci' })).token
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it('a publisher name is unique, and a token is shown once and stored only as a hash', async () => {
    const me = await alice.api.registry.me.query()
    expect(me.publisher?.name).toMatch(/^alice-/)
    expect(me.tokens?.map((t) => t.label)).toEqual(['laptop'])
    expect(JSON.stringify(me)).not.toContain(aliceToken)
    const stored = await database.db.select().from(schema.publisherTokens)
    expect(stored.some((t) => t.tokenHash === sha256(new TextEncoder().encode(aliceToken)))).toBe(true)
    expect(JSON.stringify(stored)).not.toContain(aliceToken)

    const taken = me.publisher?.name ?? ''
    expect(await errorMessage(() => carol.api.registry.becomePublisher.mutate({ name: taken }))).toBe(
      `The publisher name "${taken}" is taken.`,
    )
    expect(
      await errorMessage(() => carol.api.registry.becomePublisher.mutate({ name: '-Bad Name' })),
    ).toMatch(/Publisher name: 3 to 40 lower-case letters/)
    expect(await outcome(() => carol.api.registry.createPublisherToken.mutate({ label: 'x' }))).toBe(
      'FORBIDDEN',
    )
  })

  it('publishes a version; the gallery shows it with publisher, capabilities, licence and digests', async () => {
    const id = `org.${unique('alice')}.rising`
    const archive = await fixtureArchive(id, '1.0.0', { description: 'A lantern-bright rising line.' })
    const answer = await publish(server, archive, aliceToken)
    expect(answer.status).toBe(201)
    expect(answer.body).toMatchObject({ ok: true, id, version: '1.0.0', archiveSha256: sha256(archive) })

    // PostgreSQL keeps earlier runs' plugins: the run's own tag (in the id) keeps the search to this one.
    const tag = id.split('.')[1]?.toUpperCase() ?? ''
    const found = await carol.api.registry.search.query({ query: `LANTERN-bright ${tag}`, kind: 'generator' })
    expect(found.map((p) => p.id)).toEqual([id])
    const [plugin] = found
    expect(plugin?.publisher).toMatch(/^alice-/)
    expect(plugin?.latest).toMatchObject({
      version: '1.0.0',
      name: 'Rising line',
      kind: 'generator',
      capabilities: ['theory'],
      licence: 'MIT',
      archiveSha256: sha256(archive),
      archiveBytes: archive.length,
      yankedAt: null,
    })
    expect(await carol.api.registry.search.query({ query: `lantern ${tag}`, kind: 'harmonizer' })).toEqual([])
    expect(
      (await carol.api.registry.describe.query({ pluginId: id })).versions.map((v) => v.version),
    ).toEqual(['1.0.0'])
    const [row] = await database.db
      .select({ archive: schema.pluginVersions.archive })
      .from(schema.pluginVersions)
      .where(eq(schema.pluginVersions.pluginId, id))
    expect(sha256(row?.archive ?? new Uint8Array())).toBe(sha256(archive))
  })

  it('a version number is never reused, even with different content', async () => {
    const id = `org.${unique('alice')}.immutable`
    const first = await fixtureArchive(id, '1.0.0')
    expect((await publish(server, first, aliceToken)).status).toBe(201)
    const again = await publish(
      server,
      await fixtureArchive(id, '1.0.0', { description: 'Sneaky change.' }),
      aliceToken,
    )
    expect(again.status).toBe(409)
    expect(again.body).toEqual({
      error: 'version_exists',
      message: `${id} 1.0.0 is already published. Published versions never change: raise the version and publish again.`,
    })
    const plugin = await carol.api.registry.describe.query({ pluginId: id })
    expect(plugin.versions.map((v) => [v.version, v.archiveSha256, v.description])).toEqual([
      ['1.0.0', sha256(first), 'Eighth notes rising by a semitone each, from a chosen pitch.'],
    ])
    expect((await publish(server, await fixtureArchive(id, '1.0.1'), aliceToken)).status).toBe(201)
  })

  it('a non-publisher cannot publish: no token, a made-up token, a session cookie, a revoked token', async () => {
    const id = `org.${unique('carol')}.nope`
    const archive = await fixtureArchive(id, '1.0.0')
    const none = await publish(server, archive, null)
    expect(none.status).toBe(401)
    expect(none.body.error).toBe('unauthorized')
    expect(none.body.message).toMatch(/needs a publisher token/)
    expect((await publish(server, archive, 'ens_pub_madeup')).status).toBe(401)
    // Signed in, but a session is not a publisher token.
    expect((await publish(server, archive, null, { cookie: carol.cookie })).status).toBe(401)

    const { id: tokenId, token } = await bob.api.registry.createPublisherToken.mutate({ label: 'leaked' })
    await bob.api.registry.revokePublisherToken.mutate({ tokenId })
    const revoked = await publish(server, archive, token)
    expect(revoked.status).toBe(401)
    expect(revoked.body.message).toMatch(/revoked/)
    expect(await carol.api.registry.search.query({ query: id })).toEqual([])
    expect(await outcome(() => alice.api.registry.revokePublisherToken.mutate({ tokenId }))).toBe('NOT_FOUND')
  })

  it('a plugin id belongs to its first publisher; ids under studio.ensemble. are reserved', async () => {
    const id = `org.${unique('alice')}.mine`
    expect((await publish(server, await fixtureArchive(id, '1.0.0'), aliceToken)).status).toBe(201)
    const squat = await publish(server, await fixtureArchive(id, '2.0.0'), bobToken)
    expect(squat.status).toBe(403)
    expect(squat.body.error).toBe('not_your_plugin')
    const reserved = await publish(
      server,
      await fixtureArchive('studio.ensemble.harmonizer', '9.0.0'),
      bobToken,
    )
    expect(reserved.status).toBe(403)
    expect(reserved.body.error).toBe('reserved_id')
    expect(
      (await carol.api.registry.describe.query({ pluginId: id })).versions.map((v) => v.version),
    ).toEqual(['1.0.0'])
  })

  it('a tampered archive, a broken one, an oversized one and an empty body are refused and nothing is stored', async () => {
    const id = `org.${unique('alice')}.tampered`
    const archive = await fixtureArchive(id, '1.0.0')
    const tampered = await publish(
      server,
      tamperBundle(archive, 'notes.length < 32', 'notes.length < 99'),
      aliceToken,
    )
    expect(tampered.status).toBe(400)
    expect(tampered.body.error).toBe('hash_mismatch')
    expect(tampered.body.message).toMatch(/^The archive was refused: .*plugin\.js has SHA-256/)

    const truncated = await publish(server, archive.subarray(0, archive.length / 2), aliceToken)
    expect(truncated.status).toBe(400)
    expect(truncated.body.error).toBe('corrupt')

    const huge = await publish(server, new Uint8Array(9 * 1024 * 1024), aliceToken)
    expect(huge.status).toBe(413)
    expect(huge.body.error).toBe('too_large')

    expect((await publish(server, new Uint8Array(), aliceToken)).body.error).toBe('empty')
    expect(await carol.api.registry.search.query({ query: id })).toEqual([])
  })

  it('a bundle that can never run is refused with the reason, and nothing is stored', async () => {
    const id = `org.${unique('alice')}.unrunnable`
    const manifest = fixtureManifest(id, '1.0.0')
    const identity = (m: Pick<PluginManifest, 'id' | 'version' | 'kind'>) =>
      `const manifest = ${JSON.stringify({ id: m.id, version: m.version, kind: m.kind })};\nexport default { manifest, suggest() { return { suggestions: [] } } };\n`
    const cases: [string, string, RegExp][] = [
      ['invalid JavaScript', 'export default {', /plugin.js does not parse: SyntaxError/],
      [
        'an import',
        `import fs from 'fs';\n${identity(manifest)}`,
        /plugin.js imports a module .*a bundle must be self-contained/,
      ],
      [
        'a loop at load',
        `for (;;) {}\n${identity(manifest)}`,
        /plugin.js did not finish loading within 2000 ms/,
      ],
      [
        'another id',
        identity({ ...manifest, id: 'org.someone-else.plugin' }),
        /defines org.someone-else.plugin@1.0.0 \(generator\) but manifest.json declares/,
      ],
      [
        'another kind',
        identity({ ...manifest, kind: 'harmonizer' }),
        /\(harmonizer\) but manifest.json declares .*\(generator\)/,
      ],
    ]
    for (const [what, bundle, reason] of cases) {
      const answer = await publish(server, await archiveWith(manifest, bundle), aliceToken)
      expect(answer.status, what).toBe(400)
      expect(answer.body.error, what).toBe('bad_bundle')
      expect(answer.body.message, what).toMatch(/^The plugin's code cannot run, so it was not published: /)
      expect(answer.body.message, what).toMatch(reason)
    }
    expect(await carol.api.registry.search.query({ query: id })).toEqual([])
    // The honest bundle under the same id and version still publishes: nothing was claimed by the refusals.
    expect((await publish(server, await fixtureArchive(id, '1.0.0'), aliceToken)).status).toBe(201)
  })

  it('when the inference service cannot check a bundle, nothing is published', async () => {
    const blind = await startTestServer(database, {
      inferenceUrl: 'http://127.0.0.1:9/trpc',
      inferenceSecret: inference.secret,
    })
    try {
      const id = `org.${unique('alice')}.unchecked`
      const answer = await publish(blind, await fixtureArchive(id, '1.0.0'), aliceToken)
      expect(answer.status).toBe(503)
      expect(answer.body.error).toBe('check_unavailable')
      expect(answer.body.message).toMatch(/could not check the plugin’s code right now/)
      expect(await carol.api.registry.search.query({ query: id })).toEqual([])
    } finally {
      await blind.close()
    }
  })

  it('only the owner installs or removes; every member sees the installs', async () => {
    const id = `org.${unique('alice')}.installable`
    await publish(server, await fixtureArchive(id, '1.0.0'), aliceToken)
    await publish(server, await fixtureArchive(id, '1.1.0'), aliceToken)
    const projectId = await seedProject(database.db, [
      { userId: carol.userId, role: 'owner' },
      { userId: bob.userId, role: 'editor' },
    ])
    expect(await outcome(() => bob.api.registry.install.mutate({ projectId, pluginId: id }))).toBe(
      'FORBIDDEN',
    )
    expect(await outcome(() => alice.api.registry.install.mutate({ projectId, pluginId: id }))).toBe(
      'NOT_FOUND',
    )
    expect(await carol.api.registry.install.mutate({ projectId, pluginId: id })).toEqual({
      pluginId: id,
      version: '1.1.0',
    })
    const seen = await bob.api.registry.installs.query({ projectId })
    expect(seen.canManage).toBe(false)
    expect(seen.installs.map((i) => [i.pluginId, i.version, i.capabilities, i.installedBy])).toEqual([
      [id, '1.1.0', ['theory'], 'carol'],
    ])
    // Pinning an older version replaces the install; there is one version per plugin per project.
    await carol.api.registry.install.mutate({ projectId, pluginId: id, version: '1.0.0' })
    expect((await carol.api.registry.installs.query({ projectId })).installs.map((i) => i.version)).toEqual([
      '1.0.0',
    ])
    expect(await outcome(() => bob.api.registry.uninstall.mutate({ projectId, pluginId: id }))).toBe(
      'FORBIDDEN',
    )
    await carol.api.registry.uninstall.mutate({ projectId, pluginId: id })
    expect((await bob.api.registry.installs.query({ projectId })).installs).toEqual([])
  })

  it('only the publisher yanks; a yanked version cannot be installed and shows as withdrawn', async () => {
    const id = `org.${unique('alice')}.yankable`
    await publish(server, await fixtureArchive(id, '1.0.0'), aliceToken)
    const projectId = await seedProject(database.db, [{ userId: carol.userId, role: 'owner' }])
    await carol.api.registry.install.mutate({ projectId, pluginId: id })
    const yank = { pluginId: id, version: '1.0.0', reason: 'Writes notes out of key' }
    expect(await outcome(() => bob.api.registry.yank.mutate(yank))).toBe('FORBIDDEN')
    expect(await outcome(() => carol.api.registry.yank.mutate(yank))).toBe('FORBIDDEN')
    const yanked = await alice.api.registry.yank.mutate(yank)
    expect(yanked.yankedAt).not.toBeNull()

    const plugin = await carol.api.registry.describe.query({ pluginId: id })
    expect(plugin.latest).toBeNull()
    // The publisher's own page lists it as withdrawn; nobody else's lists it at all.
    const mine = (await alice.api.registry.me.query()).plugins.find((p) => p.id === id)
    expect(mine?.versions.map((v) => [v.version, v.yankReason])).toEqual([
      ['1.0.0', 'Writes notes out of key'],
    ])
    expect((await bob.api.registry.me.query()).plugins.map((p) => p.id)).not.toContain(id)
    expect(plugin.versions[0]?.yankReason).toBe('Writes notes out of key')
    expect((await carol.api.registry.installs.query({ projectId })).installs[0]?.yankedAt).not.toBeNull()
    expect(
      await errorMessage(() =>
        carol.api.registry.install.mutate({ projectId, pluginId: id, version: '1.0.0' }),
      ),
    ).toBe(`${id} 1.0.0 was withdrawn by its publisher and cannot be installed.`)
    // Yanked for good: the version number stays taken.
    expect((await publish(server, await fixtureArchive(id, '1.0.0'), aliceToken)).status).toBe(409)
  })
})
