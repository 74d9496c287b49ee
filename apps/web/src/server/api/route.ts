import type { ServerResponse } from 'node:http'
import { getTRPCErrorShape } from '@trpc/server'
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http'
import { getHTTPStatusCodeFromError } from '@trpc/server/http'
import { busyFailure } from '../ai/errors'
import { type Auth, sessionCookie, sessionUser } from '../auth/auth'
import type { RecentSessions } from '../auth/recent-sessions'
import type { Route } from '../http'
import type { BusyRefusal, Leave } from '../quotas/suggestions-in-flight'
import { type ApiContext, type ApiServices, ReasonedError } from '../trpc/init'
import { ServerTiming } from '../trpc/server-timing'
import { appRouter } from './router'

export const trpcBasePath = '/api/trpc'

/**
 * Mounts the tRPC API at /api/trpc/<procedure> on the one server. A suggestion is counted under its session
 * cookie from its arrival to its answer, and one asked under a cookie that already has its user's limit in
 * progress is refused at once, here, before tRPC reads its body or the session is read: a flood of them costs
 * no database query and none of tRPC's machinery, only the HTTP request and this answer
 * (suggestions-in-flight.ts; docs/BENCHMARKS.md, "Fairness"). An admitted suggestion trusts a session this
 * server verified in the last seconds (`recentSessions`, auth/recent-sessions.ts); every other call looks it up. Busy answers carry `Retry-After`; every answer
 * carries `Server-Timing` (trpc/server-timing.ts): the session lookup, the stages its procedure timed, and
 * `total` from the request's arrival here.
 */
export function trpcRoute(auth: Auth, recentSessions: RecentSessions, services: ApiServices): Route {
  return async (req, res, url) => {
    if (!url.pathname.startsWith(`${trpcBasePath}/`)) return false
    const path = url.pathname.slice(trpcBasePath.length + 1)
    const arrived = performance.now()
    const timing = new ServerTiming()
    let leaveSession: Leave | undefined
    const cookie = path === 'ai.suggest' ? sessionCookie(req) : null
    if (cookie !== null) {
      const entered = services.suggestionsInFlight.enterSession(cookie)
      if ('refused' in entered) {
        refuseBusy(res, path, entered.refused, performance.now() - arrived)
        return true
      }
      leaveSession = entered.leave
    }
    try {
      await nodeHTTPRequestHandler({
        req,
        res,
        router: appRouter,
        path,
        createContext: async (): Promise<ApiContext> => {
          // Only ai.suggest trusts a session verified in the last seconds (auth/recent-sessions.ts).
          const recent = cookie === null ? undefined : recentSessions.get(cookie)
          if (recent !== undefined) return { ...services, user: recent, timing }
          const user = await timing.time('session', () => sessionUser(auth, req))
          if (cookie !== null && user !== null) recentSessions.remember(cookie, user)
          return { ...services, user, timing }
        },
        responseMeta: ({ errors }) => {
          const headers: Record<string, string> = {}
          const waits = errors.flatMap((e) =>
            e instanceof ReasonedError && e.retryAfterMs !== undefined ? [e.retryAfterMs] : [],
          )
          if (waits.length) headers['retry-after'] = String(Math.ceil(Math.max(...waits) / 1000))
          timing.add('total', performance.now() - arrived)
          headers['server-timing'] = timing.header()
          return { headers }
        },
        onError: ({ error, path }) => {
          if (error.code === 'INTERNAL_SERVER_ERROR')
            console.error(`[trpc] ${path ?? '?'} failed:`, error.cause ?? error)
        },
      })
    } finally {
      leaveSession?.()
    }
    return true
  }
}

/**
 * tRPC's own answer to a busy refusal (the error formatter's shape, so the studio's client reads `reason` and
 * `retryAfterMs` as from any procedure, less the stack), written without tRPC reading the request: the unread body is
 * discarded by Node once the answer is sent, and the connection stays open for the client's next call.
 */
function refuseBusy(res: ServerResponse, path: string, refusal: BusyRefusal, elapsedMs: number): void {
  const { error } = busyFailure(refusal)
  const shape = getTRPCErrorShape({
    // Never a stack trace, in development too: a refusal is not a fault, and formatting a stack (source-mapped
    // under tsx) for each of hundreds of refusals a second was much of their cost.
    config: { ...appRouter._def._config, isDev: false },
    error,
    type: 'mutation',
    path,
    input: undefined,
    ctx: undefined,
  })
  const timing = new ServerTiming()
  timing.add('total', elapsedMs)
  res.writeHead(getHTTPStatusCodeFromError(error), {
    'content-type': 'application/json',
    'retry-after': String(Math.ceil(refusal.retryAfterMs / 1000)),
    'server-timing': timing.header(),
  })
  res.end(JSON.stringify({ error: shape }))
}
