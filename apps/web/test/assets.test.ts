import { and, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AssetNotice } from '../src/client/collab'
import type { RunningServer } from '../src/server/app'
import { loadConfig } from '../src/server/config'
import { type Database, schema } from '../src/server/db'
import { assetPath, peaksPath } from '../src/wire/assets'
import { type Caller, signUp } from './helpers/api'
import { download, headUpload, patchUpload, rawUpload, tusUpload } from './helpers/assets'
import {
  flacClaiming,
  mp3Frames,
  notAudio,
  sha256,
  truncatedMp3,
  wav,
  wavClaiming,
} from './helpers/audio-files'
import { openSongAs } from './helpers/clients'
import { drivers, openTestDatabase } from './helpers/db'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/**
 * Audio assets over the real HTTP path: tus uploads (tus-js-client as the browser uses it, and raw
 * requests for the protocol's edges), downloads with ranges and caching, peaks, who may do what, and
 * hostile files, each refused with its reason, nothing stored, the server still serving.
 */

const MiB = 1024 * 1024
const defaults = loadConfig({}).assets

describe.each(drivers)('audio assets on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let owner: Caller
  let editor: Caller
  let viewer: Caller
  let stranger: Caller
  let project: string
  const url = () => server.url

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    server = await startTestServer(database, {
      assets: { ...defaults, maxAssetBytes: 8 * MiB, projectQuotaBytes: 24 * MiB },
    })
    ;[owner, editor, viewer, stranger] = (await Promise.all(
      ['owner', 'editor', 'viewer', 'stranger'].map((label) => signUp(server.url, label)),
    )) as [Caller, Caller, Caller, Caller]
    project = await seedProject(database.db, [
      { userId: owner.userId, role: 'owner' },
      { userId: editor.userId, role: 'editor' },
      { userId: viewer.userId, role: 'viewer' },
    ])
  })

  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  const stored = async (hash: string) =>
    (await database.db.select().from(schema.assets).where(eq(schema.assets.sha256, hash))).length

  async function expectHealthy() {
    expect((await fetch(`${url()}/api/health`)).status).toBe(200)
    const take = wav(0.05, { frequency: 220 + Math.random() * 400 })
    expect((await rawUpload(url(), editor, project, take)).status).toBe(204)
  }

  it('an editor uploads with tus-js-client; members download it byte for byte, with ranges and caching', async () => {
    const take = wav(12) // 2.2 MiB: several chunks and PATCHes
    const hash = sha256(take)
    const progress: number[] = []
    await tusUpload(url(), editor.cookie, project, take, { onChunk: (accepted) => progress.push(accepted) })
    expect(progress.at(-1)).toBe(take.length)

    const whole = await download(url(), viewer.cookie, project, hash)
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-type')).toBe('audio/wav')
    expect(whole.headers.get('etag')).toBe(`"${hash}"`)
    expect(whole.headers.get('cache-control')).toBe('private, max-age=31536000, immutable')
    expect(sha256(Buffer.from(await whole.arrayBuffer()))).toBe(hash)

    // A range across a chunk boundary (chunks are 256 KiB).
    const from = 256 * 1024 - 100
    const part = await download(url(), viewer.cookie, project, hash, { range: `bytes=${from}-${from + 999}` })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes ${from}-${from + 999}/${take.length}`)
    expect(Buffer.from(await part.arrayBuffer()).equals(take.subarray(from, from + 1000))).toBe(true)
    const tail = await download(url(), viewer.cookie, project, hash, { range: 'bytes=-10' })
    expect(Buffer.from(await tail.arrayBuffer()).equals(take.subarray(take.length - 10))).toBe(true)
    const open = await download(url(), viewer.cookie, project, hash, { range: `bytes=${take.length - 5}-` })
    expect(Buffer.from(await open.arrayBuffer()).equals(take.subarray(take.length - 5))).toBe(true)
    const past = await download(url(), viewer.cookie, project, hash, { range: `bytes=${take.length}-` })
    expect(past.status).toBe(416)
    expect(past.headers.get('content-range')).toBe(`bytes */${take.length}`)

    const cached = await download(url(), viewer.cookie, project, hash, { 'if-none-match': `"${hash}"` })
    expect(cached.status).toBe(304)
    const head = await fetch(`${url()}${assetPath(project, hash)}`, {
      method: 'HEAD',
      headers: { cookie: viewer.cookie },
    })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(take.length))
  })

  it('the same bytes in two songs are stored once, and each song may serve them', async () => {
    const take = wav(1, { frequency: 330 })
    const hash = sha256(take)
    const second = await seedProject(database.db, [{ userId: editor.userId, role: 'owner' }])
    expect((await rawUpload(url(), editor, project, take)).status).toBe(204)
    expect((await rawUpload(url(), editor, second, take)).status).toBe(204)
    expect(await stored(hash)).toBe(1)
    const [asset] = await database.db.select().from(schema.assets).where(eq(schema.assets.sha256, hash))
    const chunks = await database.db.execute(
      sql`select coalesce(sum(length), 0)::bigint as n from asset_chunks where blob_id = ${asset!.blobId}`,
    )
    expect(Number((chunks as unknown as { rows: { n: string }[] }).rows[0]!.n)).toBe(take.length)
    const fromSecond = await download(url(), editor.cookie, second, hash)
    expect(sha256(Buffer.from(await fromSecond.arrayBuffer()))).toBe(hash)
    // The owner of the first song is no member of the second: the bytes are not theirs to read there.
    expect((await download(url(), owner.cookie, second, hash)).status).toBe(404)
  })

  it('who may: strangers and viewers cannot upload, strangers cannot download, signed-out callers neither', async () => {
    const take = wav(0.2, { frequency: 550 + Math.random() * 100 }) // new bytes on every run (PostgreSQL keeps rows)
    const hash = sha256(take)
    expect((await rawUpload(url(), stranger, project, take)).status).toBe(404)
    expect((await rawUpload(url(), viewer, project, take)).status).toBe(403)
    expect((await rawUpload(url(), { cookie: '' }, project, take)).status).toBe(401)
    expect(await stored(hash)).toBe(0)
    expect((await rawUpload(url(), owner, project, take)).status).toBe(204)
    expect((await download(url(), stranger.cookie, project, hash)).status).toBe(404)
    expect((await download(url(), '', project, hash)).status).toBe(401)
    expect((await download(url(), viewer.cookie, project, hash)).status).toBe(200)
  })

  it('a member removed mid-upload is refused at the next request, and another editor cannot continue it', async () => {
    const member = await signUp(url(), 'leaving')
    const other = await signUp(url(), 'other-editor')
    const song = await seedProject(database.db, [
      { userId: owner.userId, role: 'owner' },
      { userId: member.userId, role: 'editor' },
      { userId: other.userId, role: 'editor' },
    ])
    const take = wav(2, { frequency: 660 })
    const created = await fetch(`${url()}/api/projects/${song}/assets/uploads`, {
      method: 'POST',
      headers: {
        cookie: member.cookie,
        'tus-resumable': '1.0.0',
        'upload-length': String(take.length),
        'upload-metadata': `sha256 ${Buffer.from(sha256(take)).toString('base64')},filename ${Buffer.from('t.wav').toString('base64')}`,
      },
    })
    expect(created.status).toBe(201)
    const location = created.headers.get('location')!
    const half = 256 * 1024
    expect((await patchUpload(url(), member.cookie, location, 0, take.subarray(0, half))).status).toBe(204)
    expect((await patchUpload(url(), other.cookie, location, half, take.subarray(half))).status).toBe(404)

    await owner.api.members.remove.mutate({ projectId: song, userId: member.userId })
    const refused = await patchUpload(url(), member.cookie, location, half, take.subarray(half))
    expect(refused.status).toBe(404)
    expect((await headUpload(url(), member.cookie, location)).status).toBe(404)
    expect(await stored(sha256(take))).toBe(0)
  })

  it('peaks: editors write them, members read them, size-bounded', async () => {
    const hash = sha256(Buffer.from('peaks for a take not uploaded yet'))
    const peaks = Buffer.from([1, 0, 3, 200, 7, 9, 11])
    const put = (caller: Caller, body: Uint8Array) =>
      fetch(`${url()}${peaksPath(project, hash)}`, {
        method: 'PUT',
        headers: { cookie: caller.cookie },
        body: new Uint8Array(body),
      })
    expect((await put(editor, peaks)).status).toBe(204)
    expect((await put(viewer, peaks)).status).toBe(403)
    expect((await put(stranger, peaks)).status).toBe(404)
    expect((await put(editor, Buffer.alloc(5 * MiB))).status).toBe(413)
    const got = await fetch(`${url()}${peaksPath(project, hash)}`, { headers: { cookie: viewer.cookie } })
    expect(got.status).toBe(200)
    expect(Buffer.from(await got.arrayBuffer()).equals(peaks)).toBe(true)
    const again = await fetch(`${url()}${peaksPath(project, hash)}`, {
      headers: { cookie: viewer.cookie, 'if-none-match': got.headers.get('etag')! },
    })
    expect(again.status).toBe(304)
    expect(
      (await fetch(`${url()}${peaksPath(project, hash)}`, { headers: { cookie: stranger.cookie } })).status,
    ).toBe(404)
  })

  it('every connection of the song is told once the peaks and then the audio are stored, never before', async () => {
    const take = wav(2.5, { frequency: 523 }) // 469 KiB: two PATCHes below
    const hash = sha256(take)
    const refused = wav(0.2, { frequency: 587 })
    const bandmate = await openSongAs(collabUrl(server), viewer, project)
    const uploader = await openSongAs(collabUrl(server), editor, project)
    try {
      // Each notice is checked the moment it arrives: what it announces must already be served.
      const heard: (AssetNotice & { served: number })[] = []
      const checks: Promise<void>[] = []
      bandmate.assets.subscribe((notice) => {
        const path =
          notice.part === 'audio' ? assetPath(project, notice.sha256) : peaksPath(project, notice.sha256)
        checks.push(
          fetch(`${url()}${path}`, { method: 'HEAD', headers: { cookie: viewer.cookie } }).then((res) => {
            heard.push({ ...notice, served: res.status })
          }),
        )
      })
      const uploaderHeard: AssetNotice[] = []
      uploader.assets.subscribe((notice) => uploaderHeard.push(notice))

      // A refused upload (the announced hash is not the bytes') is never announced.
      expect(
        (await rawUpload(url(), editor, project, refused, { announced: sha256(Buffer.from('other')) }))
          .status,
      ).toBe(422)

      const put = await fetch(`${url()}${peaksPath(project, hash)}`, {
        method: 'PUT',
        headers: { cookie: editor.cookie },
        body: new Uint8Array([1, 2, 3, 4]),
      })
      expect(put.status).toBe(204)
      await waitFor(() => heard.length >= 1, 'the bandmate was told the peaks are stored')
      expect(heard[0]).toMatchObject({ part: 'peaks', sha256: hash, served: 200 })

      expect((await rawUpload(url(), editor, project, take, { patchBytes: 300 * 1024 })).status).toBe(204)
      await waitFor(() => heard.length >= 2, 'the bandmate was told the audio is stored')
      await Promise.all(checks)
      // In order on the one socket: nothing for the refused file, the peaks, then the audio, already served.
      expect(heard).toEqual([
        { part: 'peaks', sha256: hash, served: 200 },
        { part: 'audio', sha256: hash, served: 200 },
      ])
      await waitFor(() => uploaderHeard.length >= 2, 'the uploader’s own connection was told too')
      expect(uploaderHeard.map((n) => n.part)).toEqual(['peaks', 'audio'])
    } finally {
      bandmate.destroy()
      uploader.destroy()
    }
  })

  describe('hostile files are refused with a reason, nothing stored, the server unharmed', () => {
    const cases: { name: string; bytes: () => Buffer; status: number; error: string; says: RegExp }[] = [
      {
        name: 'a ZIP renamed take.wav',
        bytes: () => notAudio(600 * 1024),
        status: 415,
        error: 'unsupported_format',
        says: /not an audio file/,
      },
      {
        name: 'a truncated MP3 (an ID3 tag and no audio)',
        bytes: truncatedMp3,
        status: 422,
        error: 'corrupt_audio',
        says: /truncated/,
      },
      {
        name: 'an MP3 whose only frame is cut short',
        bytes: () => mp3Frames(1).subarray(0, 300) as Buffer,
        status: 422,
        error: 'corrupt_audio',
        says: /cut short/,
      },
      {
        name: 'a WAV header claiming 4 GB',
        bytes: () => wavClaiming(),
        status: 422,
        error: 'corrupt_audio',
        says: /claims 4294967280 bytes of audio/,
      },
      {
        name: 'a FLAC claiming days of audio in a few bytes',
        bytes: () => flacClaiming(2 ** 36 - 1),
        status: 422,
        error: 'corrupt_audio',
        says: /hours of audio/,
      },
      {
        name: 'a FLAC that would decode to gigabytes (bomb-like)',
        bytes: () => flacClaiming(44_100 * 60 * 60),
        status: 422,
        error: 'corrupt_audio',
        says: /compresses that much/,
      },
    ]
    for (const c of cases)
      it(c.name, async () => {
        const bytes = c.bytes()
        const result = await rawUpload(url(), editor, project, bytes, {
          filename: 'take.wav',
          patchBytes: 512 * 1024,
        })
        expect({ status: result.status, error: result.body.error }).toEqual({
          status: c.status,
          error: c.error,
        })
        expect(result.body.message).toMatch(c.says)
        expect(await stored(sha256(bytes))).toBe(0)
        expect((await headUpload(url(), editor.cookie, result.location!)).status).toBe(404)
        const left = await database.db
          .select()
          .from(schema.assetChunks)
          .where(eq(schema.assetChunks.blobId, result.location!.split('/').pop()!))
        expect(left).toEqual([])
        await expectHealthy()
      })

    it('a hash that does not match the bytes', async () => {
      const take = wav(0.5, { frequency: 770 })
      const result = await rawUpload(url(), editor, project, take, {
        announced: sha256(Buffer.from('other')),
      })
      expect(result.status).toBe(422)
      expect(result.body.error).toBe('hash_mismatch')
      expect(result.body.message).toContain(sha256(take))
      expect(await stored(sha256(take))).toBe(0)
      expect(await stored(sha256(Buffer.from('other')))).toBe(0)
      await expectHealthy()
    })

    it('a path in the file name is reduced to its base name', async () => {
      const take = wav(0.3, { frequency: 880 })
      for (const filename of ['../../etc/passwd/vocals.wav', 'C:\\Users\\me\\vocals.wav'])
        expect((await rawUpload(url(), editor, project, take, { filename })).status).toBe(204)
      const [link] = await database.db
        .select({ fileName: schema.projectAssets.fileName })
        .from(schema.projectAssets)
        .where(
          and(eq(schema.projectAssets.projectId, project), eq(schema.projectAssets.sha256, sha256(take))),
        )
      expect(link?.fileName).toBe('vocals.wav')
    })

    it('a file over the size limit is refused at creation, before any byte is sent', async () => {
      const result = await rawUpload(url(), editor, project, Buffer.alloc(9 * MiB, 1))
      expect(result.status).toBe(413)
      expect(result.body.error).toBe('too_large')
      expect(result.body.message).toMatch(/at most 8\.0 MiB/)
      await expectHealthy()
    })

    it('a song over its quota is refused, clearly', async () => {
      // A second server on the same database, with a 1 MiB quota per song.
      const small = await startTestServer(database, {
        assets: { ...defaults, maxAssetBytes: 8 * MiB, projectQuotaBytes: 1 * MiB },
      })
      try {
        const song = await seedProject(database.db, [{ userId: editor.userId, role: 'owner' }])
        const takes = [0, 1].map((i) => wav(3, { frequency: 300 + i * 50 })) // 563 KiB each
        expect((await rawUpload(small.url, editor, song, takes[0]!)).status).toBe(204)
        const over = await rawUpload(small.url, editor, song, takes[1]!)
        expect(over.status).toBe(413)
        expect(over.body.error).toBe('quota_exceeded')
        expect(over.body.message).toMatch(/its quota is 1\.0 MiB/)
        expect(await stored(sha256(takes[1]!))).toBe(0)
        // The same bytes again cost nothing: they are already this song's.
        expect((await rawUpload(small.url, editor, song, takes[0]!)).status).toBe(204)
      } finally {
        await small.close()
      }
      await expectHealthy()
    })
  })
})

// On PGlite only: the sweep removes every old enough upload in the database, and a PostgreSQL test
// database is shared with the other test files running beside this one.
describe('the sweep on pglite', () => {
  it('removes uploads abandoned past the expiry with their chunks, keeps stored assets', async () => {
    const database = await openTestDatabase('pglite')
    const server = await startTestServer(database, {
      assets: { ...defaults, uploadExpiryMs: 1500, sweepIntervalMs: 250 },
    })
    try {
      const user = await signUp(server.url, 'sweeper')
      const song = await seedProject(database.db, [{ userId: user.userId, role: 'owner' }])
      const kept = wav(0.5, { frequency: 990 })
      expect((await rawUpload(server.url, user, song, kept)).status).toBe(204)
      const abandoned = wav(2, { frequency: 1010 })
      const partial = await fetch(`${server.url}/api/projects/${song}/assets/uploads`, {
        method: 'POST',
        headers: {
          cookie: user.cookie,
          'tus-resumable': '1.0.0',
          'upload-length': String(abandoned.length),
          'upload-metadata': `sha256 ${Buffer.from(sha256(abandoned)).toString('base64')},filename ${Buffer.from('a.wav').toString('base64')}`,
        },
      })
      const location = partial.headers.get('location')!
      expect(
        (await patchUpload(server.url, user.cookie, location, 0, abandoned.subarray(0, 300 * 1024))).status,
      ).toBe(204)
      const uploadId = location.split('/').pop()!
      await waitFor(
        async () =>
          (await database.db.select().from(schema.assetUploads).where(eq(schema.assetUploads.id, uploadId)))
            .length === 0,
        'the abandoned upload is swept',
        20_000,
      )
      expect(
        await database.db.select().from(schema.assetChunks).where(eq(schema.assetChunks.blobId, uploadId)),
      ).toEqual([])
      const stillThere = await download(server.url, user.cookie, song, sha256(kept))
      expect(sha256(Buffer.from(await stillThere.arrayBuffer()))).toBe(sha256(kept))
    } finally {
      await server.close()
      await database.close()
    }
  })
})
