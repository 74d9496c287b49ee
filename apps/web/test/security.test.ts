import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { RunningServer } from '../src/server/app'
import { CloseCode } from '../src/server/collab/protocol'
import { type Database, schema } from '../src/server/db'
import { type Caller, createApi, errorMessage, outcome, signUp } from './helpers/api'
import { isSaved, loadStoredDoc, openSongAs, tokenFor, upgradeStatus } from './helpers/clients'
import { drivers, openTestDatabase } from './helpers/db'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

describe.each(drivers)('security on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let owner: Caller
  let editor: Caller
  let other: Caller

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    server = await startTestServer(database, { authRateLimit: { max: 10_000, windowSeconds: 60 } })
    owner = await signUp(server.url, 'owner')
    editor = await signUp(server.url, 'editor')
    other = await signUp(server.url, 'other')
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it('a demoted editor can no longer write on the open connection, and a removed member is disconnected (4403)', async () => {
    const projectId = await seedProject(database.db, [
      { userId: owner.userId, role: 'owner' },
      { userId: editor.userId, role: 'editor' },
    ])
    const ed = await openSongAs(collabUrl(server), editor, projectId)
    ed.map.set('before', 1)
    await waitFor(() => isSaved(ed), 'editor write saved')

    await owner.api.members.changeRole.mutate({ projectId, userId: editor.userId, role: 'viewer' })
    await waitFor(() => ed.closes.includes(CloseCode.roleChanged), 'role-change close (4001)', 5000)
    // y-websocket reconnects by itself, with its old editor token: the server grants viewer.
    await waitFor(() => ed.provider.wsconnected && ed.provider.synced, 'reconnected')
    ed.map.set('after-demotion', 1)
    const room = await server.collab.rooms.peek(projectId)
    await waitFor(() => (room?.droppedViewerUpdates ?? 0) > 0, 'write dropped')
    expect(room?.doc.getMap('m').has('after-demotion')).toBe(false)

    await owner.api.members.remove.mutate({ projectId, userId: editor.userId })
    await waitFor(
      () => ed.closes.includes(CloseCode.accessRevoked),
      'removed member disconnected (4403)',
      5000,
    )
    // 44xx: y-websocket does not come back.
    await new Promise((r) => setTimeout(r, 300))
    expect(ed.provider.wsconnected).toBe(false)
    expect((await loadStoredDoc(database.db, projectId)).getMap('m').toJSON()).toEqual({ before: 1 })
    ed.destroy()
  })

  it('deleting a project disconnects everyone in it', async () => {
    const projectId = await seedProject(database.db, [
      { userId: owner.userId, role: 'owner' },
      { userId: editor.userId, role: 'editor' },
    ])
    const ed = await openSongAs(collabUrl(server), editor, projectId)
    await owner.api.projects.delete.mutate({ projectId })
    await waitFor(() => ed.closes.includes(CloseCode.accessRevoked), 'disconnected on delete', 5000)
    ed.destroy()
  })

  it('refuses forged, expired and other-project room tokens', async () => {
    const a = await seedProject(database.db, [{ userId: owner.userId, role: 'owner' }])
    const b = await seedProject(database.db, [{ userId: owner.userId, role: 'owner' }])
    const room = (p: string, token: string) => `${collabUrl(server)}/${p}?token=${encodeURIComponent(token)}`
    const { token } = await owner.api.rooms.token.mutate({ projectId: a })
    expect(await upgradeStatus(room(a, token))).toBe(101)
    expect(await upgradeStatus(room(b, token))).toBe(403)
    const forged = await tokenFor(a, { sub: owner.userId, role: 'owner' }, 'not-the-server-secret')
    expect(await upgradeStatus(room(a, forged))).toBe(401)
    // A payload edited by hand (role raised) breaks the signature.
    const [h, p, s] = token.split('.')
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString())
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, project: b })).toString('base64url')}.${s}`
    expect(await upgradeStatus(room(b, tampered))).toBe(401)
    const expired = await tokenFor(
      a,
      { sub: owner.userId, role: 'owner' },
      undefined,
      Math.floor(Date.now() / 1000) - 5,
    )
    expect(await upgradeStatus(room(a, expired))).toBe(401)
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`
    expect(await upgradeStatus(room(a, none))).toBe(401)
  })

  it('refuses a cross-origin WebSocket upgrade and cross-origin writes; same-origin and no-Origin clients pass', async () => {
    const projectId = await seedProject(database.db, [{ userId: owner.userId, role: 'owner' }])
    const { token } = await owner.api.rooms.token.mutate({ projectId })
    const url = `${collabUrl(server)}/${projectId}?token=${token}`
    const status = (origin?: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(url, origin ? { origin } : {})
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0)
          ws.terminate()
        })
        ws.on('open', () => {
          resolve(101)
          ws.close()
        })
        ws.on('error', reject)
      })
    expect(await status('https://evil.example')).toBe(403)
    expect(await status('null')).toBe(403)
    expect(await status(server.url)).toBe(101)
    expect(await status()).toBe(101)

    const evil = createApi(server.url, owner.cookie, 'https://evil.example')
    expect(await outcome(() => evil.projects.create.mutate({ name: 'csrf' }))).not.toBe('OK')
    const res = await fetch(`${server.url}/api/trpc/projects.delete`, {
      method: 'POST',
      headers: { cookie: owner.cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ projectId }),
    })
    expect(res.status).toBe(403)
    expect(await outcome(() => owner.api.projects.get.query({ projectId }))).toBe('OK')
    const signIn = await fetch(`${server.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ email: owner.email, password: 'whatever-it-is' }),
    })
    expect(signIn.status).toBe(403)
  })

  it('invite links stop working past their usage limit, after revocation and after expiry', async () => {
    const projectId = await seedProject(database.db, [{ userId: owner.userId, role: 'owner' }])
    const invite = await owner.api.invites.create.mutate({ projectId, role: 'editor', maxUses: 2 })
    const joiners = await Promise.all([1, 2, 3, 4, 5].map((i) => signUp(server.url, `joiner${i}`)))
    // Five accept at once: exactly two get in.
    const results = await Promise.all(
      joiners.map((j) => outcome(() => j.api.invites.accept.mutate({ secret: invite.secret }))),
    )
    expect(results.filter((r) => r === 'OK')).toHaveLength(2)
    expect(results.filter((r) => r === 'FORBIDDEN')).toHaveLength(3)
    const late = joiners[results.indexOf('FORBIDDEN')]!
    expect(await errorMessage(() => late.api.invites.accept.mutate({ secret: invite.secret }))).toBe(
      'This invite link has been used up.',
    )
    const members = await owner.api.members.list.query({ projectId })
    expect(members).toHaveLength(3)
    // A member accepting again spends nothing.
    const inside = joiners[results.indexOf('OK')]!
    expect(await outcome(() => inside.api.invites.accept.mutate({ secret: invite.secret }))).toBe('OK')

    const revoked = await owner.api.invites.create.mutate({ projectId, role: 'viewer', maxUses: 10 })
    await owner.api.invites.revoke.mutate({ projectId, inviteId: revoked.id })
    expect(await errorMessage(() => other.api.invites.accept.mutate({ secret: revoked.secret }))).toBe(
      'This invite link was revoked.',
    )
    expect(await outcome(() => other.api.invites.peek.query({ secret: revoked.secret }))).toBe('FORBIDDEN')

    const expiring = await owner.api.invites.create.mutate({ projectId, role: 'viewer' })
    await database.db
      .update(schema.projectInvites)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.projectInvites.id, expiring.id))
    expect(await errorMessage(() => other.api.invites.accept.mutate({ secret: expiring.secret }))).toBe(
      'This invite link has expired.',
    )
    expect(await errorMessage(() => other.api.invites.accept.mutate({ secret: 'x'.repeat(32) }))).toBe(
      'This invite link is not valid.',
    )
    expect(await outcome(() => other.api.projects.get.query({ projectId }))).toBe('NOT_FOUND')
  })

  it('keeps exactly one owner: transfer swaps, the owner cannot leave, be removed or be re-roled', async () => {
    const projectId = await seedProject(database.db, [
      { userId: owner.userId, role: 'owner' },
      { userId: editor.userId, role: 'editor' },
    ])
    expect(await outcome(() => owner.api.members.leave.mutate({ projectId }))).toBe('BAD_REQUEST')
    await owner.api.members.transferOwnership.mutate({ projectId, userId: editor.userId })
    const roles = Object.fromEntries(
      (await owner.api.members.list.query({ projectId })).map((m) => [m.userId, m.role]),
    )
    expect(roles).toEqual({ [owner.userId]: 'editor', [editor.userId]: 'owner' })
    expect(await outcome(() => editor.api.members.remove.mutate({ projectId, userId: editor.userId }))).toBe(
      'BAD_REQUEST',
    )
    expect(
      await outcome(() =>
        editor.api.members.changeRole.mutate({ projectId, userId: editor.userId, role: 'viewer' }),
      ),
    ).toBe('BAD_REQUEST')
    // The database itself refuses a second owner.
    await expect(
      database.db
        .update(schema.projectMembers)
        .set({ role: 'owner' })
        .where(eq(schema.projectMembers.projectId, projectId)),
    ).rejects.toThrow()
  })

  it('sign-up answers a new and an existing address alike: same status, same fields, no session either way', async () => {
    const signUpAs = (email: string, name: string) =>
      fetch(`${server.url}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify({ email, password: 'a stranger guessing', name }),
      })
    const shape = async (res: Response) => {
      const body = (await res.json()) as { token: unknown; user: Record<string, unknown> }
      const { id, createdAt, updatedAt, ...stable } = body.user
      return {
        status: res.status,
        cookies: res.headers.getSetCookie().map((c) => c.split('=')[0] ?? ''),
        token: body.token,
        userKeys: Object.keys(body.user).sort(),
        stable,
        idKind: typeof id,
      }
    }
    const fresh = `fresh-${Date.now()}@example.test`
    const answers = {
      existing: await shape(await signUpAs(owner.email, 'Stranger')),
      fresh: await shape(await signUpAs(fresh, 'Stranger')),
    }
    expect(answers.existing).toEqual({
      ...answers.fresh,
      stable: { ...answers.fresh.stable, email: owner.email },
    })
    expect(answers.existing.status).toBe(200)
    expect(answers.existing.token).toBeNull()
    expect(answers.existing.cookies.some((c) => c.includes('session_token'))).toBe(false)
    // The existing account is untouched: its owner still signs in with their own password.
    const signIn = (email: string, password: string) =>
      fetch(`${server.url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify({ email, password }),
      })
    expect((await signIn(owner.email, 'correct horse battery')).status).toBe(200)
    expect((await signIn(owner.email, 'a stranger guessing')).status).toBe(401)
    // ...and the new address got a real account.
    expect((await signIn(fresh, 'a stranger guessing')).status).toBe(200)
  })

  it('members.list shows emails to the owner only; editors and viewers see names and roles', async () => {
    const viewer = await signUp(server.url, 'viewer')
    const projectId = await seedProject(database.db, [
      { userId: owner.userId, role: 'owner' },
      { userId: editor.userId, role: 'editor' },
      { userId: viewer.userId, role: 'viewer' },
    ])
    const asOwner = await owner.api.members.list.query({ projectId })
    expect(asOwner.map((m) => m.email).sort()).toEqual([owner.email, editor.email, viewer.email].sort())
    for (const caller of [viewer, editor]) {
      const seen = await caller.api.members.list.query({ projectId })
      expect(seen.map((m) => m.name).sort()).toEqual(['editor', 'owner', 'viewer'])
      expect(seen.every((m) => !('email' in m))).toBe(true)
      expect(JSON.stringify(seen)).not.toContain('@example.test')
    }
  })

  it('accounts: password rules, clear errors, HTTP-only session cookie, sign-out ends the session', async () => {
    const post = (path: string, body: unknown, cookie = '') =>
      fetch(`${server.url}/api/auth${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url, ...(cookie ? { cookie } : {}) },
        body: JSON.stringify(body),
      })
    const email = `rules-${Date.now()}@example.test`
    let res = await post('/sign-up/email', { email, password: 'short', name: 'Rules' })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { message: string }).message).toBe(
      'Password must be at least 10 characters.',
    )
    res = await post('/sign-up/email', { email, password: 'x'.repeat(129), name: 'Rules' })
    expect(((await res.json()) as { message: string }).message).toBe(
      'Password can be at most 128 characters.',
    )
    res = await post('/sign-up/email', { email: 'not-an-email', password: 'long enough pass', name: 'Rules' })
    expect(res.status).toBe(400)
    res = await post('/sign-up/email', { email, password: 'long enough pass', name: 'Rules' })
    expect(res.status).toBe(200)
    res = await post('/sign-in/email', { email, password: 'wrong password!' })
    expect(res.status).toBe(401)
    expect(((await res.json()) as { message: string }).message).toMatch(/invalid email or password/i)
    res = await post('/sign-in/email', { email, password: 'long enough pass' })
    expect(res.status).toBe(200)
    const setCookie = res.headers.getSetCookie().find((c) => c.includes('session_token'))
    expect(setCookie).toMatch(/HttpOnly/i)
    expect(setCookie).toMatch(/SameSite=Lax/i)
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ')
    const api = createApi(server.url, cookie)
    expect(await outcome(() => api.projects.list.query())).toBe('OK')
    expect((await post('/sign-out', {}, cookie)).status).toBe(200)
    expect(await outcome(() => api.projects.list.query())).toBe('UNAUTHORIZED')
  })
})

describe('auth rate limit', () => {
  let database: Database
  let server: RunningServer
  beforeAll(async () => {
    database = await openTestDatabase('pglite')
    server = await startTestServer(database, { authRateLimit: { max: 3, windowSeconds: 60 } })
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it('answers 429 once a client exceeds its sign-in attempts, whatever IP header it sends', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${server.url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          origin: server.url,
          // Spoofed per request: ignored, the server keys on the socket address.
          'x-forwarded-for': `10.0.0.${i}`,
          'x-ensemble-client-ip': `10.0.1.${i}`,
        },
        body: JSON.stringify({ email: 'nobody@example.test', password: 'guessing password' }),
      })
      statuses.push(res.status)
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429])
  })
})

/*
 * Sign-in and sign-up attempts are counted per client address and per email address, in storage every
 * instance shares: the database, or Redis when REDIS_URL is set (both, when this run has Redis). Two
 * instances on one database (and one Redis) take turns: a client cannot multiply its attempts by spreading
 * them, and a refusal says how long to wait, in words and in X-Retry-After.
 */
const attemptStores = ['database', ...(process.env.REDIS_URL ? ['redis' as const] : [])] as const
describe.each(attemptStores)('sign-in attempts across instances, counted in the %s', (store) => {
  let database: Database
  let servers: RunningServer[]
  beforeAll(async () => {
    database = await openTestDatabase('pglite')
    const overrides = {
      authRateLimit: { max: 5, windowSeconds: 60 },
      authEmailRateLimit: { max: 3, windowSeconds: 300 },
      ...(store === 'redis'
        ? { redisUrl: process.env.REDIS_URL!, redisChannelPrefix: `test-attempts-${Date.now()}:` }
        : {}),
    }
    servers = [await startTestServer(database, overrides), await startTestServer(database, overrides)]
  })
  afterAll(async () => {
    for (const server of servers ?? []) await server.close()
    await database?.close()
  })

  const attempt = async (server: RunningServer, email: string) => {
    const res = await fetch(`${server.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email, password: 'guessing password' }),
    })
    const body = (await res.json()) as { message?: string }
    return { status: res.status, retryAfter: Number(res.headers.get('x-retry-after')), message: body.message }
  }

  it('limits one email from any client, then the client itself, whichever instance it asks', async () => {
    const [a, b] = servers as [RunningServer, RunningServer]
    const victim = `victim-${Date.now()}@example.test`
    const tries = [await attempt(a, victim), await attempt(b, victim), await attempt(a, victim)]
    expect(tries.map((t) => t.status)).toEqual([401, 401, 401])
    // The fourth attempt at this address, on the other instance: refused before the password is checked.
    const refused = await attempt(b, victim.toUpperCase())
    expect(refused.status).toBe(429)
    expect(refused.retryAfter).toBeGreaterThan(0)
    expect(refused.retryAfter).toBeLessThanOrEqual(300)
    expect(refused.message).toBe(`Too many attempts; try again in ${refused.retryAfter} s.`)

    // Another address from the same client is still answered, until the client's own five are used.
    expect((await attempt(b, `other-${Date.now()}@example.test`)).status).toBe(401)
    const client = await attempt(a, `third-${Date.now()}@example.test`)
    expect(client.status).toBe(429)
    expect(client.retryAfter).toBeGreaterThan(0)
  })
})
