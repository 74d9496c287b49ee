import { inferenceFailureReason } from '@ensemble/inference/client'
import { TRPCClientError } from '@trpc/client'
import type { TRPCError } from '@trpc/server'
import { ReasonedError } from '../trpc/init'

/**
 * Inference failures, as the studio's AI panel shows them. `reason` (data.reason on the client) is
 * what the panel branches on: 'unavailable' (the service is down or refuses this server), 'busy',
 * 'deadline', 'plugin_unavailable', 'plugin_failed', 'bad_request'. `outcome` is what the
 * audit row keeps: the service's own, more specific reason where it gave one. Messages are for a
 * musician, not an engineer.
 */

export type AiFailureReason =
  | 'unavailable'
  | 'busy'
  | 'deadline'
  | 'plugin_unavailable'
  | 'plugin_failed'
  | 'bad_request'

export interface AiFailure {
  reason: AiFailureReason
  outcome: string
  error: ReasonedError
}

export const aiFailure = (
  reason: AiFailureReason,
  outcome: string,
  code: TRPCError['code'],
  message: string,
  cause?: unknown,
): AiFailure => ({
  reason,
  outcome,
  error: new ReasonedError(reason, { code, message, ...(cause === undefined ? {} : { cause }) }),
})

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`

export function inferenceFailure(err: unknown, deadlineMs: number): AiFailure {
  const serviceReason = inferenceFailureReason(err)
  const detail = err instanceof Error ? err.message : String(err)
  const fail = (reason: AiFailureReason, outcome: string, code: TRPCError['code'], message: string) =>
    aiFailure(reason, outcome, code, message, err)
  switch (serviceReason) {
    case 'busy':
      return fail(
        'busy',
        'busy',
        'TOO_MANY_REQUESTS',
        'The AI service is busy with other requests. Try again in a few seconds.',
      )
    case 'deadline_exceeded':
      return fail(
        'deadline',
        'deadline_exceeded',
        'TIMEOUT',
        `The plugin did not finish within ${seconds(deadlineMs)}. Try a shorter range or fewer variations.`,
      )
    case 'unavailable':
      return fail(
        'plugin_unavailable',
        'plugin_unavailable',
        'PRECONDITION_FAILED',
        'This plugin is not available right now (its model files are missing or damaged). Choose another plugin.',
      )
    case 'not_found':
      return fail(
        'bad_request',
        'plugin_not_found',
        'BAD_REQUEST',
        'The AI service has no such plugin, or no version of it that fits.',
      )
    case 'invalid_request':
    case 'invalid_input':
    case 'invalid_parameters':
      // The service's message names each field (e.g. `parameters.density: must be at most 1`).
      return fail(
        'bad_request',
        serviceReason,
        'BAD_REQUEST',
        `The plugin cannot use these settings: ${detail}`,
      )
    case 'plugin_failed':
    case 'invalid_output':
    case 'capability_missing':
      return fail(
        'plugin_failed',
        serviceReason,
        'BAD_GATEWAY',
        'The plugin failed on this request; nothing was changed. Try again, or try another seed or plugin.',
      )
    // Third-party plugins (apps/inference third-party host, registry/third-party.ts).
    case 'yanked':
      return fail(
        'plugin_unavailable',
        'yanked',
        'PRECONDITION_FAILED',
        'The publisher withdrew this plugin version; it no longer runs. Choose another plugin.',
      )
    case 'suspended':
      return fail(
        'plugin_unavailable',
        'suspended',
        'PRECONDITION_FAILED',
        'This plugin failed too often and is paused for a while. Choose another plugin.',
      )
    case 'incompatible_host':
      return fail(
        'plugin_unavailable',
        'incompatible_host',
        'PRECONDITION_FAILED',
        'This plugin needs a newer studio than this one. Choose another plugin.',
      )
    case 'not_loaded':
      return fail(
        'plugin_unavailable',
        'not_loaded',
        'PRECONDITION_FAILED',
        'The AI service could not load this plugin. Try again in a moment.',
      )
    case 'timeout':
      return fail(
        'deadline',
        'timeout',
        'TIMEOUT',
        `The plugin did not finish within ${seconds(deadlineMs)}. Try a shorter range or fewer variations.`,
      )
    case 'memory':
    case 'stack':
    case 'output_too_large':
    case 'plugin_threw':
    case 'bad_bundle':
    case 'aborted':
      return fail(
        'plugin_failed',
        serviceReason,
        'BAD_GATEWAY',
        'The plugin failed on this request; nothing was changed. Try again, or try another seed or plugin.',
      )
    default:
      break
  }
  if (err instanceof TRPCClientError && (err.data as { code?: string } | undefined)?.code === 'UNAUTHORIZED')
    // The two processes disagree on the shared secret: an operator's problem, not the musician's.
    return fail(
      'unavailable',
      'service_misconfigured',
      'SERVICE_UNAVAILABLE',
      'The AI service is not set up to accept this server. Ask the administrator to check INFERENCE_SECRET.',
    )
  // The service answered with a reason this server does not know yet: the plugin's problem, not the network's.
  if (serviceReason !== undefined)
    return fail(
      'plugin_failed',
      serviceReason,
      'BAD_GATEWAY',
      'The plugin failed on this request; nothing was changed. Try again, or try another plugin.',
    )
  // The tRPC client wraps the fetch abort; our own AbortSignal.timeout names it TimeoutError.
  const root = err instanceof TRPCClientError && err.cause instanceof Error ? err.cause : err
  if (root instanceof Error && (root.name === 'AbortError' || root.name === 'TimeoutError'))
    return fail(
      'deadline',
      'transport_timeout',
      'TIMEOUT',
      `The AI service did not answer within ${seconds(deadlineMs)}. Try again, or a shorter range.`,
    )
  // No answer from the service at all: connection refused, reset, DNS…
  return fail(
    'unavailable',
    'service_unreachable',
    'SERVICE_UNAVAILABLE',
    'The AI service is not reachable right now. The studio keeps working; try again in a moment.',
  )
}
