import { readMeta, setTitle } from '@ensemble/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import type { Database } from '../src/server/db'
import { type Caller, signUp } from './helpers/api'
import { isSaved, type OpenSong, openSongAs } from './helpers/clients'
import { openTestDatabase } from './helpers/db'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/*
 * Issue 19, "one name": a song's title in the studio and its project's name in the song list and the
 * settings are the same name, whichever of them changes it. Real server, real collab clients, PGlite.
 */

let database: Database
let server: RunningServer
let owner: Caller
let bandmate: Caller

beforeAll(async () => {
  database = await openTestDatabase('pglite')
  server = await startTestServer(database)
  ;[owner, bandmate] = await Promise.all([signUp(server.url, 'owner'), signUp(server.url, 'bandmate')])
}, 120_000)

afterAll(async () => {
  await server?.close()
  await database?.close()
})

const listedName = async (caller: Caller, projectId: string) =>
  (await caller.api.projects.list.query()).find((p) => p.id === projectId)?.name

/** A new song with the bandmate in it as an editor. */
async function newSong(name: string): Promise<string> {
  const { id } = await owner.api.projects.create.mutate({ name })
  const invite = await owner.api.invites.create.mutate({ projectId: id, role: 'editor', maxUses: 1 })
  await bandmate.api.invites.accept.mutate({ secret: invite.secret })
  return id
}

/** A new song named Night Drive, open in the bandmate's studio. */
async function openNewSong(): Promise<{ id: string; song: OpenSong }> {
  const id = await newSong('Night Drive')
  return { id, song: await openSongAs(collabUrl(server), bandmate, id) }
}

/** Sets the title in the studio and waits until the server has stored it. */
async function saveTitle(song: OpenSong, title: string): Promise<void> {
  setTitle(song.doc, song.me, title)
  await waitFor(() => isSaved(song), `title ${JSON.stringify(title)} saved`)
}

describe('a song has one name', () => {
  it('opens titled as it was created', async () => {
    const { song } = await openNewSong()
    expect(readMeta(song.doc).title).toBe('Night Drive')
    song.destroy()
  })

  it('takes a title changed in the studio into the song list and the settings', async () => {
    const { id, song } = await openNewSong()
    await saveTitle(song, 'Night Drive (slow)')
    await waitFor(async () => (await listedName(owner, id)) === 'Night Drive (slow)', 'the list follows')
    expect((await owner.api.projects.get.query({ projectId: id })).name).toBe('Night Drive (slow)')
    song.destroy()
  })

  it('shows a rename from the settings in the open studio at once, and in the song when it reloads', async () => {
    const { id, song } = await openNewSong()
    await owner.api.projects.rename.mutate({ projectId: id, name: 'Midnight Drive' })
    await waitFor(() => readMeta(song.doc).title === 'Midnight Drive', 'the studio follows')
    song.destroy()
    expect(await listedName(bandmate, id)).toBe('Midnight Drive')

    // With nobody in the studio the rename still reaches the stored song.
    await owner.api.projects.rename.mutate({ projectId: id, name: 'Dawn Drive' })
    const later = await openSongAs(collabUrl(server), bandmate, id)
    expect(readMeta(later.doc).title).toBe('Dawn Drive')
    later.destroy()
  })

  it("gives a copy its own name as its song's title", async () => {
    const id = await newSong('Night Drive')
    const copy = await owner.api.projects.duplicate.mutate({ projectId: id })
    const song = await openSongAs(collabUrl(server), owner, copy.id)
    expect(readMeta(song.doc).title).toBe('Night Drive (copy)')
    song.destroy()
  })

  it('keeps a title the row cannot hold (blank) out of the list, and follows the next one', async () => {
    const { id, song } = await openNewSong()
    await saveTitle(song, '   ')
    expect(await listedName(owner, id)).toBe('Night Drive')
    setTitle(song.doc, song.me, 'After the blank')
    await waitFor(async () => (await listedName(owner, id)) === 'After the blank', 'the list follows')
    song.destroy()
  })
})
