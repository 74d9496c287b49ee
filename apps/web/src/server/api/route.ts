import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http'
import { busyFailure } from '../ai/errors'
import { type Auth, sessionCookie, sessionUser } from '../auth/auth'
import type { Route } from '../http'
import type { Leave } from '../quotas/suggestions-in-flight'
import { type ApiContext, type ApiServices, ReasonedError } from '../trpc/init'
import { ServerTiming } from '../trpc/server-timing'
import { appRouter } from './router'

export const trpcBasePath = '/api/trpc'

/**
 * Mounts the tRPC API at /api/trpc/<procedure> on the one server. A suggestion is counted under its session
 * cookie from its arrival to its answer, and one asked under a cookie that already has its user's limit in
 * progress is refused before the session is read: a flood of them costs no database query
 * (suggestions-in-flight.ts). Busy answers carry `Retry-After`; every answer
 * carries `Server-Timing` (trpc/server-timing.ts): the session lookup, the stages its procedure timed, and
 * `total` from the request's arrival here.
 */
export function trpcRoute(auth: Auth, services: ApiServices): Route {
  return async (req, res, url) => {
    if (!url.pathname.startsWith(`${trpcBasePath}/`)) return false
    const path = url.pathname.slice(trpcBasePath.length + 1)
    const arrived = performance.now()
    const timing = new ServerTiming()
    let leaveSession: Leave | undefined
    try {
      await nodeHTTPRequestHandler({
        req,
        res,
        router: appRouter,
        path,
        createContext: async (): Promise<ApiContext> => {
          const cookie = path === 'ai.suggest' ? sessionCookie(req) : null
          if (cookie !== null) {
            const entered = services.suggestionsInFlight.enterSession(cookie)
            if ('refused' in entered)
              return { ...services, user: null, refusal: busyFailure(entered.refused).error, timing }
            leaveSession = entered.leave
          }
          const user = await timing.time('session', () => sessionUser(auth, req))
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
