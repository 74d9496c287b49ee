import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { PPQ } from '../music/time'
import { clientWriteRefusal, sealLegacyRuns } from './client-writes'
import { addClip } from './clips'
import { createSongDoc } from './migrate'
import { addNotes, moveNotes } from './notes'
import { type AiRun, UserOrigin } from './origins'
import { acceptProposal, addProposal, dismissProposal, PROPOSALS, readProposal } from './proposals'
import { readTrack } from './read'
import { addTrack } from './tracks'

/*
 * The server's copy and a client's replica of one song; each client write is checked against the server's
 * copy as the collab room does, from the update alone. A "seal" here is a plain marker the check accepts.
 */

const BAR = PPQ * 4
const alice = new UserOrigin('alice')
const SEAL = 'server-made'
const run: AiRun = {
  pluginId: 'dev.ensemble.harmonizer',
  pluginVersion: '1.0.0',
  modelHash: 'sha256:beef',
  seed: 7,
  requestedBy: 'alice',
  runId: 'run-1',
  seal: SEAL,
}
const sealed = (p: unknown) => typeof p === 'object' && p !== null && 'seal' in p && p.seal === SEAL

const proposal = (trackId: string) => ({
  trackId,
  fromTick: BAR,
  toTick: BAR * 2,
  pluginId: run.pluginId,
  pluginName: 'Harmonizer',
  pluginVersion: run.pluginVersion,
  kind: 'notes' as const,
  variations: [{ label: 'Idea', notes: [{ pitch: 60, start: 0, duration: PPQ, velocity: 90 }] }],
  requestedByName: 'Alice',
})

/** A server copy and a client replica in sync, with one track and clip; `write` runs on the client. */
function pair() {
  const server = createSongDoc()
  const trackId = addTrack(server, alice, { kind: 'instrument', name: 'Lead' })
  const { clipId } = addClip(server, alice, trackId, { start: 0, length: BAR * 2 })
  const client = new Y.Doc()
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server))
  /** What the client's write sends, and whether the server would refuse it (applied when it would not). */
  const write = (edit: (doc: Y.Doc) => void) => {
    const before = Y.encodeStateVector(client)
    edit(client)
    const update = Y.encodeStateAsUpdate(client, before)
    const refusal = clientWriteRefusal(server, update, sealed)
    if (refusal === null) Y.applyUpdate(server, update)
    return refusal
  }
  /** A server write (the proposal ai.suggest makes), which reaches the client as the room sends it. */
  const serverWrite = <T>(edit: (doc: Y.Doc) => T): T => {
    const before = Y.encodeStateVector(server)
    const result = edit(server)
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server, before))
    return result
  }
  return { server, client, trackId, clipId, write, serverWrite }
}

describe('what a client may write', () => {
  it('refuses a proposal a client writes, new or over an existing one, and lets it dismiss', () => {
    const { client, trackId, write, serverWrite } = pair()
    expect(write((doc) => addProposal(doc, run, proposal(trackId)))).toBe('proposal')
    // Setting a key again has no parent in the update (only its left neighbour): found in the server's copy.
    const first = serverWrite((doc) => addProposal(doc, run, proposal(trackId)))
    const second = serverWrite((doc) => addProposal(doc, run, proposal(trackId)))
    expect(write((doc) => dismissProposal(doc, alice, first))).toBeNull()
    const forged = { ...readProposal(client, second), pluginName: 'Forged' }
    expect(write((doc) => doc.getMap(PROPOSALS).set(second, forged))).toBe('proposal')
  })

  it('refuses notes with provenance the server did not seal, and lets sealed ones in, moved or accepted', () => {
    const forger = pair()
    const forged = { ...run, seal: undefined, acceptedBy: 'alice' }
    expect(
      forger.write((doc) =>
        addNotes(doc, alice, forger.trackId, forger.clipId, [
          { pitch: 60, start: 0, duration: PPQ, provenance: forged },
        ]),
      ),
    ).toBe('provenance')

    const { server, trackId, write, serverWrite } = pair()
    const id = serverWrite((doc) => addProposal(doc, run, proposal(trackId)))
    let noteIds: string[] = []
    expect(
      write((doc) => {
        noteIds = acceptProposal(doc, alice, id, 0).noteIds
      }),
    ).toBeNull()
    expect(noteIds).toHaveLength(1)
    // Moving an accepted note rewrites its value, with the same sealed provenance.
    const clip = readTrack(server, trackId)!.clips.find((c) => c.notes.some((n) => n.id === noteIds[0]))!
    expect(clip.notes.find((n) => n.id === noteIds[0])!.provenance).toMatchObject({
      seal: SEAL,
      runId: 'run-1',
    })
    expect(write((doc) => moveNotes(doc, alice, trackId, clip.id, noteIds, { deltaPitch: 2 }))).toBeNull()
  })

  it('refuses a proposal written beside a plain edit in one update, and allows plain edits', () => {
    const { trackId, clipId, write } = pair()
    expect(
      write((doc) => addNotes(doc, alice, trackId, clipId, [{ pitch: 62, start: 0, duration: PPQ }])),
    ).toBe(null)
    expect(
      write((doc) =>
        doc.transact(() => {
          addNotes(doc, alice, trackId, clipId, [{ pitch: 64, start: PPQ, duration: PPQ }])
          addProposal(doc, run, proposal(trackId))
        }),
      ),
    ).toBe('proposal')
  })

  it('cannot check an update that builds on content the server does not have, so refuses it', () => {
    const { trackId, clipId, client, server } = pair()
    const [noteId] = addNotes(client, alice, trackId, clipId, [{ pitch: 62, start: 0, duration: PPQ }])
    // The server never got the note: the move's value has only its left neighbour (the note) to go by.
    const before = Y.encodeStateVector(client)
    moveNotes(client, alice, trackId, clipId, [noteId!], { deltaTicks: PPQ })
    const move = Y.encodeStateAsUpdate(client, before)
    expect(clientWriteRefusal(server, move, sealed)).toBe('unknown_parent')
  })
})

describe('songs from before the seal', () => {
  it('seals the runs of old notes and open proposals once, so moving and accepting them pass', () => {
    const { server, client, trackId, clipId } = pair()
    const unsealed = { ...run, seal: undefined }
    const [noteId] = addNotes(server, alice, trackId, clipId, [
      { pitch: 60, start: 0, duration: PPQ, provenance: { ...unsealed, acceptedBy: 'alice' } },
    ])
    const proposalId = addProposal(server, unsealed, proposal(trackId))
    const resealed = sealLegacyRuns(server, (r) => ({ ...r, seal: SEAL }))
    expect(resealed).toBe(2)
    expect(sealLegacyRuns(server, (r) => ({ ...r, seal: SEAL }))).toBe(0)
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server))
    const note = readTrack(client, trackId)!.clips[0]!.notes.find((n) => n.id === noteId)!
    expect(note.provenance).toEqual({ ...run, acceptedBy: 'alice' })
    expect(readProposal(client, proposalId)!.run.seal).toBe(SEAL)
  })
})
