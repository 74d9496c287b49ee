import { addClip, addTrack, PPQ, setTimeSignature } from '@ensemble/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import type { Database } from '../src/server/db'
import { type Caller, signUp } from './helpers/api'
import { isSaved, openSongAs } from './helpers/clients'
import { drivers, openTestDatabase } from './helpers/db'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/** The song list's thumbnail: the arrangement as the server has it, over real HTTP, for members only. */
describe.each(drivers)('song outline on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let alice: Caller
  let mallory: Caller

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    server = await startTestServer(database)
    alice = await signUp(server.url, 'alice')
    mallory = await signUp(server.url, 'mallory')
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it('lists each track’s clips in its colour, with the bar length, from the live room', async () => {
    const projectId = await seedProject(database.db, [{ userId: alice.userId, role: 'owner' }])
    expect(await alice.api.projects.outline.query({ projectId })).toEqual({
      barTicks: PPQ * 4,
      endTick: 0,
      tracks: [],
    })
    const a = await openSongAs(collabUrl(server), alice, projectId)
    const keys = addTrack(a.doc, a.me, { kind: 'instrument', name: 'Keys', colour: '#60a5fa' })
    const drums = addTrack(a.doc, a.me, { kind: 'drums', name: 'Drums', colour: '#f472b6' })
    addClip(a.doc, a.me, keys, { start: 0, length: PPQ * 4 })
    addClip(a.doc, a.me, drums, { start: PPQ * 4, length: PPQ * 8 })
    setTimeSignature(a.doc, a.me, { numerator: 3, denominator: 4 })
    await waitFor(() => isSaved(a), 'saved')

    expect(await alice.api.projects.outline.query({ projectId })).toEqual({
      barTicks: PPQ * 3,
      endTick: PPQ * 12,
      tracks: [
        { colour: '#60a5fa', clips: [{ start: 0, length: PPQ * 4 }] },
        { colour: '#f472b6', clips: [{ start: PPQ * 4, length: PPQ * 8 }] },
      ],
    })
    // Not a member: the same answer as for a song that does not exist.
    await expect(mallory.api.projects.outline.query({ projectId })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    })
    a.destroy()
  })
})
