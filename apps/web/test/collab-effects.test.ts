import { addBus, addDevice, addTrack, readMixer, SongError, setDeviceParams, setSend } from '@ensemble/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import type { RunningServer } from '../src/server/app'
import type { Database } from '../src/server/db'
import { type Caller, signUp } from './helpers/api'
import { isSaved, loadStoredDoc, openSongAs } from './helpers/clients'
import { openTestDatabase } from './helpers/db'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/*
 * Effects over the real WebSocket: a bandmate's chain, send and parameter edits reach the others and are
 * stored; a parameter out of its declared range, written around the operations, is refused by the room
 * (4406), reaches nobody and is never stored.
 */

const REFUSED_WRITE = 4406

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
  projectId = await seedProject(database.db, [
    { userId: owner.userId, role: 'owner' },
    { userId: editor.userId, role: 'editor' },
  ])
  const song = await openSongAs(collabUrl(server), owner, projectId)
  trackId = addTrack(song.doc, song.me, { kind: 'instrument', name: 'Lead' })
  await waitFor(() => isSaved(song), 'track saved')
  song.destroy()
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
})
