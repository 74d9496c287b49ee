import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client'
import type { InferenceRouter } from './router'

/**
 * The web server's typed handle on the inference service. One HTTP request per call (no tRPC batching):
 * the service batches model work itself, and a slow suggest must not hold up a health check.
 */
export function createInferenceClient(url: string, secret: string) {
  return createTRPCClient<InferenceRouter>({
    links: [httpLink({ url, headers: { authorization: `Bearer ${secret}` } })],
  })
}

export type InferenceClient = ReturnType<typeof createInferenceClient>

/** The service's stable reason for a failed call (busy, deadline_exceeded, plugin_failed, …), if it gave one. */
export function inferenceFailureReason(err: unknown): string | undefined {
  if (!(err instanceof TRPCClientError)) return undefined
  const data = (err as TRPCClientError<InferenceRouter>).data as { reason?: string } | undefined
  return data?.reason
}

export type { InferenceRouter }
