import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http'
import { busyFailure } from '../ai/errors'
import { type Auth, sessionCookie, sessionUser } from '../auth/auth'
import type { Route } from '../http'
import { type ApiContext, type ApiServices, ReasonedError } from '../trpc/init'
import { appRouter } from './router'

export const trpcBasePath = '/api/trpc'

/**
 * Mounts the tRPC API at /api/trpc/<procedure> on the one server. A suggestion asked under a session cookie
 * that already has its user's limit running is refused before the session is read: a flood of them costs
 * no database query (suggestions-in-flight.ts). Busy answers carry `Retry-After`.
 */
export function trpcRoute(auth: Auth, services: ApiServices): Route {
  return async (req, res, url) => {
    if (!url.pathname.startsWith(`${trpcBasePath}/`)) return false
    const path = url.pathname.slice(trpcBasePath.length + 1)
    await nodeHTTPRequestHandler({
      req,
      res,
      router: appRouter,
      path,
      createContext: async (): Promise<ApiContext> => {
        const cookie = path === 'ai.suggest' ? sessionCookie(req) : null
        const refusal = cookie === null ? undefined : services.suggestionsInFlight.sessionRefusal(cookie)
        if (refusal) return { ...services, user: null, refusal: busyFailure(refusal).error }
        return { ...services, user: await sessionUser(auth, req), sessionKey: cookie }
      },
      responseMeta: ({ errors }) => {
        const waits = errors.flatMap((e) =>
          e instanceof ReasonedError && e.retryAfterMs !== undefined ? [e.retryAfterMs] : [],
        )
        return waits.length
          ? { headers: { 'retry-after': String(Math.ceil(Math.max(...waits) / 1000)) } }
          : {}
      },
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR')
          console.error(`[trpc] ${path ?? '?'} failed:`, error.cause ?? error)
      },
    })
    return true
  }
}
