'use client'

import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client'
import type { AppRouter } from '../../server/api/router'

/**
 * The browser's typed client for /api/trpc. Same origin, so the session cookie rides along and
 * the server's Origin check passes. Only the router's type crosses into the bundle.
 */
export const api = createTRPCClient<AppRouter>({
  links: [httpLink({ url: '/api/trpc' })],
})

/** The tRPC error code of a failure (UNAUTHORIZED, NOT_FOUND, ...), or null. */
export function errorCode(err: unknown): string | null {
  if (!(err instanceof TRPCClientError)) return null
  const data = err.data as { code?: unknown } | undefined
  return typeof data?.code === 'string' ? data.code : null
}

export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err))
