import { createServer } from 'node:net'
import { addClip, addNotes, addTrack } from '@ensemble/core'
import type { TestInference } from '@ensemble/inference/testing'
import { TRPCClientError } from '@trpc/client'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import { type Database, schema } from '../src/server/db'
import { type AiBand, startAiBand } from './helpers/ai-band'
import { type Caller, outcome, signUp } from './helpers/api'
import { isSaved, openSongAs } from './helpers/clients'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/*
 * The `ai` router against the real inference service (in this process, over HTTP) with the committed
 * harmonizer weights, a real collab client seeding the server's copy of the song, and PGlite.
 */

const HARMONIZER = 'studio.ensemble.harmonizer'
const BAR = 1920

let band: AiBand
let database: Database
let inference: TestInference
let server: RunningServer
let owner: Caller
let editor: Caller
let viewer: Caller
let stranger: Caller
let projectId: string
let trackId: string

/** A port nothing listens on: the inference service "down". */
async function deadPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/** The tRPC error a call failed with: code, the AI reason (data.reason) and the message. */
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

const auditRow = async (runIdOrTrack: { runId?: string; trackId?: string }) => {
  const rows = await database.db
    .select()
    .from(schema.aiRuns)
    .where(
      runIdOrTrack.runId !== undefined
        ? eq(schema.aiRuns.id, runIdOrTrack.runId)
        : eq(schema.aiRuns.trackId, runIdOrTrack.trackId!),
    )
  return rows
}

// A melody in the first bar only: the harmonizer writes its voices under the melody it is given.
const melody = [72, 74, 76, 77].map((pitch, i) => ({ pitch, start: i * 480, duration: 480 }))

beforeAll(async () => {
  band = await startAiBand(['harmonizer'])
  ;({ database, inference, server, owner, editor, viewer, stranger, projectId } = band)

  // The owner writes the melody through a real collab connection: the server's copy is the room's.
  const song = await openSongAs(collabUrl(server), owner, projectId)
  trackId = addTrack(song.doc, song.me, { kind: 'instrument', name: 'Lead' })
  const { clipId } = addClip(song.doc, song.me, trackId, { start: 0, length: 2 * BAR })
  addNotes(song.doc, song.me, trackId, clipId, melody)
  await waitFor(() => isSaved(song), 'melody saved on the server')
  song.destroy()
}, 120_000)

afterAll(async () => {
  await band?.close()
})

const suggestInput = (extra: Record<string, unknown> = {}) => ({
  projectId,
  trackId,
  fromTick: 0,
  toTick: 2 * BAR,
  pluginId: HARMONIZER,
  parameters: { voices: 3 },
  seed: 1234,
  variations: 2,
  ...extra,
})

describe('ai router', () => {
  it('lists the available plugins that fit the track kind to members, and nothing to strangers', async () => {
    const listed = await viewer.api.ai.plugins.query({ projectId, trackKind: 'instrument' })
    expect(listed.reachable).toBe(true)
    // Continue has no weights in this service: it is not offered. The arranger only needs the harmonizer's.
    expect(listed.plugins.map((p) => p.id)).toContain(HARMONIZER)
    expect(listed.plugins.map((p) => p.id)).not.toContain('studio.ensemble.continue')
    const harmonizer = listed.plugins.find((p) => p.id === HARMONIZER)!
    expect(harmonizer).toMatchObject({ name: 'Harmonizer', version: '1.0.0', kind: 'harmonizer' })
    expect(harmonizer.parameters.map((p) => p.id)).toContain('voices')
    const drums = await viewer.api.ai.plugins.query({ projectId, trackKind: 'drums' })
    expect(drums.plugins.map((p) => p.id)).not.toContain(HARMONIZER)

    expect(await outcome(() => stranger.api.ai.plugins.query({ projectId }))).toBe('NOT_FOUND')
  })

  it('lets only editors ask for suggestions', async () => {
    expect(await outcome(() => viewer.api.ai.suggest.mutate(suggestInput()))).toBe('FORBIDDEN')
    expect(await outcome(() => stranger.api.ai.suggest.mutate(suggestInput()))).toBe('NOT_FOUND')
    const before = await auditRow({ trackId })
    expect(await outcome(() => editor.api.ai.suggest.mutate(suggestInput()))).toBe('OK')
    // Refused callers leave no audit row; the editor's run does.
    expect((await auditRow({ trackId })).length).toBe(before.length + 1)
  })

  it('runs the plugin on the server’s copy of the song, ignores a client’s window, and audits the run', async () => {
    const plain = await editor.api.ai.suggest.mutate(suggestInput())
    // A client that sends its own window (here: a melody in the second bar only) is not listened to.
    const forged = suggestInput({
      notes: [{ pitch: 40, start: BAR, duration: BAR, velocity: 100 }],
      window: { fromTick: BAR, toTick: 2 * BAR },
      target: { trackId, kind: 'drums', notes: [] },
    })
    const result = await editor.api.ai.suggest.mutate(forged as ReturnType<typeof suggestInput>)
    expect(result.suggestions).toEqual(plain.suggestions)
    expect(result.window).toEqual({ trackId, kind: 'instrument', fromTick: 0, toTick: 2 * BAR })
    expect(result.suggestions).toHaveLength(2)
    const notes = result.suggestions.flatMap((s) => ('notes' in s ? s.notes : []))
    expect(notes.length).toBeGreaterThan(0)
    // The voices sit under the server's melody (bar 1, up to F5), never above it, and end inside the window.
    for (const n of notes) {
      expect(n.pitch).toBeLessThan(77)
      expect(n.start + n.duration).toBeLessThanOrEqual(2 * BAR)
    }
    expect(notes.some((n) => n.start < BAR)).toBe(true)

    expect(result.provenance).toMatchObject({
      runId: result.runId,
      pluginId: HARMONIZER,
      pluginVersion: '1.0.0',
      seed: 1234,
      requestedBy: editor.userId,
    })
    expect(result.provenance.modelHash).toMatch(/^[0-9a-f]{64}$/)

    const [row] = await auditRow({ runId: result.runId })
    expect(row).toMatchObject({
      projectId,
      userId: editor.userId,
      trackId,
      fromTick: 0,
      toTick: 2 * BAR,
      pluginId: HARMONIZER,
      version: '1.0.0',
      modelHash: result.provenance.modelHash,
      parameters: { voices: 3 },
      seed: 1234,
      variations: 2,
      outcome: 'ok',
    })
    expect(row!.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('answers a bad request with a clear BAD_REQUEST and audits it', async () => {
    const gone = await failure(() => editor.api.ai.suggest.mutate(suggestInput({ trackId: 'no-such-track' })))
    expect(gone).toMatchObject({ code: 'BAD_REQUEST', reason: 'bad_request' })
    expect(gone.message).toMatch(/track is not in the song/)
    expect((await auditRow({ trackId: 'no-such-track' })).map((r) => r.outcome)).toEqual(['track_not_found'])

    const settings = await failure(() =>
      editor.api.ai.suggest.mutate(suggestInput({ parameters: { voices: 9 }, seed: 77 })),
    )
    expect(settings).toMatchObject({ code: 'BAD_REQUEST', reason: 'bad_request' })
    expect(settings.message).toMatch(/voices/)

    const unavailable = await failure(() =>
      editor.api.ai.suggest.mutate(suggestInput({ pluginId: 'studio.ensemble.continue', seed: 78 })),
    )
    expect(unavailable).toMatchObject({ code: 'PRECONDITION_FAILED', reason: 'plugin_unavailable' })

    const outcomes = (await auditRow({ trackId }))
      .filter((r) => r.seed === 77 || r.seed === 78)
      .map((r) => [r.seed, r.outcome, r.modelHash])
      .sort()
    expect(outcomes).toEqual([
      [77, 'invalid_parameters', null],
      [78, 'plugin_unavailable', null],
    ])

    expect(
      await failure(() => editor.api.ai.suggest.mutate(suggestInput({ fromTick: 2 * BAR, toTick: BAR }))),
    ).toMatchObject({ code: 'BAD_REQUEST' })
  })

  it('says the AI service is unavailable when it is down, and the web server keeps serving', async () => {
    const down = await startTestServer(database, {
      inferenceUrl: `http://127.0.0.1:${await deadPort()}/trpc`,
      inferenceSecret: inference.secret,
    })
    const wrongSecret = await startTestServer(database, {
      inferenceUrl: inference.url,
      inferenceSecret: 'not-the-inference-secret-at-all',
    })
    try {
      const me = await signUp(down.url, 'down-editor')
      const project = await seedProject(database.db, [{ userId: me.userId, role: 'owner' }])
      const song = await openSongAs(collabUrl(down), me, project)
      const track = addTrack(song.doc, song.me, { kind: 'instrument' })
      await waitFor(() => isSaved(song), 'track saved')

      const input = { ...suggestInput(), projectId: project, trackId: track, seed: 4242 }
      const failed = await failure(() => me.api.ai.suggest.mutate(input))
      expect(failed).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'unavailable' })
      expect(failed.message).toMatch(/not reachable/)
      expect((await auditRow({ trackId: track })).map((r) => r.outcome)).toEqual(['service_unreachable'])

      const listed = await me.api.ai.plugins.query({ projectId: project })
      expect(listed).toMatchObject({ reachable: false, plugins: [], reason: 'unavailable' })

      // The rest of the app is unaffected: the API answers and the room still syncs.
      expect((await me.api.projects.list.query()).map((p) => p.id)).toContain(project)
      addTrack(song.doc, song.me, { kind: 'drums' })
      await waitFor(() => isSaved(song), 'still saving')
      song.destroy()

      const other = await signUp(wrongSecret.url, 'misconfigured')
      const theirs = await seedProject(database.db, [{ userId: other.userId, role: 'owner' }])
      const refused = await other.api.ai.plugins.query({ projectId: theirs })
      expect(refused).toMatchObject({ reachable: false, reason: 'unavailable' })
      if (!refused.reachable) expect(refused.message).toMatch(/INFERENCE_SECRET/)
    } finally {
      await down.close()
      await wrongSecret.close()
    }
  })
})
