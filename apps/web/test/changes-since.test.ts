import {
  AiProposalOrigin,
  acceptProposal,
  addClip,
  addNotes,
  addProposal,
  addTrack,
  PPQ,
  renameTrack,
  setKey,
  setTempo,
  setVolume,
} from '@ensemble/core'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import { MAX_STORED_ENTRIES } from '../src/server/changes/change-log'
import type { SinceSummary } from '../src/server/changes/router'
import type { Database } from '../src/server/db'
import { schema } from '../src/server/db'
import { countRows } from '../src/server/db/update-log'
import { type Caller, createApi, outcome, signUp } from './helpers/api'
import { isSaved, type OpenSong, openSongAs } from './helpers/clients'
import { openTestDatabase } from './helpers/db'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/*
 * Issue 23, "what changed since you left": Alice visits a song, Bob edits it while she is away, and
 * when she comes back the server tells her exactly what Bob changed: not her own edits, not anything
 * from before her visit; after a compaction folded the log into a snapshot, and after a restart.
 * Real server, real collab clients (the studio's provider), real HTTP API, PGlite.
 */

const BAR = PPQ * 4

let database: Database
let server: RunningServer
let alice: Caller
let bob: Caller
let stranger: Caller

const start = async () => {
  // Compaction only when a test asks for it (`compact`), so the test knows what is in the tail.
  server = await startTestServer(database, {
    compaction: { maxTailUpdates: 100_000 },
  })
}

/** The same people, signed in, on the server as it runs now (a restart gives it a new port). */
const as = (caller: Caller): Caller => ({ ...caller, api: createApi(server.url, caller.cookie) })

beforeAll(async () => {
  database = await openTestDatabase('pglite')
  await start()
  ;[alice, bob, stranger] = await Promise.all([
    signUp(server.url, 'alice', 'Alice'),
    signUp(server.url, 'bob', 'Bob'),
    signUp(server.url, 'stranger', 'Stranger'),
  ])
}, 120_000)

afterAll(async () => {
  await server?.close()
  await database?.close()
})

/** A song of Alice's with Bob in the band as an editor. */
async function bandSong(): Promise<string> {
  const { id } = await as(alice).api.projects.create.mutate({ name: 'Night Drive' })
  const invite = await as(alice).api.invites.create.mutate({ projectId: id, role: 'editor', maxUses: 1 })
  await as(bob).api.invites.accept.mutate({ secret: invite.secret })
  return id
}

async function edit(song: OpenSong, body: () => void): Promise<void> {
  body()
  await waitFor(() => isSaved(song), 'saved')
}

/** What a member reads: who, which track, which lines. */
const lines = (summary: SinceSummary) =>
  summary.authors.map((a) => ({
    who: a.authorName,
    tracks: a.tracks.map((t) => ({ track: t.trackName, items: t.items.map((i) => i.text) })),
  }))

async function compact(projectId: string): Promise<void> {
  const room = await server.collab.rooms.peek(projectId)
  expect(await room?.log.compactNow()).toBe(true)
}

describe('what changed since you left', () => {
  it("lists exactly Bob's changes since Alice's visit, through compaction and a restart", async () => {
    const id = await bandSong()
    const a = await openSongAs(collabUrl(server), alice, id)
    const b = await openSongAs(collabUrl(server), bob, id)

    // Before Alice's visit: her own track and Bob's, which she has seen.
    let drums = ''
    let bass = ''
    await edit(a, () => {
      drums = addTrack(a.doc, a.me, { kind: 'drums', name: 'Drums' })
    })
    await edit(b, () => {
      bass = addTrack(b.doc, b.me, { kind: 'instrument', name: 'Bass' })
      setTempo(b.doc, b.me, 96)
    })
    expect((await alice.api.changes.since.query({ projectId: id })).firstVisit).toBe(true)
    await alice.api.changes.markSeen.mutate({ projectId: id })
    a.destroy()

    // Alice is away. Bob adds three clips to Drums (one with notes) and changes the tempo twice...
    const clips: string[] = []
    for (let i = 0; i < 3; i++) {
      await edit(b, () => {
        clips.push(addClip(b.doc, b.me, drums, { name: `Beat ${i + 1}`, start: BAR * i, length: BAR }).clipId)
      })
    }
    await edit(b, () => setTempo(b.doc, b.me, 98))
    // A compaction in the middle: Bob's edits so far are folded into the snapshot.
    await compact(id)
    await edit(b, () => setTempo(b.doc, b.me, 100))
    let noteIds: string[] = []
    await edit(b, () => {
      noteIds = addNotes(b.doc, b.me, drums, clips[0]!, [
        { pitch: 36, start: 0, duration: 120 },
        { pitch: 38, start: PPQ, duration: 120 },
      ])
    })
    await edit(b, () => renameTrack(b.doc, b.me, bass, 'Synth bass'))
    await edit(b, () => setVolume(b.doc, b.me, bass, -6))
    // ...and accepts the Harmonizer's suggestion for the bass.
    // The server writes proposals (ai.suggest does this after a run); Bob accepts it.
    let proposalId = ''
    await server.collab.rooms.hold(id, async (room) => {
      const run = server.collab.writeRules.seal({
        pluginId: 'dev.ensemble.harmonizer',
        pluginVersion: '1.0.0',
        modelHash: 'sha256:beef',
        seed: 1,
        requestedBy: bob.userId,
        runId: 'run-1',
      })
      room.commitServerEdit(new AiProposalOrigin(run), (doc) => {
        proposalId = addProposal(doc, run, {
          trackId: bass,
          fromTick: BAR * 4,
          toTick: BAR * 5,
          pluginId: 'dev.ensemble.harmonizer',
          pluginName: 'Harmonizer',
          pluginVersion: '1.0.0',
          kind: 'notes',
          variations: [{ label: 'Walk', notes: [{ pitch: 40, start: 0, duration: PPQ, velocity: 90 }] }],
          requestedByName: 'Bob',
        })
      })
      await room.allStored()
    })
    await waitFor(() => b.doc.getMap('proposals').has(proposalId), 'proposal at Bob')
    await edit(b, () => acceptProposal(b.doc, b.me, proposalId, 0))
    // Alice, from another tab, changes the key: her own edit is no news to her.
    const otherTab = await openSongAs(collabUrl(server), alice, id)
    await edit(otherTab, () => setKey(otherTab.doc, otherTab.me, { tonic: 'A', mode: 'minor' }))
    otherTab.destroy()

    const expected = [
      {
        who: 'Bob',
        tracks: [
          { track: 'Drums', items: ['added 3 clips', 'added 2 notes in clip “Beat 1”'] },
          { track: null, items: ['changed tempo 96 → 100'] },
          {
            track: 'Synth bass',
            items: [
              'renamed track “Bass” → “Synth bass”',
              'changed volume 0 dB → -6 dB',
              'added clip “Walk”',
              'accepted Harmonizer’s proposal',
            ],
          },
        ],
      },
    ]
    const summary = await alice.api.changes.since.query({ projectId: id })
    expect(summary.firstVisit).toBe(false)
    expect(lines(summary)).toEqual(expected)
    // Each line says where to look: the clips Bob added and the notes he wrote, at their bars.
    const drumItems = summary.authors[0]!.tracks[0]!.items
    expect(drumItems[0]!.place).toMatchObject({ trackId: drums, clipIds: clips, start: 0, end: BAR * 3 })
    expect(drumItems[1]!.place).toMatchObject({ trackId: drums, clipIds: [clips[0]], noteIds })
    // Bob sees Alice's key change, not his own edits.
    expect(lines(await bob.api.changes.since.query({ projectId: id }))).toEqual([])

    // Everything folded into a snapshot, then the server restarted: the same answer.
    await compact(id)
    expect(await countRows(database.db, id)).toEqual({ updates: 0, snapshots: 1 })
    expect(lines(await alice.api.changes.since.query({ projectId: id }))).toEqual(expected)
    b.destroy()
    await server.close()
    await start()
    const aliceNow = as(alice)
    expect(lines(await aliceNow.api.changes.since.query({ projectId: id }))).toEqual(expected)

    // Seen: nothing left until Bob edits again.
    await aliceNow.api.changes.markSeen.mutate({ projectId: id, upToSeq: summary.headSeq })
    expect(lines(await aliceNow.api.changes.since.query({ projectId: id }))).toEqual([])
    const again = await openSongAs(collabUrl(server), as(bob), id)
    await edit(again, () => setTempo(again.doc, again.me, 110))
    again.destroy()
    expect(lines(await aliceNow.api.changes.since.query({ projectId: id }))).toEqual([
      { who: 'Bob', tracks: [{ track: null, items: ['changed tempo 100 → 110'] }] },
    ])
  }, 120_000)

  it('answers a member away for thousands of edits with a short summary that counts the rest', async () => {
    const id = await bandSong()
    await as(alice).api.changes.markSeen.mutate({ projectId: id })
    const seen = (await as(alice).api.changes.since.query({ projectId: id })).seenSeq
    // Bob's edits, already folded by compactions: one tempo change each, stored as classified.
    const edits = MAX_STORED_ENTRIES + 1000
    const rows = Array.from({ length: edits }, (_, i) => ({
      projectId: id,
      seq: seen + 1 + i,
      authorId: bob.userId,
      changes: [{ kind: 'tempo' as const, from: 60 + (i % 300), to: 60 + ((i + 1) % 300) }],
    }))
    for (let i = 0; i < rows.length; i += 1000)
      await database.db.insert(schema.songChanges).values(rows.slice(i, i + 1000))
    const [seed] = await database.db
      .select({ state: schema.documentSnapshots.state })
      .from(schema.documentSnapshots)
      .where(eq(schema.documentSnapshots.projectId, id))
    await database.db.insert(schema.documentSnapshots).values({
      projectId: id,
      upToSeq: seen + edits,
      state: seed!.state,
      byteLength: seed!.state.byteLength,
    })

    const summary = await as(alice).api.changes.since.query({ projectId: id })
    expect(summary.authors).toHaveLength(1)
    expect(summary.authors[0]).toMatchObject({ authorName: 'Bob', edits })
    expect(lines(summary)).toEqual([
      { who: 'Bob', tracks: [{ track: null, items: ['changed tempo 60 → 260'] }] },
    ])
    expect(summary.unclassifiedEdits).toBe(edits - MAX_STORED_ENTRIES)
  }, 120_000)

  it('refuses someone outside the band, as if the song did not exist', async () => {
    const id = await bandSong()
    const outsider = as(stranger)
    expect(await outcome(() => outsider.api.changes.since.query({ projectId: id }))).toBe('NOT_FOUND')
    expect(await outcome(() => outsider.api.changes.markSeen.mutate({ projectId: id }))).toBe('NOT_FOUND')
  })
})
