import { TRPCClientError } from '@trpc/client'

/**
 * What the panel says when a suggestion fails. The server already words inference failures for a musician
 * (busy, too slow, plugin unavailable, service down); this adds the cases only the browser sees (no
 * network, no permission) and says whether trying again can help.
 */
export interface SuggestFailure {
  readonly message: string
  readonly retry: boolean
  /** Busy: the server's word on when trying again is worth it (data.retryAfterMs); the panel waits that long. */
  readonly retryInMs?: number
}

const RETRYABLE = new Set([
  'TOO_MANY_REQUESTS',
  'TIMEOUT',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
  'BAD_GATEWAY',
])

export function explainFailure(err: unknown): SuggestFailure {
  if (err instanceof TRPCClientError) {
    const data = err.data as { code?: unknown; retryAfterMs?: unknown } | undefined
    const code = data?.code
    if (typeof code !== 'string')
      return { message: 'Could not reach the server. Check the connection and try again.', retry: true }
    if (code === 'FORBIDDEN')
      return { message: 'Only editors of this song can ask for suggestions.', retry: false }
    if (code === 'UNAUTHORIZED') return { message: 'Sign in again to ask for suggestions.', retry: false }
    const retry = RETRYABLE.has(code) || code === 'PRECONDITION_FAILED'
    const wait = data?.retryAfterMs
    if (typeof wait === 'number' && wait > 0) return { message: err.message, retry, retryInMs: wait }
    return { message: err.message, retry }
  }
  return { message: err instanceof Error ? err.message : String(err), retry: true }
}
