import { acceptProposal, addTrack, readProposals, readSong } from '@ensemble/core'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import { type Database, schema } from '../src/server/db'
import { type AiBand, startAiBand } from './helpers/ai-band'
import { type Caller, outcome } from './helpers/api'
import { isSaved, openSongAs } from './helpers/clients'
import { seedProject } from './helpers/projects'
import { collabUrl } from './helpers/server'
import { waitFor } from './helpers/wait'

/*
 * `ai.background` against the real inference service (in this process, over HTTP) with the committed weights
 * of the three models the maker uses, a real collab client and PGlite: only an editor makes a background song;
 * the song takes the plan's tempo and key; the four tracks arrive as one proposal that a bandmate accepts, and
 * every note then carries the sealed run.
 */

let band: AiBand
let database: Database
let server: RunningServer
let owner: Caller
let editor: Caller
let viewer: Caller
let stranger: Caller
let projectId: string

const settings = (extra: Record<string, unknown> = {}) => ({
  projectId,
  mood: 'happy' as const,
  style: 'folk' as const,
  tempo: 'fit' as const,
  key: 'any' as const,
  length: { seconds: 12 },
  loop: true,
  arc: 'steady' as const,
  seed: 7,
  ...extra,
})

beforeAll(async () => {
  band = await startAiBand(['harmonizer', 'continue', 'drums'], {
    authRateLimit: { max: 10_000, windowSeconds: 60 },
  })
  ;({ database, server, owner, editor, viewer, stranger, projectId } = band)
}, 120_000)

afterAll(async () => {
  await band?.close()
})

const runsOf = () => database.db.select().from(schema.aiRuns).where(eq(schema.aiRuns.projectId, projectId))

describe('ai.background', () => {
  it('refuses a viewer and a stranger, and writes nothing for them', async () => {
    expect(await outcome(() => viewer.api.ai.background.mutate(settings()))).toBe('FORBIDDEN')
    expect(await outcome(() => stranger.api.ai.background.mutate(settings()))).toBe('NOT_FOUND')
    expect(await runsOf()).toEqual([])
    const song = await openSongAs(collabUrl(server), owner, projectId)
    expect(readProposals(song.doc)).toEqual([])
    expect(readSong(song.doc).meta.bpm).toBe(120)
    song.destroy()
  })

  it('refuses settings outside what the maker offers', async () => {
    for (const bad of [{ mood: 'angry' }, { style: 'salsa' }, { length: { seconds: 2 } }, { tempo: 5 }])
      expect(await outcome(() => editor.api.ai.background.mutate(settings(bad)))).toBe('BAD_REQUEST')
  })

  it('makes a four-track song for an editor, at the planned tempo and key, that a bandmate accepts with provenance', async () => {
    const song = await openSongAs(collabUrl(server), owner, projectId)
    const made = await editor.api.ai.background.mutate(settings())
    expect(made.proposalId).not.toBeNull()
    expect(Math.abs(made.song.seconds - 12)).toBeLessThanOrEqual(60 / made.song.bpm)
    await waitFor(
      () => readProposals(song.doc).some((p) => p.id === made.proposalId),
      'the proposal reaches the bandmate',
    )
    const meta = readSong(song.doc).meta
    expect(meta.bpm).toBe(made.song.bpm)
    expect(meta.key).toEqual(made.song.key)
    acceptProposal(song.doc, song.me, made.proposalId!, 0)
    const tracks = readSong(song.doc).tracks
    expect(tracks.map((t) => t.name)).toEqual(['Melody', 'Harmony', 'Bass', 'Drums'])
    for (const track of tracks) {
      const notes = track.clips.flatMap((c) => c.notes)
      expect(notes.length, track.name).toBeGreaterThan(0)
      for (const n of notes) {
        expect(n.provenance).toMatchObject({ runId: made.runId, pluginId: 'studio.ensemble.background' })
        expect(n.provenance?.seal).toBeTruthy()
      }
    }
    await waitFor(() => isSaved(song), 'accepted song saved')
    const [run] = await runsOf()
    expect(run).toMatchObject({ id: made.runId, outcome: 'ok', userId: editor.userId, seed: 7 })

    // The song has tracks now: the maker, which retimes a song, does not write over it.
    expect(await outcome(() => editor.api.ai.background.mutate(settings()))).toBe('BAD_REQUEST')
    song.destroy()
  }, 60_000)

  it('an editor cannot make one over a song that already has tracks', async () => {
    const other = await seedProject(database.db, [{ userId: editor.userId, role: 'owner' }])
    const song = await openSongAs(collabUrl(server), editor, other)
    addTrack(song.doc, song.me, { kind: 'instrument', name: 'Lead' })
    await waitFor(() => isSaved(song), 'track saved')
    expect(await outcome(() => editor.api.ai.background.mutate(settings({ projectId: other })))).toBe(
      'BAD_REQUEST',
    )
    song.destroy()
  })
})
