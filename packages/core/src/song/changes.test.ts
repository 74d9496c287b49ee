import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { PPQ } from '../music/time'
import { addBus } from './buses'
import { applyChainPreset } from './chain-presets'
import { ChangeSummariser } from './change-summary'
import { listChanges, type SongChange, SongChangeSchema } from './changes'
import { addClip, deleteClip, moveClip, renameClip, resizeClip } from './clips'
import { addDevice, moveDevice, removeDevice, setDeviceBypass, setDeviceParams } from './devices'
import { setKey, setTempo, setTimeSignature, setTitle } from './meta'
import { createSongDoc } from './migrate'
import { setMute, setPan, setVolume } from './mixer'
import { addNotes, deleteNotes, transposeNotes } from './notes'
import { type AiRun, UserOrigin } from './origins'
import { acceptProposal, addProposal, dismissProposal } from './proposals'
import { readMixer } from './read'
import { MASTER } from './schema'
import { addTrack, deleteTrack, renameTrack } from './tracks'

const BAR = PPQ * 4
const readSongFilter = (doc: Y.Doc, trackId: string): string =>
  readMixer(doc).chains[trackId]!.find((d) => d.kind === 'filter')!.id
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

/**
 * A song edited by several people, and the server's copy beside it: each edit is one update (as the log
 * keeps it), classified against the server's copy as it was just before.
 */
const studio = () => {
  const doc = createSongDoc({ bpm: 96 })
  const server = new Y.Doc()
  Y.applyUpdate(server, Y.encodeStateAsUpdate(doc))
  // Edits outside `edit` reach the server's copy unclassified, as any other log row would.
  let captured: Uint8Array[] | null = null
  doc.on('update', (u: Uint8Array) => {
    if (captured === null) Y.applyUpdate(server, u)
    else captured.push(u)
  })
  const edit = (body: () => void): SongChange[] => {
    const updates: Uint8Array[] = []
    captured = updates
    try {
      body()
    } finally {
      captured = null
    }
    expect(updates).toHaveLength(1)
    const changes = listChanges(server, updates[0]!)
    for (const change of changes) expect(SongChangeSchema.parse(change)).toEqual(change)
    return changes
  }
  return { doc, server, edit }
}

describe('listChanges', () => {
  it('names song-level changes with their values before and after', () => {
    const { doc, edit } = studio()
    expect(edit(() => setTempo(doc, bob, 100))).toEqual([{ kind: 'tempo', from: 96, to: 100 }])
    expect(edit(() => setTitle(doc, bob, 'Night drive'))).toEqual([
      { kind: 'title', from: 'Untitled', to: 'Night drive' },
    ])
    expect(edit(() => setTimeSignature(doc, bob, { numerator: 3, denominator: 4 }))).toEqual([
      {
        kind: 'time-signature',
        from: { numerator: 4, denominator: 4 },
        to: { numerator: 3, denominator: 4 },
      },
    ])
    expect(edit(() => setKey(doc, alice, { tonic: 'A', mode: 'minor' }))).toEqual([
      { kind: 'key', from: { tonic: 'C', mode: 'major' }, to: { tonic: 'A', mode: 'minor' } },
    ])
  })

  it('names track, mixer and clip changes with the place they happened', () => {
    const { doc, edit } = studio()
    let trackId = ''
    expect(
      edit(() => {
        trackId = addTrack(doc, bob, { kind: 'drums', name: 'Drums' })
      }),
    ).toEqual([{ kind: 'track-added', trackId, trackName: 'Drums' }])
    const bass = addTrack(doc, alice, { kind: 'instrument', name: 'Bass' })
    expect(edit(() => renameTrack(doc, bob, trackId, 'Kit'))).toEqual([
      { kind: 'track-renamed', trackId, trackName: 'Kit', from: 'Drums' },
    ])
    expect(edit(() => setVolume(doc, bob, trackId, -6))).toEqual([
      { kind: 'mixer', trackId, trackName: 'Kit', field: 'volumeDb', from: 0, to: -6 },
    ])
    expect(edit(() => setMute(doc, bob, trackId, true))).toMatchObject([
      { field: 'mute', from: false, to: true },
    ])
    let clipId = ''
    expect(
      edit(() => {
        clipId = addClip(doc, bob, trackId, {
          name: 'Groove',
          start: BAR,
          length: BAR,
          notes: [{ pitch: 36, start: 0, duration: 120 }],
        }).clipId
      }),
    ).toEqual([
      {
        kind: 'clip-added',
        trackId,
        trackName: 'Kit',
        clipId,
        clipName: 'Groove',
        start: BAR,
        end: BAR * 2,
        notes: 1,
      },
    ])
    const place = { trackId, trackName: 'Kit', clipId, clipName: 'Groove' }
    expect(edit(() => moveClip(doc, bob, trackId, clipId, { start: BAR * 2 }))).toEqual([
      { kind: 'clip-moved', ...place, start: BAR * 2, end: BAR * 3, fromStart: BAR, fromTrackId: null },
    ])
    expect(edit(() => resizeClip(doc, bob, trackId, clipId, { length: BAR * 2 }))).toEqual([
      { kind: 'clip-resized', ...place, start: BAR * 2, end: BAR * 4, fromEnd: BAR * 3 },
    ])
    expect(edit(() => renameClip(doc, bob, trackId, clipId, 'Fill'))).toEqual([
      { kind: 'clip-renamed', ...place, clipName: 'Fill', start: BAR * 2, end: BAR * 4, from: 'Groove' },
    ])
    // Changing track re-creates the clip under a new id: still one move, from where it was.
    let movedId = ''
    expect(
      edit(() => {
        movedId = moveClip(doc, bob, trackId, clipId, { start: BAR * 2, toTrackId: bass })
      }),
    ).toEqual([
      {
        kind: 'clip-moved',
        trackId: bass,
        trackName: 'Bass',
        clipId: movedId,
        clipName: 'Fill',
        start: BAR * 2,
        end: BAR * 4,
        fromStart: BAR * 2,
        fromTrackId: trackId,
      },
    ])
    expect(edit(() => deleteClip(doc, bob, bass, movedId))).toMatchObject([
      { kind: 'clip-removed', trackId: bass, clipId: movedId },
    ])
    expect(edit(() => deleteTrack(doc, bob, trackId))).toEqual([
      { kind: 'track-removed', trackId, trackName: 'Kit' },
    ])
  })

  it('counts notes added, changed and removed in a clip, with their span and ids', () => {
    const { doc, edit } = studio()
    const trackId = addTrack(doc, alice, { kind: 'instrument', name: 'Keys' })
    const { clipId } = addClip(doc, alice, trackId, { name: 'Verse', start: BAR, length: BAR * 2 })
    let ids: string[] = []
    const [added] = edit(() => {
      ids = addNotes(doc, bob, trackId, clipId, [
        { pitch: 60, start: 0, duration: PPQ },
        { pitch: 64, start: PPQ * 2, duration: PPQ },
      ])
    })
    expect(added).toEqual({
      kind: 'notes',
      trackId,
      trackName: 'Keys',
      clipId,
      clipName: 'Verse',
      start: BAR,
      end: BAR + PPQ * 3,
      added: 2,
      removed: 0,
      changed: 0,
      noteIds: ids,
    })
    expect(edit(() => transposeNotes(doc, bob, trackId, clipId, [ids[1]!], 2))).toMatchObject([
      { kind: 'notes', added: 0, removed: 0, changed: 1, noteIds: [ids[1]], start: BAR + PPQ * 2 },
    ])
    expect(edit(() => deleteNotes(doc, alice, trackId, clipId, [ids[0]!]))).toMatchObject([
      { kind: 'notes', added: 0, removed: 1, changed: 0, noteIds: [], start: BAR, end: BAR + PPQ },
    ])
  })

  it('tells an accepted proposal from a discarded one, with its plugin and run', () => {
    const { doc, edit } = studio()
    const trackId = addTrack(doc, alice, { kind: 'instrument', name: 'Lead' })
    const proposal = (variation: number) =>
      addProposal(doc, run, {
        trackId,
        fromTick: BAR,
        toTick: BAR * 2,
        pluginId: run.pluginId,
        pluginName: 'Harmonizer',
        pluginVersion: run.pluginVersion,
        kind: 'notes',
        variations: [
          { label: `Idea ${variation}`, notes: [{ pitch: 60, start: 0, duration: PPQ, velocity: 90 }] },
        ],
        requestedByName: 'Alice',
      })
    const first = proposal(1)
    const accepted = edit(() => acceptProposal(doc, bob, first, 0))
    expect(accepted).toContainEqual({
      kind: 'proposal-accepted',
      proposalId: first,
      trackId,
      trackName: 'Lead',
      pluginId: run.pluginId,
      pluginName: 'Harmonizer',
      runId: 'run-1',
      requestedBy: 'alice',
      start: BAR,
      end: BAR * 2,
    })
    expect(accepted.some((c) => c.kind === 'clip-added' || c.kind === 'notes')).toBe(true)
    const second = proposal(2)
    expect(edit(() => dismissProposal(doc, bob, second))).toMatchObject([
      { kind: 'proposal-discarded', proposalId: second, pluginName: 'Harmonizer' },
    ])
  })

  it('lists effects added, changed and removed per chain: a track, a bus and the master', () => {
    const { doc, edit } = studio()
    const bass = addTrack(doc, alice, { kind: 'instrument', name: 'Bass' })
    const [filter] = edit(() => addDevice(doc, bob, bass, { kind: 'filter' }))
    expect(filter).toEqual({
      kind: 'effects',
      trackId: bass,
      trackName: 'Bass',
      added: 1,
      removed: 0,
      changed: 0,
    })
    const eq = addDevice(doc, bob, bass, { kind: 'eq3' })
    const id = readSongFilter(doc, bass)
    expect(edit(() => setDeviceParams(doc, bob, id, { frequency: 300 }))).toMatchObject([
      { kind: 'effects', trackId: bass, changed: 1 },
    ])
    expect(edit(() => setDeviceBypass(doc, bob, id, true))).toMatchObject([{ kind: 'effects', changed: 1 }])
    expect(edit(() => moveDevice(doc, bob, eq, 0))).toMatchObject([{ kind: 'effects', changed: 1 }])
    // The last device leaving empties the chain (the track then has none): still a removal on the track.
    removeDevice(doc, bob, eq)
    expect(edit(() => removeDevice(doc, bob, id))).toEqual([
      { kind: 'effects', trackId: bass, trackName: 'Bass', added: 0, removed: 1, changed: 0 },
    ])
    const bus = addBus(doc, alice, { name: 'Verb' })
    expect(edit(() => addDevice(doc, bob, bus, { kind: 'reverb' }))).toMatchObject([
      { kind: 'effects', trackId: bus, trackName: 'Verb', added: 1 },
    ])
    const summary = new ChangeSummariser()
    summary.add(
      'carol',
      edit(() => applyChainPreset(doc, new UserOrigin('carol'), MASTER, 'factory-tight-bass')),
    )
    summary.add(
      'carol',
      edit(() => addDevice(doc, new UserOrigin('carol'), MASTER, { kind: 'limiter' })),
    )
    expect(summary.summary(10).authors[0]!.tracks).toMatchObject([
      {
        trackId: MASTER,
        trackName: 'Master',
        items: [{ kind: 'effects', text: 'added 3 effects on the master' }],
      },
    ])
    // A track deleted with its chain is one "removed track", not an effects line too.
    addDevice(doc, bob, bass, { kind: 'gate' })
    expect(edit(() => deleteTrack(doc, bob, bass))).toEqual([
      { kind: 'track-removed', trackId: bass, trackName: 'Bass' },
    ])
  })

  it('lists nothing for an update the copy already had', () => {
    const { doc, server } = studio()
    // Mirrored to the server's copy as it happens: replaying it (a duplicate delivery) changes nothing.
    setTempo(doc, bob, 110)
    expect(listChanges(server, Y.encodeStateAsUpdate(doc))).toEqual([])
  })
})

describe('ChangeSummariser', () => {
  it('groups by person and track, folds repeats and keeps first → last values', () => {
    const { doc, edit } = studio()
    const drums = addTrack(doc, alice, { kind: 'drums', name: 'Drums' })
    const summary = new ChangeSummariser()
    const clipIds: string[] = []
    for (let i = 0; i < 3; i++) {
      summary.add(
        'bob',
        edit(() => {
          clipIds.push(addClip(doc, bob, drums, { start: BAR * i, length: BAR }).clipId)
        }),
      )
    }
    summary.add(
      'bob',
      edit(() => setTempo(doc, bob, 98)),
    )
    summary.add(
      'bob',
      edit(() => setTempo(doc, bob, 100)),
    )
    summary.add(
      'carol',
      edit(() => setPan(doc, new UserOrigin('carol'), drums, -0.5)),
    )
    // A change undone by its author is no news.
    summary.add(
      'carol',
      edit(() => setTitle(doc, new UserOrigin('carol'), 'B')),
    )
    summary.add(
      'carol',
      edit(() => setTitle(doc, new UserOrigin('carol'), 'Untitled')),
    )
    const result = summary.summary(50)
    expect(result.omittedItems).toBe(0)
    expect(result.authors.map((a) => [a.authorId, a.edits])).toEqual([
      ['bob', 5],
      ['carol', 3],
    ])
    const [bobs, carols] = result.authors
    expect(bobs!.tracks).toEqual([
      {
        trackId: drums,
        trackName: 'Drums',
        items: [
          {
            kind: 'clip-added',
            text: 'added 3 clips',
            count: 3,
            place: { trackId: drums, clipIds, noteIds: [], start: 0, end: BAR * 3 },
          },
        ],
      },
      {
        trackId: null,
        trackName: null,
        items: [
          {
            kind: 'tempo',
            text: 'changed tempo 96 → 100',
            count: 2,
            place: { trackId: null, clipIds: [], noteIds: [], start: null, end: null },
          },
        ],
      },
    ])
    expect(carols!.tracks.flatMap((t) => t.items.map((i) => i.text))).toEqual([
      'changed pan centre → 50 % left',
    ])
  })

  it('stays short: items past the cap are counted, not listed, and uncounted edits are reported', () => {
    const { doc, edit } = studio()
    const summary = new ChangeSummariser()
    for (let i = 0; i < 5; i++) {
      summary.add(
        'bob',
        edit(() => {
          addTrack(doc, bob, { kind: 'instrument', name: `T${i}` })
        }),
      )
      const trackId = addTrack(doc, alice, { kind: 'instrument', name: `U${i}` })
      summary.add(
        'bob',
        edit(() => setVolume(doc, bob, trackId, -3)),
      )
    }
    summary.addUncounted('bob', 100_000)
    const result = summary.summary(4)
    expect(result.authors[0]!.tracks.flatMap((t) => t.items)).toHaveLength(4)
    expect(result.omittedItems).toBe(6)
    expect(result.unclassifiedEdits).toBe(100_000)
    expect(result.authors[0]!.edits).toBe(100_010)
  })
})
