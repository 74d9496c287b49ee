/*
 * Effects in the song: insert chains, buses and sends, the master chain, automation lanes and chain presets,
 * through the public operations: validation, one transaction and one undo step each, and the read shapes.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  addAutomationPoints,
  clearAutomation,
  deleteAutomationPoints,
  updateAutomationPoints,
} from './automation'
import { automationValueAt } from './automation-curve'
import { addBus, deleteBus, removeSend, sendId, setBusField, setSend } from './buses'
import { applyChainPreset, saveChainPreset } from './chain-presets'
import { addDevice, moveDevice, removeDevice, setDeviceBypass, setDeviceParams } from './devices'
import { createSongDoc } from './migrate'
import { RemoteOrigin, UserOrigin } from './origins'
import { readMixer, readSong } from './read'
import { MASTER, MAX_CHAIN_DEVICES, MAX_LANE_POINTS, SongSnapshotSchema } from './schema'
import { expectRefused } from './testing/harness'
import { addTrack, deleteTrack, duplicateTrack } from './tracks'
import { createUndo } from './undo'

const alice = new UserOrigin('alice')
const bob = new UserOrigin('bob')

const setup = () => {
  const doc = createSongDoc()
  const track = addTrack(doc, alice, { kind: 'instrument' })
  return { doc, track }
}

const kinds = (doc: Y.Doc, track: string) => readMixer(doc).chains[track]?.map((d) => d.kind) ?? []

describe('insert chains', () => {
  it('adds, orders, moves, bypasses, sets and removes devices; reads every parameter', () => {
    const { doc, track } = setup()
    const eq = addDevice(doc, alice, track, { kind: 'eq3' })
    const comp = addDevice(doc, alice, track, { kind: 'compressor', params: { ratio: 8 } })
    const filter = addDevice(doc, alice, track, { kind: 'filter', index: 0 })
    expect(kinds(doc, track)).toEqual(['filter', 'eq3', 'compressor'])
    moveDevice(doc, alice, filter, 2)
    expect(kinds(doc, track)).toEqual(['eq3', 'compressor', 'filter'])
    setDeviceBypass(doc, alice, eq, true)
    setDeviceParams(doc, alice, filter, { type: 'highpass', frequency: 250 })
    const chain = readMixer(doc).chains[track]!
    expect(chain[0]).toMatchObject({ id: eq, bypass: true })
    expect(chain[1]!.params).toMatchObject({ ratio: 8, threshold: -24 })
    expect(chain[2]!.params).toEqual({ type: 'highpass', frequency: 250, resonance: 0.7, slope: '12' })
    removeDevice(doc, alice, comp)
    expect(kinds(doc, track)).toEqual(['eq3', 'filter'])
    expect(SongSnapshotSchema.safeParse(readSong(doc)).error).toBeUndefined()
  })

  it('refuses unknown effects, unknown or out-of-range parameters, missing owners and a chain too long', () => {
    const { doc, track } = setup()
    const filter = addDevice(doc, alice, track, { kind: 'filter' })
    expectRefused(doc, 'invalid_value', () => addDevice(doc, alice, track, { kind: 'flanger' as 'eq3' }))
    expectRefused(doc, 'invalid_value', () => setDeviceParams(doc, alice, filter, { frequency: 30_000 }))
    expectRefused(doc, 'invalid_value', () => setDeviceParams(doc, alice, filter, { type: 'notch' }))
    expectRefused(doc, 'invalid_value', () => setDeviceParams(doc, alice, filter, { cutof: 100 }))
    expectRefused(doc, 'invalid_value', () =>
      addDevice(doc, alice, track, { kind: 'gate', params: { threshold: 5 } }),
    )
    expectRefused(doc, 'track_not_found', () => addDevice(doc, alice, 'nope', { kind: 'eq3' }))
    expectRefused(doc, 'device_not_found', () => setDeviceBypass(doc, alice, 'nope', true))
    for (let i = 1; i < MAX_CHAIN_DEVICES; i++) addDevice(doc, alice, track, { kind: 'eq3' })
    const error = expectRefused(doc, 'too_many', () => addDevice(doc, alice, track, { kind: 'eq3' }))
    expect(error.message).toContain(`at most ${MAX_CHAIN_DEVICES} devices`)
  })

  it('each edit is one undo step of its author only', () => {
    const { doc, track } = setup()
    const undoA = createUndo(doc, alice)
    const undoB = createUndo(doc, bob)
    const filter = addDevice(doc, alice, track, { kind: 'filter' })
    setDeviceParams(doc, bob, filter, { frequency: 500 })
    setDeviceParams(doc, alice, filter, { resonance: 4, type: 'bandpass' })
    undoA.undo()
    expect(readMixer(doc).chains[track]![0]!.params).toMatchObject({
      frequency: 500,
      resonance: 0.7,
      type: 'lowpass',
    })
    undoB.undo()
    expect(readMixer(doc).chains[track]![0]!.params.frequency).toBe(1_000)
    undoA.undo()
    expect(kinds(doc, track)).toEqual([])
  })

  it('duplicating a track copies its chain under new ids, settings and order kept', () => {
    const { doc, track } = setup()
    addDevice(doc, alice, track, { kind: 'filter', params: { frequency: 300 } })
    addDevice(doc, alice, track, { kind: 'delay', bypass: true })
    const { trackId: copy } = duplicateTrack(doc, alice, track)
    const [original, copied] = [readMixer(doc).chains[track]!, readMixer(doc).chains[copy]!]
    expect(copied.map(({ kind, bypass, params }) => ({ kind, bypass, params }))).toEqual(
      original.map(({ kind, bypass, params }) => ({ kind, bypass, params })),
    )
    expect(copied.map((d) => d.id)).not.toContain(original[0]!.id)
  })

  it('deleting a track takes its chain, sends and automation with it; undo brings them back', () => {
    const { doc, track } = setup()
    const undo = createUndo(doc, alice)
    const bus = addBus(doc, alice)
    const eq = addDevice(doc, alice, track, { kind: 'eq3' })
    setSend(doc, alice, { from: track, to: bus, levelDb: -6 })
    addAutomationPoints(doc, alice, { kind: 'device', device: eq, param: 'low' }, [{ tick: 0, value: 3 }])
    addAutomationPoints(doc, alice, { kind: 'volume', owner: track }, [{ tick: 0, value: -3 }])
    const before = readMixer(doc)
    deleteTrack(doc, alice, track)
    const after = readMixer(doc)
    expect(after.chains).toEqual({})
    expect(after.sends).toEqual([])
    expect(after.automation).toEqual([])
    expect(doc.getMap('devices').size + doc.getMap('sends').size + doc.getMap('automation').size).toBe(0)
    undo.undo()
    expect(readMixer(doc)).toEqual(before)
  })
})

describe('buses, sends and the master chain', () => {
  it('a bus has a fader and a chain; sends are one per track and bus, pre or post fader', () => {
    const { doc, track } = setup()
    const bus = addBus(doc, alice, { name: 'Reverb' })
    addDevice(doc, alice, bus, { kind: 'reverb', params: { mix: 100 } })
    setBusField(doc, alice, bus, 'volumeDb', -3)
    expect(setSend(doc, alice, { from: track, to: bus })).toBe(sendId(track, bus))
    setSend(doc, bob, { from: track, to: bus, levelDb: -12, preFader: true })
    addDevice(doc, alice, MASTER, { kind: 'limiter' })
    const mixer = readMixer(doc)
    expect(mixer.buses).toHaveLength(1)
    expect(mixer.buses[0]).toMatchObject({ name: 'Reverb', volumeDb: -3 })
    expect(mixer.buses[0]!.devices.map((d) => d.kind)).toEqual(['reverb'])
    expect(mixer.sends).toEqual([
      { id: sendId(track, bus), from: track, to: bus, levelDb: -12, preFader: true },
    ])
    expect(mixer.master.map((d) => d.kind)).toEqual(['limiter'])
    expectRefused(doc, 'bus_not_found', () => setSend(doc, alice, { from: track, to: track }))
    expectRefused(doc, 'invalid_value', () => setSend(doc, alice, { from: track, to: bus, levelDb: 12 }))
    expectRefused(doc, 'invalid_value', () => setBusField(doc, alice, bus, 'pan', 2))
    removeSend(doc, alice, track, bus)
    expect(readMixer(doc).sends).toEqual([])
    deleteBus(doc, alice, bus)
    expect(readMixer(doc).buses).toEqual([])
    expect(doc.getMap('devices').size).toBe(1)
  })
})

describe('automation', () => {
  it('lanes for volume, pan, sends and device parameters, sorted, with values checked against the target', () => {
    const { doc, track } = setup()
    const bus = addBus(doc, alice)
    const send = setSend(doc, alice, { from: track, to: bus })
    const filter = addDevice(doc, alice, track, { kind: 'filter' })
    const cutoff = { kind: 'device', device: filter, param: 'frequency' } as const
    const [, second] = addAutomationPoints(doc, alice, cutoff, [
      { tick: 3840, value: 8_000, curve: 'exponential' },
      { tick: 0, value: 200, curve: 'exponential' },
    ])
    addAutomationPoints(doc, alice, { kind: 'volume', owner: track }, [{ tick: 0, value: -6 }])
    addAutomationPoints(doc, alice, { kind: 'pan', owner: bus }, [{ tick: 0, value: 0.5, curve: 'step' }])
    addAutomationPoints(doc, alice, { kind: 'send', send }, [{ tick: 0, value: -20 }])
    const lanes = readMixer(doc).automation
    expect(lanes.map((l) => l.key)).toEqual([
      `device:${filter}:frequency`,
      `pan:${bus}`,
      `send:${send}`,
      `volume:${track}`,
    ])
    expect(lanes[0]!.points.map((p) => p.tick)).toEqual([0, 3840])
    // Exponential between two frequencies: geometric, so half way is the geometric mean.
    expect(automationValueAt(lanes[0]!.points, 1920)).toBeCloseTo(Math.sqrt(200 * 8_000), 6)
    updateAutomationPoints(doc, alice, [{ id: second!, value: 400, curve: 'linear' }])
    expect(automationValueAt(readMixer(doc).automation[0]!.points, 1920)).toBeCloseTo(
      400 + (8_000 - 400) / 2,
      6,
    )

    expectRefused(doc, 'out_of_range', () => addAutomationPoints(doc, alice, cutoff, [{ tick: 0, value: 5 }]))
    expectRefused(doc, 'out_of_range', () =>
      addAutomationPoints(doc, alice, { kind: 'volume', owner: track }, [{ tick: 0, value: 10 }]),
    )
    expectRefused(doc, 'invalid_value', () =>
      addAutomationPoints(doc, alice, { kind: 'device', device: filter, param: 'type' }, [
        { tick: 0, value: 1 },
      ]),
    )
    expectRefused(doc, 'invalid_value', () =>
      addAutomationPoints(doc, alice, { kind: 'volume', owner: 'nope' }, [{ tick: 0, value: 0 }]),
    )
    expectRefused(doc, 'out_of_range', () =>
      updateAutomationPoints(doc, alice, [{ id: second!, value: 1e6 }]),
    )
    deleteAutomationPoints(doc, alice, [second!])
    expect(readMixer(doc).automation[0]!.points).toHaveLength(1)
    clearAutomation(doc, alice, cutoff)
    expect(readMixer(doc).automation.map((l) => l.key)).not.toContain(`device:${filter}:frequency`)
  })

  it('a lane of more than MAX_LANE_POINTS points is refused with a clear message', {
    timeout: 30_000,
  }, () => {
    const { doc, track } = setup()
    const many = Array.from({ length: 100_000 }, (_, i) => ({ tick: i, value: 0 }))
    const error = expectRefused(doc, 'too_many', () =>
      addAutomationPoints(doc, alice, { kind: 'volume', owner: track }, many),
    )
    expect(error.message).toContain(`${MAX_LANE_POINTS}`)
    addAutomationPoints(doc, alice, { kind: 'volume', owner: track }, many.slice(0, MAX_LANE_POINTS))
    const full = expectRefused(doc, 'too_many', () =>
      addAutomationPoints(doc, alice, { kind: 'volume', owner: track }, [{ tick: 0, value: 0 }]),
    )
    expect(full.message).toContain(`at most ${MAX_LANE_POINTS} points`)
  })

  it('instrument parameters are lanes of their own: in range, on tracks with an instrument, gone with the track', () => {
    const { doc, track } = setup()
    const audio = addTrack(doc, alice, { kind: 'audio' })
    const tone = { kind: 'instrument', track, param: 'tone' } as const
    addAutomationPoints(doc, alice, tone, [
      { tick: 0, value: 200, curve: 'exponential' },
      { tick: 1920, value: 8_000 },
    ])
    addAutomationPoints(doc, alice, { kind: 'instrument', track, param: 'level' }, [{ tick: 0, value: -12 }])
    const keys = readMixer(doc).automation.map((l) => l.key)
    expect(keys).toContain(`instrument:${track}:tone`)
    expect(keys).toContain(`instrument:${track}:level`)
    expect(
      expectRefused(doc, 'out_of_range', () =>
        addAutomationPoints(doc, alice, tone, [{ tick: 0, value: 50 }]),
      ).message,
    ).toContain('100..20000')
    expect(
      expectRefused(doc, 'invalid_value', () =>
        addAutomationPoints(doc, alice, { kind: 'instrument', track: audio, param: 'level' }, [
          { tick: 0, value: 0 },
        ]),
      ).message,
    ).toContain('audio track has no instrument')
    expectRefused(doc, 'invalid_value', () =>
      addAutomationPoints(doc, alice, { kind: 'instrument', track, param: 'cutoff' }, [
        { tick: 0, value: 0 },
      ]),
    )
    const undo = createUndo(doc, alice)
    deleteTrack(doc, alice, track)
    expect(readMixer(doc).automation).toEqual([])
    undo.undo()
    expect(readMixer(doc).automation).toHaveLength(2)
  })

  it('step holds, linear is a line, and the ends hold their values', () => {
    const points = [
      { tick: 100, value: 0, curve: 'step' as const },
      { tick: 200, value: 10, curve: 'linear' as const },
      { tick: 300, value: 20, curve: 'linear' as const },
    ]
    expect(automationValueAt(points, 0)).toBe(0)
    expect(automationValueAt(points, 199)).toBe(0)
    expect(automationValueAt(points, 250)).toBe(15)
    expect(automationValueAt(points, 1000)).toBe(20)
    expect(automationValueAt([], 5)).toBeUndefined()
  })
})

describe('chain presets', () => {
  it('saves a chain in the project and applies it to another track, replacing its chain in one undo step', () => {
    const { doc, track } = setup()
    const other = addTrack(doc, alice, { kind: 'instrument' })
    addDevice(doc, alice, track, { kind: 'filter', params: { frequency: 300 } })
    addDevice(doc, alice, track, { kind: 'delay', params: { division: '8d' }, bypass: true })
    addDevice(doc, alice, other, { kind: 'gate' })
    const preset = saveChainPreset(doc, alice, track, 'Dub')
    expect(readMixer(doc).presets.map((p) => p.name)).toEqual(['Dub'])
    const undo = createUndo(doc, bob)
    applyChainPreset(doc, bob, other, preset)
    const chain = readMixer(doc).chains[other]!
    expect(chain.map((d) => [d.kind, d.bypass])).toEqual([
      ['filter', false],
      ['delay', true],
    ])
    expect(chain[1]!.params.division).toBe('8d')
    undo.undo()
    expect(kinds(doc, other)).toEqual(['gate'])
  })

  it('applies a factory preset; refuses an unknown one', () => {
    const { doc, track } = setup()
    applyChainPreset(doc, alice, track, 'factory-tight-bass')
    expect(kinds(doc, track)).toEqual(['filter', 'compressor'])
    expectRefused(doc, 'preset_not_found', () => applyChainPreset(doc, alice, track, 'factory-nope'))
  })
})

describe('two users at once', () => {
  const pair = () => {
    const a = createSongDoc()
    const b = new Y.Doc()
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a), new RemoteOrigin('a'))
    const sync = () => {
      Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), new RemoteOrigin('a'))
      Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), new RemoteOrigin('b'))
    }
    return { a, b, sync }
  }

  it('turning different knobs of one device keeps both; moving devices of one chain converges', () => {
    const { a, b, sync } = pair()
    const track = addTrack(a, alice, { kind: 'instrument' })
    const first = addDevice(a, alice, track, { kind: 'filter' })
    const second = addDevice(a, alice, track, { kind: 'eq3' })
    const third = addDevice(a, alice, track, { kind: 'reverb' })
    sync()
    setDeviceParams(a, alice, first, { frequency: 400 })
    setDeviceParams(b, bob, first, { resonance: 6 })
    moveDevice(a, alice, third, 0)
    moveDevice(b, bob, first, 2)
    sync()
    expect(readSong(a)).toEqual(readSong(b))
    expect(readMixer(a).chains[track]![0]!.id).toBe(third)
    expect(
      readMixer(a)
        .chains[track]!.map((d) => d.id)
        .sort(),
    ).toEqual([first, second, third].sort())
    expect(readMixer(a).chains[track]!.find((d) => d.id === first)!.params).toMatchObject({
      frequency: 400,
      resonance: 6,
    })
  })

  it('a device added to a track a bandmate deletes at the same moment is left out the same way everywhere', () => {
    const { a, b, sync } = pair()
    const track = addTrack(a, alice, { kind: 'instrument' })
    sync()
    addDevice(a, alice, track, { kind: 'eq3' })
    deleteTrack(b, bob, track)
    sync()
    expect(readMixer(a)).toEqual(readMixer(b))
    expect(readMixer(a).chains).toEqual({})
  })
})
