import {
  addAutomationPoints,
  addBus,
  addDevice,
  MAX_CHAIN_DEVICES,
  MAX_LANE_POINTS,
  readMixer,
  readSong,
  SongError,
  setDeviceParams,
  setSend,
} from '@ensemble/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { RunningServer } from '../src/server/app'
import type { Database } from '../src/server/db'
import { type Caller, signUp } from './helpers/api'
import { isSaved, loadStoredDoc, openSongAs } from './helpers/clients'
import { openTestDatabase } from './helpers/db'
import { collabUrl, startTestServer } from './helpers/server'
import { seedSongWithTrack } from './helpers/songs'
import { waitFor } from './helpers/wait'

/*
 * Effects over the real WebSocket: a bandmate's chain, send and parameter edits reach the others and are
 * stored; a parameter out of its declared range, written around the operations, is refused by the room
 * (4406), reaches nobody and is never stored. So is a chain of 200 devices or a lane of 100,000 points: the
 * operations refuse them with a message naming the limit, and written raw the room refuses them (4406; a
 * write too big for one frame is closed by the WebSocket itself, 1009) and stores nothing of them.
 */

const REFUSED_WRITE = 4406
/** `ws` closes a frame over the collaboration server's payload limit (2 MiB) with this code. */
const FRAME_TOO_BIG = 1009

let database: Database
let server: RunningServer
let owner: Caller
let editor: Caller
let projectId: string
let trackId: string

beforeAll(async () => {
  database = await openTestDatabase('pglite')
  server = await startTestServer(database)
  ;[owner, editor] = await Promise.all([signUp(server.url, 'owner'), signUp(server.url, 'editor')])
  ;({ projectId, trackId } = await seedSongWithTrack(
    database,
    server,
    [
      { caller: owner, role: 'owner' },
      { caller: editor, role: 'editor' },
    ],
    'Lead',
  ))
}, 120_000)

afterAll(async () => {
  await server?.close()
  await database?.close()
})

const paramsOf = (doc: Y.Doc, deviceId: string) =>
  doc.getMap<Y.Map<unknown>>('devices').get(deviceId)!.get('params') as Y.Map<unknown>

describe('effects over the WebSocket', () => {
  it('a bandmate’s chain, send and knob reach the others and are stored', async () => {
    const a = await openSongAs(collabUrl(server), editor, projectId)
    const b = await openSongAs(collabUrl(server), owner, projectId)
    const filter = addDevice(a.doc, a.me, trackId, { kind: 'filter' })
    const bus = addBus(a.doc, a.me, { name: 'Reverb' })
    addDevice(a.doc, a.me, bus, { kind: 'reverb', params: { mix: 100 } })
    setSend(a.doc, a.me, { from: trackId, to: bus, levelDb: -6 })
    setDeviceParams(a.doc, a.me, filter, { frequency: 440, type: 'highpass' })
    await waitFor(() => isSaved(a), 'the edits saved')
    await waitFor(() => readMixer(b.doc).chains[trackId]?.[0]?.params.frequency === 440, 'B hears the knob')
    expect(readMixer(b.doc)).toEqual(readMixer(a.doc))
    const stored = readMixer(await loadStoredDoc(database.db, projectId))
    expect(stored.sends).toHaveLength(1)
    expect(stored.chains[trackId]![0]!.params).toMatchObject({ frequency: 440, type: 'highpass' })
    expect(a.closes).toEqual([])
    a.destroy()
    b.destroy()
  })

  it('refuses a parameter out of range: the operation refuses it, and so does the room when written raw', async () => {
    const forger = await openSongAs(collabUrl(server), editor, projectId)
    const other = await openSongAs(collabUrl(server), owner, projectId)
    const filter = readMixer(forger.doc).chains[trackId]![0]!.id
    expect(() => setDeviceParams(forger.doc, forger.me, filter, { frequency: 99_999 })).toThrow(SongError)
    paramsOf(forger.doc, filter).set('frequency', 99_999)
    await waitFor(() => forger.closes.includes(REFUSED_WRITE), 'the forger closed with 4406')
    // The other client never saw it, and the stored song still has the last valid value.
    setDeviceParams(other.doc, other.me, filter, { resonance: 2 })
    await waitFor(() => isSaved(other), 'the bandmate’s edit saved')
    expect(readMixer(other.doc).chains[trackId]![0]!.params.frequency).toBe(440)
    const stored = readMixer(await loadStoredDoc(database.db, projectId))
    expect(stored.chains[trackId]![0]!.params).toMatchObject({ frequency: 440, resonance: 2 })
    forger.destroy()
    other.destroy()
  })

  it('refuses a chain of 200 devices: the operation names the limit, the room refuses it written raw', async () => {
    const forger = await openSongAs(collabUrl(server), editor, projectId)
    const other = await openSongAs(collabUrl(server), owner, projectId)
    const before = readMixer(forger.doc).chains[trackId]?.length ?? 0
    let refusal: unknown = null
    try {
      for (let i = before; i < 200; i++) addDevice(forger.doc, forger.me, trackId, { kind: 'eq3' })
    } catch (error) {
      refusal = error
    }
    expect(refusal).toBeInstanceOf(SongError)
    expect(String((refusal as Error).message)).toContain(`at most ${MAX_CHAIN_DEVICES} devices`)
    await waitFor(() => isSaved(forger), 'the devices up to the limit saved')
    expect(readMixer(forger.doc).chains[trackId]).toHaveLength(MAX_CHAIN_DEVICES)
    // Around the operations: 200 more device entries in one update.
    forger.doc.transact(() => {
      for (let i = 0; i < 200; i++) {
        const device = new Y.Map<unknown>()
        for (const [key, value] of Object.entries({
          owner: trackId,
          kind: 'eq3',
          order: `z${i}`,
          bypass: false,
        }))
          device.set(key, value)
        device.set('params', new Y.Map())
        forger.doc.getMap('devices').set(`forged-${i}`, device)
      }
    })
    await waitFor(() => forger.closes.includes(REFUSED_WRITE), 'the forger closed with 4406')
    expect(readMixer(other.doc).chains[trackId]).toHaveLength(MAX_CHAIN_DEVICES)
    const stored = readMixer(await loadStoredDoc(database.db, projectId))
    expect(stored.chains[trackId]).toHaveLength(MAX_CHAIN_DEVICES)
    forger.destroy()
    other.destroy()
  })

  it('refuses automation of 100,000 points: the operation names the limit, the room refuses it written raw', async () => {
    const forger = await openSongAs(collabUrl(server), editor, projectId)
    const target = { kind: 'volume', owner: trackId } as const
    const points = Array.from({ length: 100_000 }, (_, i) => ({ tick: i * 10, value: -12 + (i % 12) }))
    expect(() => addAutomationPoints(forger.doc, forger.me, target, points)).toThrow(
      `An automation lane holds at most ${MAX_LANE_POINTS} points; 100000 were drawn`,
    )
    const lanes = () => readSong(forger.doc).mixer.automation
    expect(lanes()).toEqual([])
    // Around the operations, one lane past the limit by a little (one frame), then by 100,000 points (too big
    // for a frame): each refused, and nothing of either stored.
    const forge = (count: number) =>
      forger.doc.transact(() => {
        for (let i = 0; i < count; i++)
          forger.doc.getMap('automation').set(`forged-${count}-${i}`, {
            id: `forged-${count}-${i}`,
            target,
            tick: i,
            value: -6,
            curve: 'linear',
          })
      })
    forge(MAX_LANE_POINTS + 1)
    await waitFor(() => forger.closes.includes(REFUSED_WRITE), 'the forger closed with 4406')
    forger.destroy()
    const again = await openSongAs(collabUrl(server), editor, projectId)
    expect(readSong(again.doc).mixer.automation).toEqual([])
    again.doc.transact(() => {
      for (let i = 0; i < 100_000; i++)
        again.doc
          .getMap('automation')
          .set(`huge-${i}`, { id: `huge-${i}`, target, tick: i, value: -6, curve: 'linear' })
    })
    await waitFor(
      () => again.closes.includes(FRAME_TOO_BIG) || again.closes.includes(REFUSED_WRITE),
      'the forger closed (1009 or 4406)',
    )
    expect(readSong(await loadStoredDoc(database.db, projectId)).mixer.automation).toEqual([])
    again.destroy()
  })
})
