import type { IncomingMessage } from 'node:http'

/**
 * Same-origin rules for the one server. Browsers send `Origin` on WebSocket upgrades and on
 * state-changing requests; a page on another site must not be able to open a room or call a
 * mutation with the user's cookies. Clients without an `Origin` (Node, curl) are not browsers
 * riding on someone's cookies, so they pass (they still need a token or a session).
 */

/** Set by the server from the socket address; any copy sent by the client is dropped first. */
export const clientIpHeader = 'x-ensemble-client-ip'

/** The origins a server listening on `url` answers to, unless ENSEMBLE_ORIGINS says otherwise. */
export function defaultOrigins(url: string): string[] {
  const parsed = new URL(url)
  const origins = new Set([parsed.origin])
  if (['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) {
    origins.add(`${parsed.protocol}//localhost:${parsed.port}`)
    origins.add(`${parsed.protocol}//127.0.0.1:${parsed.port}`)
  }
  return [...origins]
}

export function isAllowedOrigin(req: IncomingMessage, origins: readonly string[]): boolean {
  const origin = req.headers.origin
  if (origin === undefined) {
    // Older browsers may omit Origin but still say where a request came from.
    const site = req.headers['sec-fetch-site']
    return site === undefined || site === 'same-origin' || site === 'none'
  }
  return origins.includes(origin)
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

export const isStateChanging = (req: IncomingMessage): boolean => !safeMethods.has(req.method ?? 'GET')

/** Overwrites the client IP header with the real peer address (we are not behind a proxy by default). */
export function stampClientIp(req: IncomingMessage): void {
  delete req.headers[clientIpHeader]
  const address = req.socket.remoteAddress
  if (address !== undefined) req.headers[clientIpHeader] = address
}
