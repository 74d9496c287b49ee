import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { PPQ } from '../music/index'
import { addClip } from './clips'
import { createSongDoc } from './migrate'
import { addNotes } from './notes'
import { type AiRun, RemoteOrigin, UserOrigin } from './origins'
import {
  acceptProposal,
  addProposal,
  createProposalStore,
  dismissProposal,
  MAX_OPEN_PROPOSALS,
  observeProposals,
  type ProposalInput,
  readProposals,
} from './proposals'
import { readClip, readNotesInRange, readSong, readTracks } from './read'
import { connectedReplicas, expectRefused } from './testing/harness'
import { addTrack, deleteTrack } from './tracks'
import { createUndo } from './undo'

const BAR = PPQ * 4
const alice = new UserOrigin('alice')
const bob = new UserOrigin('bob')
const run: AiRun = {
  pluginId: 'dev.ensemble.harmonizer',
  pluginVersion: '1.0.0',
  modelHash: 'sha256:beef',
  seed: 7,
  requestedBy: 'alice',
  runId: 'run-1',
}

const melody = (pitch: number) => ({
  label: `Idea ${pitch}`,
  notes: [
    { pitch, start: 0, duration: PPQ, velocity: 90 },
    { pitch: pitch + 2, start: PPQ, duration: PPQ, velocity: 80 },
  ],
})

const input = (trackId: string, extra: Partial<ProposalInput> = {}): ProposalInput => ({
  trackId,
  fromTick: BAR,
  toTick: BAR * 2,
  pluginId: run.pluginId,
  pluginName: 'Harmonizer',
  pluginVersion: run.pluginVersion,
  kind: 'notes',
  variations: [melody(60), melody(64)],
  requestedByName: 'Alice',
  ...extra,
})

const setup = (doc: Y.Doc = createSongDoc()) => {
  const trackId = addTrack(doc, alice, { kind: 'instrument', name: 'Lead' })
  const { clipId } = addClip(doc, alice, trackId, { start: 0, length: BAR * 2 })
  const [inWindow] = addNotes(doc, alice, trackId, clipId, [{ pitch: 40, start: BAR, duration: 10 }])
  return { doc, trackId, clipId, inWindow: inWindow! }
}

/** Exchanges everything two replicas have that the other lacks, as the collab server would on reconnect. */
const sync = (a: Y.Doc, b: Y.Doc) => {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), new RemoteOrigin())
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), new RemoteOrigin())
}

describe('proposals', () => {
  it('are shared with every replica and survive a reload', () => {
    const [a, b] = connectedReplicas(2) as [Y.Doc, Y.Doc]
    const { trackId } = setup(a)
    // The server's provenance carries more than the run (timings, model list): only the run is kept.
    const provenance = { ...run, models: [{ assetId: 'm', sha256: 'beef' }], durationMs: 12 }
    const id = addProposal(a, provenance, input(trackId))
    expect(readProposals(b)).toEqual([
      expect.objectContaining({ id, trackId, run, kind: 'notes', requestedByName: 'Alice', fromTick: BAR }),
    ])
    const reloaded = new Y.Doc()
    Y.applyUpdate(reloaded, Y.encodeStateAsUpdate(a))
    expect(readProposals(reloaded)).toEqual(readProposals(a))
    expect(readProposals(a)[0]!.variations[1]!.label).toBe('Idea 64')
  })

  it('are not song content: nobody’s undo adds or removes them', () => {
    const { doc, trackId } = setup()
    const undo = createUndo(doc, alice)
    undo.clear()
    const id = addProposal(doc, run, input(trackId))
    expect(undo.canUndo()).toBe(false)
    dismissProposal(doc, alice, id)
    expect(undo.canUndo()).toBe(false)
    expect(readProposals(doc)).toEqual([])
  })

  it('refuses bad proposals and leaves the doc untouched', () => {
    const { doc, trackId } = setup()
    const tooLong = { label: 'x', notes: [{ pitch: 60, start: BAR - 1, duration: 2, velocity: 1 }] }
    expectRefused(doc, 'invalid_value', () =>
      addProposal(doc, run, input(trackId, { variations: [tooLong] })),
    )
    expectRefused(doc, 'invalid_value', () =>
      addProposal(doc, run, input(trackId, { variations: Array.from({ length: 9 }, () => melody(60)) })),
    )
    expectRefused(doc, 'invalid_value', () => addProposal(doc, run, input(trackId, { variations: [] })))
    const crowded = {
      label: 'crowded',
      notes: Array.from({ length: 2049 }, () => ({ pitch: 60, start: 0, duration: 1, velocity: 1 })),
    }
    const tooMany = expectRefused(doc, 'invalid_value', () =>
      addProposal(doc, run, input(trackId, { variations: [crowded, crowded, crowded, crowded] })),
    )
    expect(tooMany.message).toMatch(/at most 8192/)
    expectRefused(doc, 'invalid_value', () => addProposal(doc, run, input(trackId, { toTick: BAR })))
    expectRefused(doc, 'invalid_value', () =>
      addProposal(doc, { ...run, pluginId: 'someone.else' }, input(trackId)),
    )
    expectRefused(doc, 'invalid_value', () =>
      addProposal(doc, run, { ...input(trackId), extra: true } as ProposalInput),
    )
  })

  it('keep at most MAX_OPEN_PROPOSALS, dropping the oldest', () => {
    const { doc, trackId } = setup()
    const ids = Array.from({ length: MAX_OPEN_PROPOSALS + 2 }, () => addProposal(doc, run, input(trackId)))
    const open = readProposals(doc)
    expect(open).toHaveLength(MAX_OPEN_PROPOSALS)
    expect(open.map((p) => p.id)).toEqual(expect.arrayContaining(ids.slice(2)))
    expect(open.map((p) => p.id)).not.toContain(ids[0])
  })

  it('skip a record a misbehaving peer wrote instead of failing to read', () => {
    const { doc, trackId } = setup()
    const id = addProposal(doc, run, input(trackId))
    doc.getMap('proposals').set('junk', { id: 'junk', variations: 'lots' })
    expect(readProposals(doc).map((p) => p.id)).toEqual([id])
  })

  it('tell observers and stores about remote changes', () => {
    const [a, b] = connectedReplicas(2) as [Y.Doc, Y.Doc]
    const { trackId } = setup(a)
    const seen: number[] = []
    const stop = observeProposals(b, (open) => seen.push(open.length))
    const store = createProposalStore(b)
    const unsubscribe = store.subscribe(() => {})
    const before = store.getSnapshot()
    expect(store.getSnapshot()).toBe(before)
    const id = addProposal(a, run, input(trackId))
    dismissProposal(b, bob, id)
    stop()
    unsubscribe()
    addProposal(a, run, input(trackId))
    expect(seen).toEqual([1, 0])
    expect(store.getSnapshot()).not.toBe(before)
  })
})

describe('acceptProposal', () => {
  it('writes the variation with provenance and closes the proposal in one transaction', () => {
    const [a, b] = connectedReplicas(2) as [Y.Doc, Y.Doc]
    const { trackId, clipId, inWindow } = setup(a)
    const id = addProposal(a, run, input(trackId))
    let transactions = 0
    b.on('afterTransaction', () => transactions++)
    const { noteIds, trackIds } = acceptProposal(b, bob, id, 1)
    expect(transactions).toBe(1)
    expect(trackIds).toEqual([])
    expect(readProposals(a)).toEqual([])
    const written = readNotesInRange(a, trackId, BAR, BAR * 2)
    expect(written.map((n) => [n.pitch, n.start])).toEqual([
      [64, BAR],
      [66, BAR + PPQ],
    ])
    expect(written.map((n) => n.id).sort()).toEqual([...noteIds].sort())
    expect(written[0]!.provenance).toEqual({ ...run, acceptedBy: 'bob' })
    // Replace is the default: the note that was in the window is gone.
    expect(readClip(a, trackId, clipId)!.notes.map((n) => n.id)).not.toContain(inWindow)
  })

  it('is undone by the accepting user’s undo, leaving a collaborator’s later edit', () => {
    const [a, b] = connectedReplicas(2) as [Y.Doc, Y.Doc]
    const { trackId, clipId, inWindow } = setup(a)
    const id = addProposal(a, run, input(trackId))
    const bobUndo = createUndo(b, bob)
    const aliceUndo = createUndo(a, alice)
    aliceUndo.clear()
    acceptProposal(b, bob, id, 0, { replace: false })
    const [alicesNote] = addNotes(a, alice, trackId, clipId, [{ pitch: 30, start: 0, duration: 5 }])
    expect(aliceUndo.canUndo()).toBe(true)
    bobUndo.undo()
    const pitches = readClip(a, trackId, clipId)!.notes.map((n) => n.id)
    expect(pitches).toEqual(expect.arrayContaining([alicesNote, inWindow]))
    expect(readNotesInRange(a, trackId, 0, BAR * 2).some((n) => n.provenance)).toBe(false)
    // The proposal stays closed: undo takes back the song edit, not the decision.
    expect(readProposals(a)).toEqual([])
    expect(readSong(a)).toEqual(readSong(b))
  })

  it('adds an arranger’s tracks after the target track', () => {
    const { doc, trackId } = setup()
    const last = addTrack(doc, alice, { kind: 'drums', name: 'Drums' })
    const id = addProposal(
      doc,
      run,
      input(trackId, {
        kind: 'tracks',
        variations: [
          {
            label: 'Band',
            tracks: [{ name: 'Bass', kind: 'instrument', instrument: null, notes: melody(36).notes }],
          },
        ],
      }),
    )
    const { trackIds, noteIds } = acceptProposal(doc, alice, id, 0)
    expect(readTracks(doc).map((t) => t.id)).toEqual([trackId, ...trackIds, last])
    expect(noteIds).toHaveLength(2)
    const bass = readTracks(doc)[1]!
    expect(bass.clips[0]!.notes[0]!.provenance).toMatchObject({ acceptedBy: 'alice', runId: 'run-1' })
  })

  it('refuses unknown proposals, missing variations and deleted tracks without writing', () => {
    const { doc, trackId } = setup()
    const id = addProposal(doc, run, input(trackId))
    expectRefused(doc, 'proposal_not_found', () => acceptProposal(doc, alice, 'nope', 0))
    expectRefused(doc, 'out_of_range', () => acceptProposal(doc, alice, id, 2))
    expectRefused(doc, 'out_of_range', () => acceptProposal(doc, alice, id, 0.5))
    expectRefused(doc, 'invalid_value', () =>
      acceptProposal(doc, { userId: 'x' } as unknown as UserOrigin, id, 0),
    )
    deleteTrack(doc, alice, trackId)
    const error = expectRefused(doc, 'track_not_found', () => acceptProposal(doc, alice, id, 0))
    expect(error.message).toMatch(/deleted/)
    expect(readProposals(doc)).toHaveLength(1)
  })

  it('is refused for the second editor once the first acceptance has arrived', () => {
    const [a, b] = connectedReplicas(2) as [Y.Doc, Y.Doc]
    const { trackId } = setup(a)
    const id = addProposal(a, run, input(trackId))
    acceptProposal(a, alice, id, 0)
    const error = expectRefused(b, 'proposal_not_found', () => acceptProposal(b, bob, id, 1))
    expect(error.message).toMatch(/already/)
    expectRefused(b, 'proposal_not_found', () => dismissProposal(b, bob, id))
    expect(readNotesInRange(b, trackId, BAR, BAR * 2).map((n) => n.pitch)).toEqual([60, 62])
  })

  it('converges when two offline replicas accept the same proposal: both writes apply (documented)', () => {
    const a = createSongDoc()
    const { trackId } = setup(a)
    const id = addProposal(a, run, input(trackId))
    const b = new Y.Doc()
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a), new RemoteOrigin())
    acceptProposal(a, alice, id, 0)
    acceptProposal(b, bob, id, 1)
    sync(a, b)
    expect(readSong(a)).toEqual(readSong(b))
    expect(readProposals(a)).toEqual([])
    expect(readProposals(b)).toEqual([])
    const accepted = readNotesInRange(a, trackId, BAR, BAR * 2).map((n) => n.provenance?.acceptedBy)
    expect(accepted.sort()).toEqual(['alice', 'alice', 'bob', 'bob'])
  })

  it('converges when one replica accepts while another dismisses: the notes stay, the proposal goes', () => {
    const a = createSongDoc()
    const { trackId } = setup(a)
    const id = addProposal(a, run, input(trackId))
    const b = new Y.Doc()
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a), new RemoteOrigin())
    dismissProposal(a, alice, id)
    acceptProposal(b, bob, id, 0)
    sync(a, b)
    expect(readSong(a)).toEqual(readSong(b))
    expect(readProposals(a)).toEqual([])
    expect(readNotesInRange(a, trackId, BAR, BAR * 2).map((n) => n.pitch)).toEqual([60, 62])
  })
})
