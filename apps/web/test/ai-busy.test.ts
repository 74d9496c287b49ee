import { createServer, type Server, type ServerResponse } from 'node:http'
import { addTrack } from '@ensemble/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import type { Database } from '../src/server/db'
import { type Caller, signUp } from './helpers/api'
import { isSaved, openSongAs } from './helpers/clients'
import { openTestDatabase } from './helpers/db'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/*
 * A user past their suggestions running, through real HTTP: the refusal is decided from memory before the
 * session is read (no database query at all, so a flood of them cannot queue anyone else's queries), says
 * when to try again (data.retryAfterMs and Retry-After), and a made-up cookie gains nothing by it. The
 * inference service is a stand-in that holds every call until the test lets go: a service busy for as long
 * as the test needs.
 */

const BAR = 1920

let database: Database
let server: RunningServer
let service: Server
let serviceUrl: string
const held: ServerResponse[] = []
let user: Caller
let projectId: string
let trackId: string
let queries = 0
/** Of those, better-auth's session lookups (a read of the sessions table). */
let sessionLookups = 0

beforeAll(async () => {
  database = await openTestDatabase('pglite')
  // Every statement the web server sends goes through the driver's client: counted here.
  const client = (database.db as unknown as { $client: Record<string, unknown> }).$client
  for (const method of ['query', 'exec', 'transaction']) {
    const real = client[method] as (...args: unknown[]) => unknown
    client[method] = (...args: unknown[]) => {
      queries++
      const sql = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: unknown } | undefined)?.text
      if (typeof sql === 'string' && /from "sessions"/.test(sql)) sessionLookups++
      return real.apply(client, args)
    }
  }
  service = createServer((_req, res) => {
    held.push(res)
  })
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve))
  serviceUrl = `http://127.0.0.1:${(service.address() as { port: number }).port}/trpc`
  server = await startTestServer(database, {
    inferenceUrl: serviceUrl,
    inferenceSecret: 'test-inference-secret-0123456789',
    suggestionLimits: { perUser: 2, perProject: 8 },
  })
  user = await signUp(server.url, 'busy')
  projectId = await seedProject(database.db, [{ userId: user.userId, role: 'owner' }])
  const song = await openSongAs(collabUrl(server), user, projectId)
  trackId = addTrack(song.doc, song.me, { kind: 'instrument', name: 'Lead' })
  await waitFor(() => isSaved(song), 'track saved on the server')
  song.destroy()
}, 120_000)

afterAll(async () => {
  for (const res of held.splice(0)) res.destroy()
  await server?.close()
  await new Promise<void>((resolve) => service?.close(() => resolve()))
  await database?.close()
})

/**
 * ai.suggest over plain HTTP, as the studio's client sends it: status, Retry-After and the error's data.
 * `raw`: something else to send instead of the request.
 */
async function suggest(cookie: string, raw?: string) {
  const res = await fetch(`${server.url}/api/trpc/ai.suggest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin: server.url },
    body:
      raw ??
      JSON.stringify({
        projectId,
        trackId,
        fromTick: 0,
        toTick: BAR,
        pluginId: 'studio.ensemble.harmonizer',
      }),
  })
  const body = (await res.json()) as {
    error?: {
      message: string
      data: { code: string; reason?: string; retryAfterMs?: number; stack?: string }
    }
  }
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    stages: stageNames(res.headers.get('server-timing')),
    error: body.error,
  }
}

/** The stage names of a Server-Timing header, in order, each checked to carry a duration. */
function stageNames(header: string | null): string[] {
  return (header ?? '').split(', ').map((entry) => {
    expect(entry).toMatch(/^[a-z]+;dur=\d+\.\d$/)
    return entry.split(';')[0]!
  })
}

describe('a suggestion past the user’s limit', () => {
  it('is refused busy without a database query, says when to retry, and runs again once one ends', async () => {
    const running = [suggest(user.cookie), suggest(user.cookie)]
    await waitFor(() => held.length === 2, 'both suggestions reach the service')

    const before = queries
    const refused = await suggest(user.cookie)
    expect(queries - before).toBe(0)
    expect(refused.status).toBe(429)
    expect(refused.error?.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'busy' })
    expect(refused.error?.message).toBe(
      'You already have 2 suggestions running; try again when one finishes.',
    )
    const retryAfterMs = refused.error?.data.retryAfterMs ?? 0
    expect(retryAfterMs).toBeGreaterThanOrEqual(1000)
    expect(Number(refused.retryAfter)).toBe(Math.ceil(retryAfterMs / 1000))
    // Where its time went (the network panel's Server-Timing): no session lookup, only the answer.
    expect(refused.stages).toEqual(['total'])
    // Refused before tRPC reads the request: a body it would reject (not JSON, 1 MiB) is answered busy all
    // the same, in tRPC's own error shape, and costs no query either.
    const unread = await suggest(user.cookie, `{${'x'.repeat(1024 * 1024)}`)
    expect(unread.status).toBe(429)
    expect(unread.error?.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'busy' })
    expect(queries - before).toBe(0)
    // Not a fault: no stack trace, even on a development server (formatting one was much of a refusal's cost).
    expect(refused.error?.data).not.toHaveProperty('stack')

    // A made-up session cookie is never refused from memory: it is looked up, and is nobody.
    const forged = await suggest('better-auth.session_token=made-up.token')
    expect(forged.error?.data.code).toBe('UNAUTHORIZED')

    // The service answers (here: unavailable); both places are free again and the next call is asked.
    for (const res of held.splice(0)) res.writeHead(503).end()
    await Promise.all(running)
    const next = suggest(user.cookie)
    await waitFor(() => held.length === 1, 'the next suggestion reaches the service')
    held.splice(0)[0]!.writeHead(503).end()
    expect((await next).error?.data.reason).toBe('unavailable')
  })

  it('is counted from its arrival: a burst of calls costs one session lookup per place left, not one each', async () => {
    // The session is not among those verified in the last seconds: any auth request with it forgets it.
    await fetch(`${server.url}/api/auth/get-session`, { headers: { cookie: user.cookie } })
    // Two places: eleven calls arrive at once; two take the places, nine are refused before their session
    // is read (counted from the moment each arrives, not once it is admitted).
    const before = sessionLookups
    const answered: Awaited<ReturnType<typeof suggest>>[] = []
    const burst = Array.from({ length: 11 }, () => suggest(user.cookie).then((r) => answered.push(r)))
    await waitFor(() => answered.length === 9 && held.length === 2, 'nine refused, two at the service')
    expect(answered.map((r) => r.error?.data.reason)).toEqual(Array(9).fill('busy'))
    expect(sessionLookups - before).toBe(2)

    // Both end; the cookie's count is back to nothing and a new call is asked (its session, verified
    // seconds ago, without a lookup).
    for (const res of held.splice(0)) res.writeHead(503).end()
    await Promise.all(burst)
    const next = suggest(user.cookie)
    await waitFor(() => held.length === 1, 'the next suggestion reaches the service')
    held.splice(0)[0]!.writeHead(503).end()
    const failed = await next
    expect(failed.error?.data.reason).toBe('unavailable')
    // A call that was asked says how long each stage took, up to the service's failure.
    expect(failed.stages).toEqual(['role', 'room', 'target', 'inference', 'audit', 'total'])
    expect(sessionLookups - before).toBe(2)
  })
})

describe('a session verified seconds ago', () => {
  it('is trusted for the next suggestion without a lookup, and signing out ends it at once', async () => {
    // Someone with no part in the song: each call is refused at the role check, after the session is known.
    const stranger = await signUp(server.url, 'stranger')
    const before = sessionLookups
    expect((await suggest(stranger.cookie)).error?.data.code).toBe('NOT_FOUND')
    expect(sessionLookups - before).toBe(1)
    const again = await suggest(stranger.cookie)
    expect(again.error?.data.code).toBe('NOT_FOUND')
    expect(sessionLookups - before).toBe(1)
    // Where its time went: no session stage, the role check still made.
    expect(again.stages).toEqual(['role', 'total'])

    const signOut = await fetch(`${server.url}/api/auth/sign-out`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: stranger.cookie, origin: server.url },
      body: '{}',
    })
    expect(signOut.status).toBe(200)
    // Signing out here forgot it: the next call looks the session up again, and finds it ended.
    const afterSignOut = sessionLookups
    expect((await suggest(stranger.cookie)).error?.data.code).toBe('UNAUTHORIZED')
    expect(sessionLookups - afterSignOut).toBe(1)
  })
})
