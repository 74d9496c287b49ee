import { addTrack, applyRestore, createUndo, readSong, setTitle } from '@ensemble/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { RunningServer } from '../src/server/app'
import type { Database } from '../src/server/db'
import { type Caller, signUp } from './helpers/api'
import { isSaved, loadStoredDoc, openSongAs } from './helpers/clients'
import { drivers, openTestDatabase } from './helpers/db'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

const decodeState = (base64: string): Uint8Array => Uint8Array.from(Buffer.from(base64, 'base64'))

describe.each(drivers)('versions on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let alice: Caller
  let bob: Caller
  let carol: Caller

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    server = await startTestServer(database)
    alice = await signUp(server.url, 'alice')
    bob = await signUp(server.url, 'bob')
    carol = await signUp(server.url, 'carol')
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it('a version is the server’s copy; restoring it reaches collaborators live, is stored, and can be undone', async () => {
    const projectId = await seedProject(database.db, [
      { userId: alice.userId, role: 'owner' },
      { userId: bob.userId, role: 'editor' },
      { userId: carol.userId, role: 'viewer' },
    ])
    const a = await openSongAs(collabUrl(server), alice, projectId)
    const b = await openSongAs(collabUrl(server), bob, projectId)
    const undo = createUndo(a.doc, a.me)
    setTitle(a.doc, a.me, 'Verse idea')
    addTrack(a.doc, a.me, { name: 'Piano', kind: 'instrument' })
    await waitFor(() => isSaved(a), 'saved')
    const v = await alice.api.versions.create.mutate({ projectId, name: 'Verse idea' })
    const versionSong = readSong(a.doc)

    setTitle(b.doc, b.me, 'Chorus idea')
    addTrack(b.doc, b.me, { name: 'Strings', kind: 'instrument' })
    await waitFor(
      () => readSong(a.doc).meta.title === 'Chorus idea' && readSong(a.doc).tracks.length === 2,
      'a sees b',
    )
    const beforeRestore = readSong(a.doc)

    const list = await bob.api.versions.list.query({ projectId })
    expect(list.map((x) => [x.name, x.authorName])).toEqual([['Verse idea', 'alice']])
    const stored = await bob.api.versions.get.query({ projectId, versionId: v.id })
    const preview = new Y.Doc()
    Y.applyUpdate(preview, decodeState(stored.state))
    expect(readSong(preview)).toEqual(versionSong)

    // A viewer may preview but not restore; an editor gets the change the server computes against its copy.
    await expect(carol.api.versions.restoreUpdate.query({ projectId, versionId: v.id })).rejects.toThrow()
    const { update } = await alice.api.versions.restoreUpdate.query({ projectId, versionId: v.id })
    applyRestore(a.doc, a.me, v.id, decodeState(update))
    await waitFor(
      () => JSON.stringify(readSong(b.doc)) === JSON.stringify(versionSong),
      'bob received the restore',
    )
    await waitFor(async () => {
      const saved = await loadStoredDoc(database.db, projectId)
      return JSON.stringify(readSong(saved)) === JSON.stringify(versionSong)
    }, 'restore stored')

    undo.undo()
    await waitFor(() => JSON.stringify(readSong(b.doc)) === JSON.stringify(beforeRestore), 'undo reached bob')
    // The version itself is untouched by all of this.
    const again = await bob.api.versions.get.query({ projectId, versionId: v.id })
    expect(again.state).toBe(stored.state)
    a.destroy()
    b.destroy()
  })

  it('duplicate copies the song as the server has it now', async () => {
    const projectId = await seedProject(database.db, [{ userId: alice.userId, role: 'owner' }])
    const a = await openSongAs(collabUrl(server), alice, projectId)
    setTitle(a.doc, a.me, 'Original')
    await waitFor(() => isSaved(a), 'saved')
    // The project's name follows the song's title (projects/song-title.ts), and the copy is named after it.
    await waitFor(
      async () => (await alice.api.projects.get.query({ projectId })).name === 'Original',
      'the name follows the title',
    )
    const copy = await alice.api.projects.duplicate.mutate({ projectId })
    expect(copy.name).toBe('Original (copy)')
    const c = await openSongAs(collabUrl(server), alice, copy.id)
    expect(readSong(c.doc).meta.title).toBe('Original (copy)')
    setTitle(c.doc, c.me, 'Changed copy')
    await waitFor(() => isSaved(c), 'copy saved')
    expect(readSong(a.doc).meta.title).toBe('Original')
    a.destroy()
    c.destroy()
  })
})
