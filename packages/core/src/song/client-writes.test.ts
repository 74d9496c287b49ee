import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { PPQ } from '../music/time'
import { addAutomationPoints } from './automation'
import { addBus, deleteBus, setBusField, setSend } from './buses'
import { applyChainPreset, saveChainPreset } from './chain-presets'
import { clientWriteRefusal, sealLegacyRuns } from './client-writes'
import { addClip } from './clips'
import { addDevice, moveDevice, removeDevice, setDeviceBypass, setDeviceParams } from './devices'
import { createSongDoc } from './migrate'
import { addNotes, moveNotes } from './notes'
import { type AiRun, UserOrigin } from './origins'
import { acceptProposal, addProposal, dismissProposal, PROPOSALS, readProposal } from './proposals'
import { readMixer, readTrack } from './read'
import { MASTER, MAX_CHAIN_DEVICES } from './schema'
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
  it('a live jam take (the player on the clip) is a client write like any clip', () => {
    const { trackId, write } = pair()
    const liveTake = { playedBy: 'alice', playerName: 'Alice', playedAt: '2026-12-07T22:00:00.000Z' }
    expect(
      write((doc) =>
        addClip(doc, alice, trackId, {
          start: BAR * 4,
          length: BAR,
          liveTake,
          notes: [{ pitch: 62, start: 0, duration: PPQ }],
        }),
      ),
    ).toBeNull()
  })

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

describe('effects, routing and automation a client writes', () => {
  const raw = (doc: Y.Doc, map: string) => doc.getMap<unknown>(map)
  const params = (doc: Y.Doc, deviceId: string) =>
    (raw(doc, 'devices').get(deviceId) as Y.Map<unknown>).get('params') as Y.Map<unknown>

  it('lets every edit the operations make pass', () => {
    const { server, trackId, write } = pair()
    let filter = ''
    let bus = ''
    let send = ''
    expect(
      write(
        (doc) => (filter = addDevice(doc, alice, trackId, { kind: 'filter', params: { frequency: 300 } })),
      ),
    ).toBeNull()
    expect(write((doc) => addDevice(doc, alice, trackId, { kind: 'delay', index: 0 }))).toBeNull()
    expect(write((doc) => setDeviceParams(doc, alice, filter, { type: 'highpass', resonance: 8 }))).toBeNull()
    expect(write((doc) => setDeviceParams(doc, alice, filter, { frequency: 900 }))).toBeNull()
    expect(write((doc) => moveDevice(doc, alice, filter, 0))).toBeNull()
    expect(write((doc) => setDeviceBypass(doc, alice, filter, true))).toBeNull()
    expect(write((doc) => (bus = addBus(doc, alice, { name: 'Verb' })))).toBeNull()
    expect(write((doc) => addDevice(doc, alice, bus, { kind: 'reverb', params: { mix: 100 } }))).toBeNull()
    expect(write((doc) => addDevice(doc, alice, MASTER, { kind: 'limiter' }))).toBeNull()
    expect(write((doc) => setBusField(doc, alice, bus, 'volumeDb', -4))).toBeNull()
    expect(write((doc) => (send = setSend(doc, alice, { from: trackId, to: bus, levelDb: -10 })))).toBeNull()
    expect(
      write((doc) =>
        addAutomationPoints(doc, alice, { kind: 'device', device: filter, param: 'frequency' }, [
          { tick: 0, value: 200, curve: 'exponential' },
          { tick: BAR * 8, value: 8_000 },
        ]),
      ),
    ).toBeNull()
    expect(
      write((doc) => addAutomationPoints(doc, alice, { kind: 'send', send }, [{ tick: 0, value: -20 }])),
    ).toBeNull()
    let preset = ''
    expect(write((doc) => (preset = saveChainPreset(doc, alice, trackId, 'Mine')))).toBeNull()
    expect(write((doc) => applyChainPreset(doc, alice, bus, preset))).toBeNull()
    expect(write((doc) => applyChainPreset(doc, alice, trackId, 'factory-warm-keys'))).toBeNull()
    expect(write((doc) => removeDevice(doc, alice, readMixer(doc).chains[trackId]![0]!.id))).toBeNull()
    expect(write((doc) => deleteBus(doc, alice, bus))).toBeNull()
    expect(readMixer(server).chains[trackId]!.map((d) => d.kind)).toEqual(['chorus', 'reverb'])
  })

  it('refuses parameters out of range or unknown, kinds that do not exist and malformed records', () => {
    // Each on a fresh pair: a client whose write was refused is disconnected, its doc ahead of the server's.
    const refusal = (edit: (doc: Y.Doc, trackId: string, filter: string) => void) => {
      const { trackId, write } = pair()
      let filter = ''
      expect(write((doc) => (filter = addDevice(doc, alice, trackId, { kind: 'filter' })))).toBeNull()
      return write((doc) => edit(doc, trackId, filter))
    }
    expect(refusal((doc, _, filter) => params(doc, filter).set('frequency', 99_999))).toBe('effect')
    expect(refusal((doc, _, filter) => params(doc, filter).set('type', 'notch'))).toBe('effect')
    expect(refusal((doc, _, filter) => params(doc, filter).set('cutoff', 100))).toBe('effect')
    expect(refusal((doc, _, filter) => params(doc, filter).set('frequency', '300'))).toBe('effect')
    expect(
      refusal((doc, _, filter) => (raw(doc, 'devices').get(filter) as Y.Map<unknown>).set('kind', 'reverb')),
    ).toBe('effect')
    expect(refusal((doc) => raw(doc, 'devices').set('x', { kind: 'filter' }))).toBe('effect')
    expect(
      refusal((doc, trackId) => {
        const device = new Y.Map<unknown>()
        device.set('owner', trackId)
        device.set('kind', 'flanger')
        raw(doc, 'devices').set('y', device)
      }),
    ).toBe('effect')
    expect(
      refusal((doc) =>
        raw(doc, 'sends').set('a>b', { id: 'a>b', from: 'a', to: 'b', levelDb: 40, preFader: false }),
      ),
    ).toBe('effect')
    expect(
      refusal((doc, trackId) =>
        raw(doc, 'automation').set('p', {
          id: 'p',
          target: { kind: 'volume', owner: trackId },
          tick: 0,
          value: 12,
          curve: 'linear',
        }),
      ),
    ).toBe('effect')
    expect(
      refusal((doc, _, filter) =>
        raw(doc, 'automation').set('p', {
          id: 'p',
          target: { kind: 'device', device: filter, param: 'frequency' },
          tick: 0,
          value: 5,
          curve: 'linear',
        }),
      ),
    ).toBe('effect')
    // An instrument parameter out of its range, or one no instrument has, is refused; in range it passes.
    const instrumentPoint = (param: string, value: number) => (doc: Y.Doc, trackId: string) =>
      raw(doc, 'automation').set('p', {
        id: 'p',
        target: { kind: 'instrument', track: trackId, param },
        tick: 0,
        value,
        curve: 'linear',
      })
    expect(refusal(instrumentPoint('tone', 20))).toBe('effect')
    expect(refusal(instrumentPoint('cutoff', 500))).toBe('effect')
    expect(refusal(instrumentPoint('tone', 500))).toBeNull()
    expect(refusal((doc) => raw(doc, 'presets').set('q', { id: 'q', name: '', devices: [] }))).toBe('effect')
    expect(refusal((doc, _, filter) => setDeviceParams(doc, alice, filter, { frequency: 500 }))).toBeNull()
  })

  it('refuses a chain past its limit written around the operations', () => {
    const { trackId, write } = pair()
    for (let i = 0; i < MAX_CHAIN_DEVICES; i++)
      expect(write((doc) => addDevice(doc, alice, trackId, { kind: 'eq3' }))).toBeNull()
    expect(
      write((doc) => {
        const device = new Y.Map<unknown>()
        for (const [key, value] of Object.entries({
          owner: trackId,
          kind: 'eq3',
          order: 'zz',
          bypass: false,
        }))
          device.set(key, value)
        device.set('params', new Y.Map())
        raw(doc, 'devices').set('one-too-many', device)
      }),
    ).toBe('effect')
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
