import { acceptProposal, readProposal, readTrack } from '@ensemble/core'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import { type Database, schema } from '../src/server/db'
import { type Caller, signUp } from './helpers/api'
import { isSaved, loadStoredDoc, openSongAs } from './helpers/clients'
import { openTestDatabase } from './helpers/db'
import { collabUrl, startTestServer } from './helpers/server'
import { seedSongWithTrack } from './helpers/songs'
import { waitFor } from './helpers/wait'

/*
 * "Keep" in the AI partner panel (issue 24): what a live partner played becomes a proposal on the same
 * server-written path as ai.suggest, named "AI partner <kind>", audited and sealed; a bandmate accepts it and
 * the notes carry the run. A viewer cannot keep. Real server, real collab clients, PGlite.
 */

let database: Database
let server: RunningServer
let editor: Caller
let bandmate: Caller
let viewer: Caller
let projectId: string
let trackId: string

beforeAll(async () => {
  database = await openTestDatabase('pglite')
  server = await startTestServer(database, { authRateLimit: { max: 10_000, windowSeconds: 60 } })
  ;[editor, bandmate, viewer] = await Promise.all([
    signUp(server.url, 'keeper'),
    signUp(server.url, 'bandmate'),
    signUp(server.url, 'viewer'),
  ])
  ;({ projectId, trackId } = await seedSongWithTrack(
    database,
    server,
    [
      { caller: editor, role: 'owner' },
      { caller: bandmate, role: 'editor' },
      { caller: viewer, role: 'viewer' },
    ],
    'AI partner',
  ))
}, 120_000)

afterAll(async () => {
  await server?.close()
  await database?.close()
})

const take = {
  partner: 'call-response' as const,
  pluginVersion: '1.0.0',
  modelHash: 'a'.repeat(64),
  seed: 7,
  fromTick: 3840,
  toTick: 7680,
  notes: [
    { pitch: 62, start: 0, duration: 240, velocity: 90 },
    { pitch: 66, start: 480, duration: 480, velocity: 90 },
  ],
}

describe('keeping what the AI partner played', () => {
  it('writes a sealed, audited proposal named for the partner, which a bandmate accepts with its provenance', async () => {
    const other = await openSongAs(collabUrl(server), bandmate, projectId)
    const kept = await editor.api.ai.keepPartnerTake.mutate({ projectId, trackId, ...take })
    expect(kept.pluginName).toBe('AI partner call and response')
    expect(readProposal(await loadStoredDoc(database.db, projectId), kept.proposalId)).toBeDefined()
    await waitFor(() => readProposal(other.doc, kept.proposalId) !== undefined, 'the bandmate sees it')
    const proposal = readProposal(other.doc, kept.proposalId)!
    expect(proposal).toMatchObject({
      kind: 'notes',
      trackId,
      fromTick: 3840,
      pluginId: 'studio.ensemble.live.call-response',
      pluginName: 'AI partner call and response',
      run: { runId: kept.runId, requestedBy: editor.userId, seed: 7, modelHash: 'a'.repeat(64) },
    })
    expect(proposal.run.seal).toEqual(expect.any(String))
    const [row] = await database.db.select().from(schema.aiRuns).where(eq(schema.aiRuns.id, kept.runId))
    expect(row).toMatchObject({
      outcome: 'ok',
      pluginId: 'studio.ensemble.live.call-response',
      userId: editor.userId,
    })

    acceptProposal(other.doc, other.me, kept.proposalId, 0, { replace: false })
    await waitFor(() => isSaved(other), 'accepted notes saved')
    const notes = readTrack(other.doc, trackId)!.clips.flatMap((c) => c.notes)
    expect(notes.map((n) => n.pitch).sort()).toEqual([62, 66])
    for (const n of notes)
      expect(n.provenance).toMatchObject({
        pluginId: 'studio.ensemble.live.call-response',
        runId: kept.runId,
      })
    expect(other.closes).toEqual([])
    other.destroy()
  })

  it('refuses a viewer, an unknown partner and notes outside the window', async () => {
    await expect(viewer.api.ai.keepPartnerTake.mutate({ projectId, trackId, ...take })).rejects.toMatchObject(
      {
        data: { code: 'FORBIDDEN' },
      },
    )
    await expect(
      editor.api.ai.keepPartnerTake.mutate({ projectId, trackId, ...take, partner: 'pianist' as 'bass' }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } })
    await expect(
      editor.api.ai.keepPartnerTake.mutate({
        projectId,
        trackId,
        ...take,
        notes: [{ pitch: 60, start: 5000, duration: 480, velocity: 80 }],
      }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } })
  })
})
