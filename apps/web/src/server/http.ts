import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * The HTTP side of the one server: an ordered list of routes tried before falling through to
 * Next.js. API handlers (tRPC later) are routes: return true when you answered the request.
 */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>

export type Fallback = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

export function createRequestListener(routes: readonly Route[], fallback: Fallback) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const handle = async () => {
      for (const route of routes) if (await route(req, res, url)) return
      await fallback(req, res)
    }
    handle().catch((err: unknown) => {
      console.error(`[http] ${req.method} ${url.pathname} failed:`, err)
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' })
      else res.destroy()
    })
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(text)
}

/** Used when Next.js is disabled (collab-only processes). */
export const notFound: Fallback = (_req, res) => sendJson(res, 404, { error: 'not found' })

/** Liveness for tests and process managers. */
export const healthRoute: Route = (req, res, url) => {
  if (url.pathname !== '/api/health' || req.method !== 'GET') return false
  sendJson(res, 200, { ok: true })
  return true
}
