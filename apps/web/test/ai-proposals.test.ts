import {
  acceptProposal,
  addClip,
  addNotes,
  addProposal,
  addTrack,
  createSongDoc,
  createUndo,
  moveNotes,
  readProposal,
  readProposals,
  readTrack,
  UserOrigin,
} from '@ensemble/core'
import { startTestInference, type TestInference } from '@ensemble/inference/testing'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { RunningServer } from '../src/server/app'
import { type Database, schema } from '../src/server/db'
import { seedSong } from '../src/server/projects/song-state'
import { type Caller, signUp } from './helpers/api'
import { isSaved, loadStoredDoc, type OpenSong, openSongAs } from './helpers/clients'
import { openTestDatabase } from './helpers/db'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/*
 * Proposals are the server's to write (issue 20): ai.suggest writes one into the room, sealed and tied to its
 * ai_runs row, and a client that writes a proposal or AI provenance itself is refused over the real
 * WebSocket, like a viewer's write. Real inference service (harmonizer), real collab clients, PGlite.
 */

const HARMONIZER = 'studio.ensemble.harmonizer'
const BAR = 1920
const REFUSED_WRITE = 4406

let database: Database
let inference: TestInference
let server: RunningServer
let owner: Caller
let editor: Caller
let bandmate: Caller
let projectId: string
let trackId: string
let clipId: string

const options = () => ({
  inferenceUrl: inference.url,
  inferenceSecret: inference.secret,
})

beforeAll(async () => {
  ;[database, inference] = await Promise.all([
    openTestDatabase('pglite'),
    startTestInference({ models: ['harmonizer'] }),
  ])
  server = await startTestServer(database, options())
  ;[owner, editor, bandmate] = await Promise.all([
    signUp(server.url, 'owner'),
    signUp(server.url, 'editor'),
    signUp(server.url, 'bandmate'),
  ])
  projectId = await seedProject(database.db, [
    { userId: owner.userId, role: 'owner' },
    { userId: editor.userId, role: 'editor' },
    { userId: bandmate.userId, role: 'editor' },
  ])
  const song = await openSongAs(collabUrl(server), owner, projectId)
  trackId = addTrack(song.doc, song.me, { kind: 'instrument', name: 'Lead' })
  ;({ clipId } = addClip(song.doc, song.me, trackId, { start: 0, length: 2 * BAR }))
  const melody = [72, 74, 76, 77].map((pitch, i) => ({ pitch, start: i * 480, duration: 480 }))
  addNotes(song.doc, song.me, trackId, clipId, melody)
  await waitFor(() => isSaved(song), 'melody saved')
  song.destroy()
}, 120_000)

afterAll(async () => {
  await server?.close()
  await inference?.close()
  await database?.close()
})

const suggest = (seed: number) =>
  editor.api.ai.suggest.mutate({
    projectId,
    trackId,
    fromTick: 0,
    toTick: 2 * BAR,
    pluginId: HARMONIZER,
    parameters: { voices: 3 },
    seed,
    variations: 2,
  })

/** A bandmate's edit made after `refused` and saved: the bandmate is in step with the room again. */
async function bandmateEdits(song: OpenSong, pitch: number): Promise<void> {
  addNotes(song.doc, song.me, trackId, clipId, [{ pitch, start: BAR, duration: 240 }])
  await waitFor(() => isSaved(song), 'the bandmate’s edit saved')
}

const refusals = async () => (await server.collab.rooms.peek(projectId))?.refusedUpdates ?? 0

describe('proposals are written by the server only', () => {
  it('refuses an editor’s own proposal: not applied, not stored, the others unaffected', async () => {
    const forger = await openSongAs(collabUrl(server), editor, projectId)
    const other = await openSongAs(collabUrl(server), bandmate, projectId)
    const before = await refusals()
    const run = {
      pluginId: HARMONIZER,
      pluginVersion: '1.0.0',
      modelHash: 'f'.repeat(64),
      seed: 1,
      requestedBy: editor.userId,
    }
    const forged = addProposal(forger.doc, run, {
      trackId,
      fromTick: 0,
      toTick: BAR,
      pluginId: HARMONIZER,
      pluginName: 'Harmonizer',
      pluginVersion: '1.0.0',
      kind: 'notes',
      variations: [{ label: 'Forged', notes: [{ pitch: 40, start: 0, duration: 480, velocity: 100 }] }],
      requestedByName: 'Editor',
    })
    await waitFor(() => forger.closes.includes(REFUSED_WRITE), 'the forger closed with 4406')
    expect(await refusals()).toBe(before + 1)

    await bandmateEdits(other, 50)
    expect(readProposal(other.doc, forged)).toBeUndefined()
    expect(other.closes).toEqual([])
    const stored = await loadStoredDoc(database.db, projectId)
    expect(readProposal(stored, forged)).toBeUndefined()
    // A refused client does not come back with the same doc (4406 is in the no-reconnect range).
    expect(forger.provider.shouldConnect).toBe(false)
    forger.destroy()
    other.destroy()
  })

  it('refuses a note whose AI provenance the server did not seal', async () => {
    const forger = await openSongAs(collabUrl(server), editor, projectId)
    const other = await openSongAs(collabUrl(server), bandmate, projectId)
    const provenance = {
      pluginId: HARMONIZER,
      pluginVersion: '1.0.0',
      modelHash: 'f'.repeat(64),
      seed: 1,
      requestedBy: editor.userId,
      acceptedBy: editor.userId,
      runId: 'made-up',
      seal: 'bm90IGEgc2VhbA',
    }
    const [noteId] = addNotes(forger.doc, forger.me, trackId, clipId, [
      { pitch: 41, start: 0, duration: 480, provenance },
    ])
    await waitFor(() => forger.closes.includes(REFUSED_WRITE), 'the forger closed with 4406')

    await bandmateEdits(other, 51)
    const noteIn = (doc: typeof other.doc) =>
      readTrack(doc, trackId)!.clips.some((c) => c.notes.some((n) => n.id === noteId))
    expect(noteIn(other.doc)).toBe(false)
    expect(noteIn(await loadStoredDoc(database.db, projectId))).toBe(false)
    expect(other.closes).toEqual([])
    forger.destroy()
    other.destroy()
  })
})

describe('ai.suggest writes the proposal', () => {
  it('reaches a connected bandmate with the run’s ai_runs id, stored before the call answers; accepting is undoable', async () => {
    const other = await openSongAs(collabUrl(server), bandmate, projectId)
    const result = await suggest(4321)
    expect(result.proposalId).not.toBeNull()
    const proposalId = result.proposalId!
    // Durable before the answer: the stored log already holds it.
    expect(readProposal(await loadStoredDoc(database.db, projectId), proposalId)).toBeDefined()

    await waitFor(
      () => readProposal(other.doc, proposalId) !== undefined,
      'the bandmate received the proposal',
    )
    const proposal = readProposal(other.doc, proposalId)!
    expect(proposal).toMatchObject({
      trackId,
      kind: 'notes',
      pluginId: HARMONIZER,
      pluginName: 'Harmonizer',
      run: { runId: result.runId, requestedBy: editor.userId, seed: 4321 },
    })
    expect(proposal.run.seal).toEqual(expect.any(String))
    expect(proposal.variations).toHaveLength(2)
    const [row] = await database.db.select().from(schema.aiRuns).where(eq(schema.aiRuns.id, result.runId))
    expect(row).toMatchObject({ outcome: 'ok', modelHash: proposal.run.modelHash, userId: editor.userId })

    // The bandmate accepts in their own tab: the notes copy the sealed run, so the room lets them in.
    const undo = createUndo(other.doc, other.me)
    const { noteIds } = acceptProposal(other.doc, other.me, proposalId, 0, { replace: false })
    await waitFor(() => isSaved(other), 'the acceptance saved')
    expect(other.closes).toEqual([])
    const stored = await loadStoredDoc(database.db, projectId)
    const accepted = readTrack(stored, trackId)!.clips.flatMap((c) =>
      c.notes.filter((n) => noteIds.includes(n.id)),
    )
    expect(accepted).toHaveLength(noteIds.length)
    expect(accepted[0]!.provenance).toMatchObject({ runId: result.runId, acceptedBy: bandmate.userId })
    expect(readProposal(stored, proposalId)).toBeUndefined()

    expect(undo.undo()).toBe(true)
    // An undo only deletes (no new clock for "saved" to count): wait for the stored song to lose the notes.
    const acceptedStored = async () => {
      const doc = await loadStoredDoc(database.db, projectId)
      return readTrack(doc, trackId)!.clips.some((c) => c.notes.some((n) => noteIds.includes(n.id)))
    }
    await waitFor(async () => !(await acceptedStored()), 'the undo stored')
    expect(other.closes).toEqual([])
    other.destroy()
  })

  it('writes into a room nobody has open, and the proposal survives a restart', async () => {
    // Nobody is connected: the call loads the room on this instance to write into it.
    const result = await suggest(99)
    const proposalId = result.proposalId!
    const { port } = server
    await server.close()
    // The same port: the callers' sessions are cookies for it.
    server = await startTestServer(database, { ...options(), port })
    const song = await openSongAs(collabUrl(server), owner, projectId)
    const proposal = readProposals(song.doc).find((p) => p.id === proposalId)
    expect(proposal?.run.runId).toBe(result.runId)
    song.destroy()
  })

  it('seals the AI notes of a song from before seals when its room loads, so a bandmate can still move them', async () => {
    const project = await seedProject(database.db, [{ userId: editor.userId, role: 'owner' }])
    const old = createSongDoc()
    const me = new UserOrigin(editor.userId)
    const track = addTrack(old, me, { kind: 'instrument', name: 'Old' })
    const { clipId: clip } = addClip(old, me, track, { start: 0, length: BAR })
    const provenance = {
      pluginId: HARMONIZER,
      pluginVersion: '1.0.0',
      modelHash: 'e'.repeat(64),
      seed: 3,
      requestedBy: editor.userId,
      acceptedBy: editor.userId,
    }
    const [noteId] = addNotes(old, me, track, clip, [{ pitch: 60, start: 0, duration: 480, provenance }])
    await seedSong(database.db, project, Y.encodeStateAsUpdate(old))

    const song = await openSongAs(collabUrl(server), editor, project)
    const note = () => readTrack(song.doc, track)!.clips[0]!.notes.find((n) => n.id === noteId)!
    await waitFor(() => note().provenance?.seal !== undefined, 'the old note sealed')
    expect(note().provenance).toMatchObject(provenance)
    moveNotes(song.doc, song.me, track, clip, [noteId!], { deltaPitch: 2 })
    await waitFor(() => isSaved(song), 'the move saved')
    expect(song.closes).toEqual([])
    song.destroy()
  })
})
