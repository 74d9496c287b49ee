import { addClip, addNotes, addTrack } from '@ensemble/core'
import { startTestInference, type TestInference } from '@ensemble/inference/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import type { Database } from '../src/server/db'
import { type Caller, errorMessage, outcome, signUp } from './helpers/api'
import { isSaved, openSongAs } from './helpers/clients'
import { openTestDatabase } from './helpers/db'
import { fixtureArchive, publish } from './helpers/plugins'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/*
 * Plugin ratings in the gallery (issue 25): one rating per project and plugin, editable, by an editor or the
 * owner of a project that installed it; shown as mean and count. Recommendations for a song: registry plugins
 * that work on its tracks, first the kinds it could use next. Real HTTP, real registry uploads, PGlite.
 */

let inference: TestInference
let database: Database
let server: RunningServer
let publisher: Caller
let owner: Caller
let editor: Caller
let viewer: Caller
let stranger: Caller
let band: string
let otherBand: string
const RISER = 'com.example.riser'
const PADS = 'com.example.pads'

beforeAll(async () => {
  ;[database, inference] = await Promise.all([
    openTestDatabase('pglite'),
    startTestInference({ models: ['harmonizer'] }),
  ])
  server = await startTestServer(database, {
    authRateLimit: { max: 10_000, windowSeconds: 60 },
    inferenceUrl: inference.url,
    inferenceSecret: inference.secret,
  })
  ;[publisher, owner, editor, viewer, stranger] = await Promise.all([
    signUp(server.url, 'publisher'),
    signUp(server.url, 'owner'),
    signUp(server.url, 'editor'),
    signUp(server.url, 'viewer'),
    signUp(server.url, 'stranger'),
  ])
  await publisher.api.registry.becomePublisher.mutate({ name: 'fixtures' })
  const { token } = await publisher.api.registry.createPublisherToken.mutate({ label: 'ci' })
  expect((await publish(server, await fixtureArchive(RISER, '1.0.0'), token)).status).toBe(201)
  const pads = await fixtureArchive(PADS, '1.0.0', { kind: 'harmonizer', name: 'Pads' })
  expect((await publish(server, pads, token)).status).toBe(201)
  band = await seedProject(database.db, [
    { userId: owner.userId, role: 'owner' },
    { userId: editor.userId, role: 'editor' },
    { userId: viewer.userId, role: 'viewer' },
  ])
  otherBand = await seedProject(database.db, [{ userId: stranger.userId, role: 'owner' }])
}, 120_000)

afterAll(async () => {
  await server?.close()
  await inference?.close()
  await database?.close()
})

const summary = async (who: Caller, pluginId: string, projectId?: string) =>
  (await who.api.registry.ratings.query({ pluginIds: [pluginId], ...(projectId ? { projectId } : {}) }))[0]

describe('plugin ratings', () => {
  it('only a band that installed the plugin rates it, and only its editors and owner', async () => {
    const rate = (who: Caller, projectId: string, stars: number) =>
      who.api.registry.rate.mutate({ projectId, pluginId: RISER, stars })
    // Not installed yet: refused even for the owner.
    expect(await outcome(() => rate(owner, band, 5))).toBe('FORBIDDEN')
    await owner.api.registry.install.mutate({ projectId: band, pluginId: RISER })
    expect(await outcome(() => rate(viewer, band, 5))).toBe('FORBIDDEN')
    expect(await outcome(() => rate(stranger, band, 5))).toBe('NOT_FOUND')
    expect(await outcome(() => rate(editor, band, 6))).toBe('BAD_REQUEST')
    expect(await rate(editor, band, 4)).toMatchObject({ mine: 4, mean: 4, count: 1 })
  })

  it('one rating per project: rating again changes it, it never counts twice', async () => {
    for (let i = 0; i < 5; i++)
      await owner.api.registry.rate.mutate({ projectId: band, pluginId: RISER, stars: 1 })
    await editor.api.registry.rate.mutate({ projectId: band, pluginId: RISER, stars: 2 })
    expect(await summary(viewer, RISER, band)).toEqual({ pluginId: RISER, mean: 2, count: 1, mine: 2 })
    // A second band that installed it adds the second rating.
    await stranger.api.registry.install.mutate({ projectId: otherBand, pluginId: RISER })
    await stranger.api.registry.rate.mutate({ projectId: otherBand, pluginId: RISER, stars: 5 })
    expect(await summary(viewer, RISER)).toEqual({ pluginId: RISER, mean: 3.5, count: 2, mine: null })
    // A band's own rating is for its members only.
    expect(await outcome(() => summary(stranger, RISER, band))).toBe('NOT_FOUND')
  })
})

describe('first-party plugin ratings', () => {
  const HARMONIZER = 'studio.ensemble.harmonizer'

  it('lists Ensemble’s own plugins; a band rates one once it has used it, one rating per project', async () => {
    const own = await viewer.api.registry.firstParty.query()
    expect(own.map((p) => p.id)).toContain(HARMONIZER)
    expect(own.find((p) => p.id === HARMONIZER)?.name).toBe('Harmonizer')
    const rate = (who: Caller, projectId: string, stars: number) =>
      who.api.registry.rate.mutate({ projectId, pluginId: HARMONIZER, stars })
    // Never used on the band's song: refused, and the gallery is told why.
    expect(await errorMessage(() => rate(owner, band, 5))).toMatch(/has used this plugin/)
    // A real suggestion on the band's song is its "install".
    const song = await openSongAs(collabUrl(server), owner, band)
    const lead = addTrack(song.doc, song.me, { kind: 'instrument', name: 'Lead' })
    const { clipId } = addClip(song.doc, song.me, lead, { start: 0, length: 1920 })
    addNotes(
      song.doc,
      song.me,
      lead,
      clipId,
      [72, 74, 76, 77].map((pitch, i) => ({ pitch, start: i * 480, duration: 480 })),
    )
    await waitFor(() => isSaved(song), 'song saved')
    song.destroy()
    await editor.api.ai.suggest.mutate({
      projectId: band,
      trackId: lead,
      fromTick: 0,
      toTick: 1920,
      pluginId: HARMONIZER,
    })
    expect(await outcome(() => rate(viewer, band, 5))).toBe('FORBIDDEN')
    expect(await rate(editor, band, 5)).toMatchObject({ mine: 5, mean: 5, count: 1 })
    // Editable, never counted twice.
    expect(await rate(owner, band, 3)).toMatchObject({ mine: 3, mean: 3, count: 1 })
    // Another band that never ran it cannot add to the count.
    expect(await outcome(() => rate(stranger, otherBand, 1))).toBe('FORBIDDEN')
    expect(await summary(viewer, HARMONIZER, band)).toEqual({
      pluginId: HARMONIZER,
      mean: 3,
      count: 1,
      mine: 3,
    })
  })
})

describe('plugins recommended for a song', () => {
  it('offers plugins for its track kinds, the kind it could use next first, and leaves out what it installed', async () => {
    const fresh = await seedProject(database.db, [{ userId: owner.userId, role: 'owner' }])
    const song = await openSongAs(collabUrl(server), owner, fresh)
    const lead = addTrack(song.doc, song.me, { kind: 'instrument', name: 'Lead' })
    const { clipId } = addClip(song.doc, song.me, lead, { start: 0, length: 1920 * 16 })
    // A lone 16-bar melody: it could use a harmonizer (and an arranger), and is long enough not to need Continue.
    addNotes(
      song.doc,
      song.me,
      lead,
      clipId,
      Array.from({ length: 64 }, (_, i) => ({ pitch: 72 + (i % 5), start: i * 480, duration: 480 })),
    )
    await waitFor(() => isSaved(song), 'song saved')
    song.destroy()
    const recommended = await owner.api.registry.recommended.query({ projectId: fresh })
    expect(recommended.map((r) => r.plugin.id)).toEqual([PADS, RISER])
    expect(recommended[0]?.why).toBe('This song could use a harmonizer on its instrument tracks.')
    expect(recommended[1]?.rating).toEqual({ mean: 3.5, count: 2 })
    await owner.api.registry.install.mutate({ projectId: fresh, pluginId: PADS })
    expect(
      (await owner.api.registry.recommended.query({ projectId: fresh })).map((r) => r.plugin.id),
    ).toEqual([RISER])
    expect(await outcome(() => stranger.api.registry.recommended.query({ projectId: fresh }))).toBe(
      'NOT_FOUND',
    )
  })
})
