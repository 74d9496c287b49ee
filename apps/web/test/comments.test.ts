import { addClip, addTrack, moveClip, PPQ, readSong, resolveAnchor } from '@ensemble/core'
import { createTRPCClient, httpBatchLink } from '@trpc/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DiscussionEvent } from '../src/discussion/events'
import type { AppRouter } from '../src/server/api/router'
import type { RunningServer } from '../src/server/app'
import type { Database } from '../src/server/db'
import { schema } from '../src/server/db'
import { createDiscussionStore } from '../src/studio/comments/discussion-store'
import { type Caller, outcome, signUp } from './helpers/api'
import { isSaved, type OpenSong, openSongAs } from './helpers/clients'
import { drivers, openTestDatabase } from './helpers/db'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/**
 * Comments and chat over the real paths: tRPC over HTTP for writes and reads, the collab WebSocket for
 * the live events (message 101). Two bandmates, a listener (viewer) and a stranger.
 */

const BAR = PPQ * 4

/** Every conversation event a studio connection received, in order. */
function recordEvents(song: OpenSong): DiscussionEvent[] {
  const events: DiscussionEvent[] = []
  song.discussion.subscribe((e) => events.push(e))
  return events
}

/** A song with a track and a clip at bar 9 (tick 8 bars), written by `by` through the collab socket. */
async function songWithClip(song: OpenSong) {
  const trackId = addTrack(song.doc, song.me, { kind: 'instrument', name: 'Drums' })
  const { clipId } = addClip(song.doc, song.me, trackId, { start: 8 * BAR, length: BAR, name: 'Bridge' })
  await waitFor(() => isSaved(song), 'clip saved')
  return { trackId, clipId }
}

describe.each(drivers)('comments and chat on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let alice: Caller
  let bob: Caller
  let lena: Caller
  let stranger: Caller
  const open: OpenSong[] = []

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    server = await startTestServer(database)
    alice = await signUp(server.url, 'alice', 'Alice')
    bob = await signUp(server.url, 'bob', 'Bob Marley')
    lena = await signUp(server.url, 'lena', 'Lena')
    stranger = await signUp(server.url, 'stranger', 'Stranger')
  })
  afterAll(async () => {
    for (const s of open) s.destroy()
    await server?.close()
    await database?.close()
  })

  const band = () =>
    seedProject(database.db, [
      { userId: alice.userId, role: 'owner' },
      { userId: bob.userId, role: 'editor' },
      { userId: lena.userId, role: 'viewer' },
    ])
  const songAs = async (caller: Caller, projectId: string) => {
    const song = await openSongAs(collabUrl(server), caller, projectId)
    open.push(song)
    return song
  }

  it('a comment on a clip at bar 9 mentioning a bandmate reaches them live; they reply and resolve; the anchor follows the clip', async () => {
    const projectId = await band()
    const a = await songAs(alice, projectId)
    const b = await songAs(bob, projectId)
    const aEvents = recordEvents(a)
    const bEvents = recordEvents(b)
    const { trackId, clipId } = await songWithClip(b)
    await waitFor(() => readSong(a.doc).tracks.length === 1, 'alice sees the clip')

    const comment = await alice.api.comments.post.mutate({
      projectId,
      body: '@Bob Marley the bridge drums are too busy',
      anchor: { start: 8 * BAR, end: 9 * BAR, trackId, clipId },
    })
    expect(comment.authorId).toBe(alice.userId)
    expect(comment.authorName).toBe('Alice')
    expect(comment.mentions).toEqual([bob.userId])
    await waitFor(
      () => bEvents.some((e) => e.type === 'comment' && e.comment.id === comment.id),
      'bob sees it',
    )
    expect((await bob.api.discussion.unread.query()).find((u) => u.projectId === projectId)).toEqual({
      projectId,
      unread: 1,
      mentions: 1,
    })

    const reply = await bob.api.comments.reply.mutate({
      projectId,
      parentId: comment.id,
      body: 'Thinned it out.',
    })
    await bob.api.comments.resolve.mutate({ projectId, commentId: comment.id, resolved: true })
    await waitFor(
      () =>
        aEvents.some((e) => e.type === 'comment' && e.comment.id === reply.id) &&
        aEvents.some(
          (e) => e.type === 'comment' && e.comment.id === comment.id && e.comment.resolvedBy === bob.userId,
        ),
      'alice sees the reply and the resolve',
    )
    await bob.api.discussion.markRead.mutate({ projectId })
    expect((await bob.api.discussion.unread.query()).find((u) => u.projectId === projectId)?.unread).toBe(0)

    // Alice moves the clip to bar 13: the comment's place in the song moves with it, for both.
    moveClip(a.doc, a.me, trackId, clipId, { start: 12 * BAR })
    await waitFor(() => readSong(b.doc).tracks[0]?.clips[0]?.start === 12 * BAR, 'bob sees the move')
    const [stored] = (await bob.api.comments.list.query({ projectId })).comments
    expect(stored?.anchor).not.toBeNull()
    if (!stored?.anchor) return
    expect(resolveAnchor(readSong(b.doc), stored.anchor)).toEqual({
      start: 12 * BAR,
      end: 13 * BAR,
      trackId,
      lost: null,
    })

    // Bob drags it onto another track (re-created there under a new id): the comment goes along.
    const keys = addTrack(b.doc, b.me, { kind: 'instrument', name: 'Keys' })
    moveClip(b.doc, b.me, trackId, clipId, { start: 16 * BAR, toTrackId: keys })
    await waitFor(
      () => readSong(a.doc).tracks.some((t) => t.id === keys && t.clips[0]?.start === 16 * BAR),
      'alice sees the clip on the other track',
    )
    expect(resolveAnchor(readSong(a.doc), stored.anchor)).toEqual({
      start: 16 * BAR,
      end: 17 * BAR,
      trackId: keys,
      lost: null,
    })
  })

  it("the studio's comments store reads the newest 200 threads, then older pages on demand, with their replies", async () => {
    const projectId = await band()
    const now = Date.now() - 3_600_000
    const threads = Array.from({ length: 450 }, (_, i) => ({
      id: crypto.randomUUID(),
      projectId,
      authorId: alice.userId,
      body: `thread ${i}`,
      anchor: { start: 0, end: PPQ },
      createdAt: new Date(now - (450 - i) * 1000),
    }))
    await database.db.insert(schema.comments).values(threads)
    // A reply, written recently, to the oldest thread: it comes with its thread's page, not the first.
    await database.db.insert(schema.comments).values({
      id: crypto.randomUUID(),
      projectId,
      authorId: bob.userId,
      parentId: threads[0]!.id,
      body: 'late reply',
      createdAt: new Date(now),
    })
    const song = await songAs(lena, projectId)
    const store = createDiscussionStore({ projectId, connection: song }, lena.userId, lena.api)
    const roots = () => [...store.get().comments.values()].filter((c) => c.parentId === null)
    try {
      await waitFor(() => roots().length > 0, 'the first page')
      expect(roots()).toHaveLength(200)
      expect(store.get().olderThreads).toBe(true)
      expect(roots().some((c) => c.body === 'thread 449')).toBe(true)
      expect(roots().some((c) => c.body === 'thread 249')).toBe(false)

      // A thread started while the panel is open arrives live; paging back does not disturb it.
      const fresh = await alice.api.comments.post.mutate({
        projectId,
        body: 'new one',
        anchor: { start: 0, end: 1 },
      })
      await waitFor(() => store.get().comments.has(fresh.id), 'the live thread')

      // Two clicks on "Older threads" before the first page is back read one page, not two.
      await Promise.all([store.loadOlderThreads(), store.loadOlderThreads()])
      expect(roots()).toHaveLength(401)
      expect(store.get().olderThreads).toBe(true)
      await store.loadOlderThreads()
      expect(store.get().olderThreads).toBe(false)
      expect(
        roots()
          .map((c) => c.body)
          .sort(),
      ).toEqual([...threads.map((t) => t.body), 'new one'].sort())
      expect([...store.get().comments.values()].find((c) => c.body === 'late reply')?.parentId).toBe(
        threads[0]!.id,
      )
      await store.loadOlderThreads()
      expect(roots()).toHaveLength(451)
    } finally {
      store.destroy()
    }
  })

  it('threads page newest first with replies, filter by status, author and track', async () => {
    const projectId = await band()
    // Written straight to the table, an hour old: the rate limit (which counts the last minute's rows)
    // is its own test.
    const now = Date.now() - 3_600_000
    await database.db.insert(schema.comments).values(
      Array.from({ length: 120 }, (_, i) => ({
        id: crypto.randomUUID(),
        projectId,
        authorId: i % 2 === 0 ? alice.userId : bob.userId,
        body: `comment ${i}`,
        anchor: { start: i * PPQ, end: i * PPQ + PPQ, ...(i % 3 === 0 ? { trackId: 't-1' } : {}) },
        resolvedAt: i % 4 === 0 ? new Date(now) : null,
        createdAt: new Date(now - (120 - i) * 1000),
      })),
    )
    const seen: string[] = []
    let before: string | undefined
    do {
      const page = await lena.api.comments.list.query({ projectId, limit: 50, ...(before ? { before } : {}) })
      seen.push(...page.comments.map((c) => c.body))
      before = page.nextCursor ?? undefined
    } while (before !== undefined)
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `comment ${119 - i}`))
    expect(
      (await lena.api.comments.list.query({ projectId, status: 'resolved', limit: 200 })).comments,
    ).toHaveLength(30)
    expect(
      (await lena.api.comments.list.query({ projectId, status: 'open', limit: 200 })).comments,
    ).toHaveLength(90)
    const byBob = await lena.api.comments.list.query({ projectId, authorId: bob.userId, limit: 200 })
    expect(byBob.comments.every((c) => c.authorId === bob.userId) && byBob.comments.length === 60).toBe(true)
    expect(
      (await lena.api.comments.list.query({ projectId, trackId: 't-1', limit: 200 })).comments,
    ).toHaveLength(40)

    // Chat: 130 messages page back from the newest, oldest first within a page.
    await database.db.insert(schema.chatMessages).values(
      Array.from({ length: 130 }, (_, i) => ({
        id: crypto.randomUUID(),
        projectId,
        authorId: bob.userId,
        body: `line ${i}`,
        createdAt: new Date(now),
      })),
    )
    const lines: string[] = []
    let chatBefore: number | undefined
    for (;;) {
      const page = await alice.api.chat.list.query({
        projectId,
        limit: 50,
        ...(chatBefore ? { before: chatBefore } : {}),
      })
      lines.unshift(...page.messages.map((m) => m.body))
      if (!page.hasMore) break
      chatBefore = page.messages[0]?.seq
    }
    expect(lines).toEqual(Array.from({ length: 130 }, (_, i) => `line ${i}`))
  })

  it('viewers comment unless the owner turns it off; strangers get nothing; own edits, owner moderates', async () => {
    const projectId = await band()
    const anchor = { start: 0, end: BAR }
    const byLena = await lena.api.comments.post.mutate({ projectId, body: 'Love the intro', anchor })
    expect(await outcome(() => stranger.api.comments.list.query({ projectId }))).toBe('NOT_FOUND')
    expect(await outcome(() => stranger.api.comments.post.mutate({ projectId, body: 'hi', anchor }))).toBe(
      'NOT_FOUND',
    )
    expect(await outcome(() => stranger.api.chat.post.mutate({ projectId, body: 'hi' }))).toBe('NOT_FOUND')
    expect(await outcome(() => stranger.api.discussion.markRead.mutate({ projectId }))).toBe('NOT_FOUND')

    // Only the author edits; the owner (not an editor) deletes someone else's.
    expect(
      await outcome(() => bob.api.comments.edit.mutate({ projectId, commentId: byLena.id, body: 'hacked' })),
    ).toBe('FORBIDDEN')
    expect(await outcome(() => bob.api.comments.delete.mutate({ projectId, commentId: byLena.id }))).toBe(
      'FORBIDDEN',
    )
    const edited = await lena.api.comments.edit.mutate({
      projectId,
      commentId: byLena.id,
      body: 'Love the intro!',
    })
    expect(edited.editedAt).not.toBeNull()
    await lena.api.comments.react.mutate({ projectId, commentId: byLena.id, emoji: '🔥', on: true })
    await bob.api.comments.react.mutate({ projectId, commentId: byLena.id, emoji: '🔥', on: true })
    const reacted = await bob.api.comments.react.mutate({
      projectId,
      commentId: byLena.id,
      emoji: '👍',
      on: true,
    })
    expect(reacted.reactions).toEqual([
      { emoji: '🔥', userIds: [lena.userId, bob.userId] },
      { emoji: '👍', userIds: [bob.userId] },
    ])

    expect(
      await outcome(() => bob.api.discussion.setViewerComments.mutate({ projectId, allowed: false })),
    ).toBe('FORBIDDEN')
    await alice.api.discussion.setViewerComments.mutate({ projectId, allowed: false })
    expect(await lena.api.discussion.settings.query({ projectId })).toMatchObject({ canComment: false })
    expect(await outcome(() => lena.api.comments.post.mutate({ projectId, body: 'again', anchor }))).toBe(
      'FORBIDDEN',
    )
    expect(await outcome(() => lena.api.chat.post.mutate({ projectId, body: 'again' }))).toBe('FORBIDDEN')
    // Reading stays open to every member.
    expect((await lena.api.comments.list.query({ projectId })).comments).toHaveLength(1)

    await alice.api.comments.delete.mutate({ projectId, commentId: byLena.id })
    expect((await lena.api.comments.list.query({ projectId })).comments).toHaveLength(0)
  })

  it('hostile input: markup is stored as text, huge bodies and forged authors are refused, anchors stay in their song', async () => {
    const projectId = await band()
    const other = await band()
    const b = await songAs(bob, other)
    const foreign = await songWithClip(b)

    const script = '<script>alert(1)</script><img src=x onerror=alert(1)> **[x](javascript:alert(1))**'
    const stored = await bob.api.comments.post.mutate({
      projectId,
      body: script,
      anchor: { start: 0, end: 1 },
    })
    expect(stored.body).toBe(script)

    const huge = 'x'.repeat(1024 * 1024)
    expect(
      await outcome(() =>
        bob.api.comments.post.mutate({ projectId, body: huge, anchor: { start: 0, end: 1 } }),
      ),
    ).toBe('BAD_REQUEST')
    expect(await outcome(() => bob.api.chat.post.mutate({ projectId, body: huge }))).toBe('BAD_REQUEST')
    expect(
      await outcome(() =>
        bob.api.comments.post.mutate({ projectId, body: 'rtl \u202e trick', anchor: { start: 0, end: 1 } }),
      ),
    ).toBe('BAD_REQUEST')

    // Posting as someone else: the input has no author field, and an extra one is refused outright.
    const forged = await fetch(`${server.url}/api/trpc/comments.post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: bob.cookie, origin: server.url },
      body: JSON.stringify({
        projectId,
        body: 'I am Alice',
        anchor: { start: 0, end: 1 },
        authorId: alice.userId,
      }),
    })
    expect(forged.status).toBe(400)
    const chatForged = await fetch(`${server.url}/api/trpc/chat.post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: bob.cookie, origin: server.url },
      body: JSON.stringify({ projectId, body: 'I am Alice', authorId: alice.userId }),
    })
    expect(chatForged.status).toBe(400)

    // A clip (or track) of another song: refused, whoever asks.
    expect(
      await outcome(() =>
        bob.api.comments.post.mutate({
          projectId,
          body: 'wrong song',
          anchor: { start: 0, end: BAR, trackId: foreign.trackId, clipId: foreign.clipId },
        }),
      ),
    ).toBe('BAD_REQUEST')
    // A reply into another song's thread is as unknown as a comment that does not exist.
    const there = await bob.api.comments.post.mutate({
      projectId: other,
      body: 'there',
      anchor: { start: 0, end: 1 },
    })
    expect(
      await outcome(() => bob.api.comments.reply.mutate({ projectId, parentId: there.id, body: 'x' })),
    ).toBe('NOT_FOUND')

    const rows = await bob.api.comments.list.query({ projectId })
    expect(rows.comments.map((c) => [c.body, c.authorId])).toEqual([[script, bob.userId]])
  })

  it('1,000 comments in a minute: the first 30 are stored, the rest refused as too many', async () => {
    // A listener of their own: the others' comments in earlier tests count against their minute.
    const flooder = await signUp(server.url, 'flooder', 'Flooder')
    const projectId = await seedProject(database.db, [
      { userId: alice.userId, role: 'owner' },
      { userId: bob.userId, role: 'editor' },
      { userId: flooder.userId, role: 'viewer' },
    ])
    // Batched, 100 calls to a request, as a flooding client would: the limit is per user, not per request.
    const flood = createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: `${server.url}/api/trpc`,
          maxItems: 100,
          headers: () => ({ cookie: flooder.cookie, origin: server.url }),
        }),
      ],
    })
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        outcome(() =>
          flood.comments.post.mutate({ projectId, body: `spam ${i}`, anchor: { start: 0, end: 1 } }),
        ),
      ),
    )
    expect(results.filter((r) => r === 'OK')).toHaveLength(30)
    expect(results.filter((r) => r === 'TOO_MANY_REQUESTS')).toHaveLength(970)
    expect((await alice.api.comments.list.query({ projectId, limit: 200 })).comments).toHaveLength(30)
    // Another member is not held back by the flood.
    expect(await outcome(() => bob.api.chat.post.mutate({ projectId, body: 'still here' }))).toBe('OK')
  })

  it('chat is live, with history, and carries the verified author', async () => {
    const projectId = await band()
    const a = await songAs(alice, projectId)
    const events = recordEvents(a)
    const sent = await bob.api.chat.post.mutate({ projectId, body: 'try it at 1:32' })
    await waitFor(
      () => events.some((e) => e.type === 'chat' && e.message.id === sent.id),
      'alice gets the chat',
    )
    const history = await alice.api.chat.list.query({ projectId })
    expect(history.messages.map((m) => [m.body, m.authorName, m.authorId])).toEqual([
      ['try it at 1:32', 'Bob Marley', bob.userId],
    ])
  })
})
