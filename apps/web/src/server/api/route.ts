import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http'
import { type Auth, sessionUser } from '../auth/auth'
import type { Route } from '../http'
import type { ApiServices } from '../trpc/init'
import { appRouter } from './router'

export const trpcBasePath = '/api/trpc'

/** Mounts the tRPC API at /api/trpc/<procedure> on the one server. */
export function trpcRoute(auth: Auth, services: ApiServices): Route {
  return async (req, res, url) => {
    if (!url.pathname.startsWith(`${trpcBasePath}/`)) return false
    await nodeHTTPRequestHandler({
      req,
      res,
      router: appRouter,
      path: url.pathname.slice(trpcBasePath.length + 1),
      createContext: async () => ({ ...services, user: await sessionUser(auth, req) }),
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR')
          console.error(`[trpc] ${path ?? '?'} failed:`, error.cause ?? error)
      },
    })
    return true
  }
}
