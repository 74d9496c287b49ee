import { randomUUID } from 'node:crypto'
import { roles, signRoomToken } from './collab/tokens'
import { type Route, sendJson } from './http'

/**
 * TEMPORARY STAND-IN until the accounts issue: hands out room tokens to anyone who asks, so the
 * studio can be tried without sign-in. Only mounted when NODE_ENV !== 'production' or
 * ENSEMBLE_DEV_TOKENS=1 (see config.ts). The accounts issue replaces it with a token endpoint
 * that checks the session and project membership.
 *
 *   GET /api/dev-token?project=<id>&role=editor&user=<id>  →  { token, project, role, user }
 */
export function devTokenRoute(secret: string): Route {
  return async (req, res, url) => {
    if (url.pathname !== '/api/dev-token' || req.method !== 'GET') return false
    const project = url.searchParams.get('project')
    const roleParam = url.searchParams.get('role') ?? 'editor'
    const user = url.searchParams.get('user') ?? `dev-${randomUUID().slice(0, 8)}`
    const role = roles.find((r) => r === roleParam)
    if (project === null || project === '' || role === undefined) {
      sendJson(res, 400, { error: 'expected ?project=<id>&role=owner|editor|viewer&user=<id>' })
      return true
    }
    const token = await signRoomToken({ sub: user, project, role }, { secret, expiresInSeconds: 12 * 3600 })
    sendJson(res, 200, { token, project, role, user })
    return true
  }
}
