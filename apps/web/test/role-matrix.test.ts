import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appRouter } from '../src/server/api/router'
import type { RunningServer } from '../src/server/app'
import { type Database, schema } from '../src/server/db'
import { type Api, type Caller, createApi, outcome, signUp } from './helpers/api'
import { connectClient, isSaved, loadStoredDoc, openSongAs, tokenFor, upgradeStatus } from './helpers/clients'
import { drivers, openTestDatabase } from './helpers/db'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/**
 * Every role against every operation, over real HTTP and a real WebSocket: each tRPC procedure
 * and the collab write, allowed or refused as it should be. Each case gets a fresh project
 * (owner, editor, viewer, and a member who was removed) so destructive calls cannot leak.
 */

const actors = ['owner', 'editor', 'viewer', 'removed', 'stranger', 'signedOut'] as const
type Actor = (typeof actors)[number]

interface Fixture {
  projectId: string
  ids: Record<'owner' | 'editor' | 'viewer' | 'removed' | 'stranger', string>
  inviteId: string
  inviteSecret: string
  versionId: string
  /** A second project with the same members, deleted by its owner. */
  deletedProjectId: string
  /** A comment thread the owner started. */
  commentId: string
}

type Expect = 'OK' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_REQUEST' | 'SERVICE_UNAVAILABLE'

/** Shorthands for the common rows. */
const signedIn = (): Record<Actor, Expect> => ({
  owner: 'OK',
  editor: 'OK',
  viewer: 'OK',
  removed: 'OK',
  stranger: 'OK',
  signedOut: 'UNAUTHORIZED',
})
const members = (min: 'viewer' | 'editor' | 'owner'): Record<Actor, Expect> => ({
  owner: 'OK',
  editor: min === 'owner' ? 'FORBIDDEN' : 'OK',
  viewer: min === 'viewer' ? 'OK' : 'FORBIDDEN',
  removed: 'NOT_FOUND',
  stranger: 'NOT_FOUND',
  signedOut: 'UNAUTHORIZED',
})

const everyone = (e: Expect): Record<Actor, Expect> => ({
  owner: e,
  editor: e,
  viewer: e,
  removed: e,
  stranger: e,
  signedOut: e,
})
const nonPublishers = (): Record<Actor, Expect> => ({ ...everyone('FORBIDDEN'), signedOut: 'UNAUTHORIZED' })

const cases: {
  name: string
  call: (api: Api, f: Fixture) => Promise<unknown>
  expect: Record<Actor, Expect>
}[] = [
  { name: 'projects.create', call: (api) => api.projects.create.mutate({ name: 'New' }), expect: signedIn() },
  { name: 'projects.list', call: (api) => api.projects.list.query(), expect: signedIn() },
  {
    name: 'projects.get',
    call: (api, f) => api.projects.get.query({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  {
    name: 'projects.outline',
    call: (api, f) => api.projects.outline.query({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  {
    name: 'projects.rename',
    call: (api, f) => api.projects.rename.mutate({ projectId: f.projectId, name: 'Renamed' }),
    expect: members('editor'),
  },
  {
    name: 'projects.duplicate',
    call: (api, f) => api.projects.duplicate.mutate({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  {
    name: 'projects.delete',
    call: (api, f) => api.projects.delete.mutate({ projectId: f.projectId }),
    expect: members('owner'),
  },
  { name: 'projects.deleted', call: (api) => api.projects.deleted.query(), expect: signedIn() },
  {
    name: 'projects.restore',
    call: (api, f) => api.projects.restore.mutate({ projectId: f.deletedProjectId }),
    // Whoever else asks learns nothing, not even that it exists.
    expect: { ...members('owner'), editor: 'NOT_FOUND', viewer: 'NOT_FOUND' },
  },
  {
    name: 'members.list',
    call: (api, f) => api.members.list.query({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  {
    name: 'members.changeRole',
    call: (api, f) =>
      api.members.changeRole.mutate({ projectId: f.projectId, userId: f.ids.viewer, role: 'editor' }),
    expect: members('owner'),
  },
  {
    name: 'members.remove',
    call: (api, f) => api.members.remove.mutate({ projectId: f.projectId, userId: f.ids.viewer }),
    expect: members('owner'),
  },
  {
    name: 'members.leave',
    call: (api, f) => api.members.leave.mutate({ projectId: f.projectId }),
    // The owner must hand the project on first.
    expect: { ...members('viewer'), owner: 'BAD_REQUEST' },
  },
  {
    name: 'members.transferOwnership',
    call: (api, f) => api.members.transferOwnership.mutate({ projectId: f.projectId, userId: f.ids.editor }),
    expect: members('owner'),
  },
  {
    name: 'invites.create',
    call: (api, f) => api.invites.create.mutate({ projectId: f.projectId, role: 'editor' }),
    expect: members('owner'),
  },
  {
    name: 'invites.list',
    call: (api, f) => api.invites.list.query({ projectId: f.projectId }),
    expect: members('owner'),
  },
  {
    name: 'invites.revoke',
    call: (api, f) => api.invites.revoke.mutate({ projectId: f.projectId, inviteId: f.inviteId }),
    expect: members('owner'),
  },
  // A link is a bearer capability: anyone signed in who holds it may look and join.
  {
    name: 'invites.peek',
    call: (api, f) => api.invites.peek.query({ secret: f.inviteSecret }),
    expect: signedIn(),
  },
  {
    name: 'invites.accept',
    call: (api, f) => api.invites.accept.mutate({ secret: f.inviteSecret }),
    expect: signedIn(),
  },
  {
    name: 'rooms.token',
    call: (api, f) => api.rooms.token.mutate({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  {
    name: 'versions.create',
    call: (api, f) => api.versions.create.mutate({ projectId: f.projectId, name: 'v' }),
    expect: members('editor'),
  },
  {
    name: 'versions.list',
    call: (api, f) => api.versions.list.query({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  {
    name: 'versions.get',
    call: (api, f) => api.versions.get.query({ projectId: f.projectId, versionId: f.versionId }),
    expect: members('viewer'),
  },
  {
    // A restore is an edit: what to apply is only handed to those who may write the song.
    name: 'versions.restoreUpdate',
    call: (api, f) => api.versions.restoreUpdate.query({ projectId: f.projectId, versionId: f.versionId }),
    expect: members('editor'),
  },
  // What changed since you left: every member reads their own summary and marks it seen.
  {
    name: 'changes.since',
    call: (api, f) => api.changes.since.query({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  {
    name: 'changes.markSeen',
    call: (api, f) => api.changes.markSeen.mutate({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  // AI suggestions. The role is checked before the track is looked up: editors get as far as "no such
  // track" (this server has no inference service; ai.plugins answers `reachable: false`, not an error).
  {
    name: 'ai.plugins',
    call: (api, f) => api.ai.plugins.query({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  {
    name: 'ai.suggest',
    call: (api, f) =>
      api.ai.suggest.mutate({
        projectId: f.projectId,
        trackId: 'no-such-track',
        fromTick: 0,
        toTick: 1920,
        pluginId: 'studio.ensemble.harmonizer',
      }),
    expect: { ...members('editor'), owner: 'BAD_REQUEST', editor: 'BAD_REQUEST' },
  },
  // A decision on a proposal of this project: editors get as far as looking it up (there is none).
  {
    name: 'ai.decide',
    call: (api, f) =>
      api.ai.decide.mutate({ projectId: f.projectId, proposalId: randomUUID(), kept: randomUUID() }),
    expect: { ...members('editor'), owner: 'NOT_FOUND', editor: 'NOT_FOUND' },
  },
  // Keeping what a live partner played: editors get as far as reading the window (no such track).
  {
    name: 'ai.keepPartnerTake',
    call: (api, f) =>
      api.ai.keepPartnerTake.mutate({
        projectId: f.projectId,
        trackId: 'no-such-track',
        partner: 'bass',
        pluginVersion: '1.0.0',
        modelHash: 'none',
        seed: 1,
        fromTick: 0,
        toTick: 1920,
        notes: [{ pitch: 40, start: 0, duration: 480, velocity: 90 }],
      }),
    expect: { ...members('editor'), owner: 'BAD_REQUEST', editor: 'BAD_REQUEST' },
  },
  // The background maker: editors get as far as asking the inference service, which this server has not.
  {
    name: 'ai.background',
    call: (api, f) =>
      api.ai.background.mutate({
        projectId: f.projectId,
        mood: 'calm',
        style: 'folk',
        tempo: 'fit',
        key: 'any',
        length: { seconds: 10 },
        loop: false,
        arc: 'steady',
      }),
    expect: { ...members('editor'), owner: 'SERVICE_UNAVAILABLE', editor: 'SERVICE_UNAVAILABLE' },
  },
  // The plugin registry. Publisher procedures do not look at project roles: whoever is not a publisher
  // is refused. These rows run before `registry.becomePublisher` makes everyone in this file one.
  { name: 'registry.me', call: (api) => api.registry.me.query(), expect: signedIn() },
  {
    name: 'registry.createPublisherToken',
    call: (api) => api.registry.createPublisherToken.mutate({ label: 'cli' }),
    expect: nonPublishers(),
  },
  {
    name: 'registry.revokePublisherToken',
    call: (api) => api.registry.revokePublisherToken.mutate({ tokenId: 'some-token' }),
    expect: nonPublishers(),
  },
  {
    name: 'registry.yank',
    call: (api) =>
      api.registry.yank.mutate({ pluginId: 'org.example.none', version: '1.0.0', reason: 'bad' }),
    expect: nonPublishers(),
  },
  { name: 'registry.failures', call: (api) => api.registry.failures.query(), expect: nonPublishers() },
  {
    name: 'registry.becomePublisher',
    call: (api) => api.registry.becomePublisher.mutate({ name: `p-${randomUUID().slice(0, 8)}` }),
    expect: signedIn(),
  },
  { name: 'registry.search', call: (api) => api.registry.search.query({ query: 'x' }), expect: signedIn() },
  { name: 'registry.firstParty', call: (api) => api.registry.firstParty.query(), expect: signedIn() },
  {
    name: 'registry.describe',
    call: (api) => api.registry.describe.query({ pluginId: 'org.example.none' }),
    expect: { ...everyone('NOT_FOUND'), signedOut: 'UNAUTHORIZED' },
  },
  {
    name: 'registry.installs',
    call: (api, f) => api.registry.installs.query({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  // The role is checked before the plugin is looked up: the owner gets as far as "no such plugin".
  {
    name: 'registry.install',
    call: (api, f) => api.registry.install.mutate({ projectId: f.projectId, pluginId: 'org.example.none' }),
    expect: { ...members('owner'), owner: 'BAD_REQUEST' },
  },
  // Ratings: anyone signed in reads the counts; a band's own rating only its members.
  {
    name: 'registry.ratings',
    call: (api, f) => api.registry.ratings.query({ pluginIds: ['org.example.none'], projectId: f.projectId }),
    expect: members('viewer'),
  },
  // Only a band that installed the plugin rates it: editors get as far as that check.
  {
    name: 'registry.rate',
    call: (api, f) =>
      api.registry.rate.mutate({ projectId: f.projectId, pluginId: 'org.example.none', stars: 4 }),
    expect: { ...members('editor'), owner: 'FORBIDDEN', editor: 'FORBIDDEN' },
  },
  {
    name: 'registry.recommended',
    call: (api, f) => api.registry.recommended.query({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  {
    name: 'registry.uninstall',
    call: (api, f) => api.registry.uninstall.mutate({ projectId: f.projectId, pluginId: 'org.example.none' }),
    expect: { ...members('owner'), owner: 'BAD_REQUEST' },
  },
  // Comments and chat: members read; viewers write too (the owner's setting, on by default); only the
  // author edits, and the author or the owner deletes (here the comment is the owner's).
  {
    name: 'comments.list',
    call: (api, f) => api.comments.list.query({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  {
    name: 'comments.post',
    call: (api, f) =>
      api.comments.post.mutate({ projectId: f.projectId, body: 'hi', anchor: { start: 0, end: 1 } }),
    expect: members('viewer'),
  },
  {
    name: 'comments.reply',
    call: (api, f) =>
      api.comments.reply.mutate({ projectId: f.projectId, parentId: f.commentId, body: 'yes' }),
    expect: members('viewer'),
  },
  {
    name: 'comments.edit',
    call: (api, f) =>
      api.comments.edit.mutate({ projectId: f.projectId, commentId: f.commentId, body: 'edited' }),
    expect: { ...members('owner'), viewer: 'FORBIDDEN' },
  },
  {
    name: 'comments.delete',
    call: (api, f) => api.comments.delete.mutate({ projectId: f.projectId, commentId: f.commentId }),
    expect: members('owner'),
  },
  {
    name: 'comments.resolve',
    call: (api, f) =>
      api.comments.resolve.mutate({ projectId: f.projectId, commentId: f.commentId, resolved: true }),
    expect: members('viewer'),
  },
  {
    name: 'comments.react',
    call: (api, f) =>
      api.comments.react.mutate({ projectId: f.projectId, commentId: f.commentId, emoji: '👍', on: true }),
    expect: members('viewer'),
  },
  {
    name: 'chat.list',
    call: (api, f) => api.chat.list.query({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  {
    name: 'chat.post',
    call: (api, f) => api.chat.post.mutate({ projectId: f.projectId, body: 'hello' }),
    expect: members('viewer'),
  },
  { name: 'discussion.unread', call: (api) => api.discussion.unread.query(), expect: signedIn() },
  {
    name: 'discussion.markRead',
    call: (api, f) => api.discussion.markRead.mutate({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  {
    name: 'discussion.settings',
    call: (api, f) => api.discussion.settings.query({ projectId: f.projectId }),
    expect: members('viewer'),
  },
  {
    name: 'discussion.setViewerComments',
    call: (api, f) => api.discussion.setViewerComments.mutate({ projectId: f.projectId, allowed: false }),
    expect: members('owner'),
  },
]

it('the matrix covers every procedure of the API (a new one must be added here)', () => {
  expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(appRouter._def.procedures).sort())
})

describe.each(drivers)('role matrix on %s', (driver) => {
  let database: Database
  let server: RunningServer
  const callers = {} as Record<Exclude<Actor, 'signedOut'>, Caller>
  let signedOut: Api

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    server = await startTestServer(database)
    for (const actor of ['owner', 'editor', 'viewer', 'removed', 'stranger'] as const)
      callers[actor] = await signUp(server.url, actor)
    signedOut = createApi(server.url)
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  /** A fresh project; `removed` was an editor and has been removed through the API. */
  async function fixture(): Promise<Fixture> {
    const ids = {
      owner: callers.owner.userId,
      editor: callers.editor.userId,
      viewer: callers.viewer.userId,
      removed: callers.removed.userId,
      stranger: callers.stranger.userId,
    }
    const projectId = await seedProject(database.db, [
      { userId: ids.owner, role: 'owner' },
      { userId: ids.editor, role: 'editor' },
      { userId: ids.viewer, role: 'viewer' },
      { userId: ids.removed, role: 'editor' },
    ])
    await callers.owner.api.members.remove.mutate({ projectId, userId: ids.removed })
    const invite = await callers.owner.api.invites.create.mutate({ projectId, role: 'viewer', maxUses: 5 })
    const version = await callers.owner.api.versions.create.mutate({ projectId, name: 'first' })
    const deletedProjectId = await seedProject(database.db, [
      { userId: ids.owner, role: 'owner' },
      { userId: ids.editor, role: 'editor' },
      { userId: ids.viewer, role: 'viewer' },
    ])
    await callers.owner.api.projects.delete.mutate({ projectId: deletedProjectId })
    // Straight to the table, an hour old: through the API (or dated now), every case's fixtures would
    // count against the owner's rate limit.
    const commentId = randomUUID()
    await database.db.insert(schema.comments).values({
      id: commentId,
      projectId,
      authorId: ids.owner,
      body: 'the bridge is busy',
      anchor: { start: 0, end: 1920 },
      createdAt: new Date(Date.now() - 3_600_000),
    })
    return {
      commentId,
      projectId,
      ids,
      inviteId: invite.id,
      inviteSecret: invite.secret,
      versionId: version.id,
      deletedProjectId,
    }
  }

  const apiOf = (actor: Actor): Api => (actor === 'signedOut' ? signedOut : callers[actor].api)

  it.each(cases)('$name', async ({ call, expect: expected }) => {
    const got: Record<string, string> = {}
    for (const actor of actors) got[actor] = await outcome(async () => call(apiOf(actor), await fixture()))
    expect(got).toEqual(expected)
  })

  it('WebSocket write: owner and editor are stored, a viewer is dropped, removed / stranger / signed out cannot connect', async () => {
    const f = await fixture()
    const url = collabUrl(server)
    const room = `${url}/${f.projectId}`
    // Tokens come from the API, as the studio gets them.
    const written: string[] = []
    for (const actor of ['owner', 'editor', 'viewer'] as const) {
      const song = await openSongAs(url, callers[actor], f.projectId)
      song.map.set(actor, true)
      if (actor !== 'viewer') await waitFor(() => isSaved(song), `${actor} saved`)
      written.push(actor)
      song.destroy()
    }
    // The viewer's write went out last; give it every chance to (wrongly) land, via a marker.
    const marker = await connectClient(url, f.projectId, { sub: f.ids.owner, role: 'owner' })
    marker.map.set('marker', 1)
    await waitFor(() => isSaved(marker), 'marker saved')
    marker.destroy()
    const stored = (await loadStoredDoc(database.db, f.projectId)).getMap('m').toJSON()
    expect(stored).toEqual({ owner: true, editor: true, marker: 1 })

    // Removed: a token signed while they were a member no longer opens the room.
    const oldToken = await tokenFor(f.projectId, { sub: f.ids.removed, role: 'editor' })
    expect(await upgradeStatus(`${room}?token=${oldToken}`)).toBe(403)
    // Stranger: the API will not issue a token, and a correctly signed one (leaked) is refused.
    expect(await outcome(() => callers.stranger.api.rooms.token.mutate({ projectId: f.projectId }))).toBe(
      'NOT_FOUND',
    )
    const leaked = await tokenFor(f.projectId, { sub: f.ids.stranger, role: 'owner' })
    expect(await upgradeStatus(`${room}?token=${leaked}`)).toBe(403)
    // Signed out: no token at all.
    expect(await outcome(() => signedOut.rooms.token.mutate({ projectId: f.projectId }))).toBe('UNAUTHORIZED')
    expect(await upgradeStatus(room)).toBe(401)
  })
})
