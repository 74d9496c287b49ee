import { inferenceFailureReason } from '@ensemble/inference/client'
import { TRPCClientError } from '@trpc/client'
import type { TRPCError } from '@trpc/server'
import type { BusyRefusal } from '../quotas/suggestions-in-flight'
import type { ThirdPartyRefusal } from '../registry/third-party'
import { ReasonedError } from '../trpc/init'

/**
 * Inference failures, as the studio's AI panel shows them: the one place each of the service's reasons
 * becomes words for a musician. `reason` (data.reason on the client) is what the panel branches on:
 * 'unavailable' (the service is down or refuses this server), 'busy', 'deadline', 'plugin_unavailable',
 * 'plugin_failed', 'bad_request'. `outcome` is what the audit row keeps (and the publisher's failures
 * page counts): the service's own, more specific reason where it gave one.
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

/** A suggestion refused on this server because its user or song has its limit running (quotas/). */
export const busyFailure = (refusal: BusyRefusal): AiFailure =>
  aiFailure('busy', refusal.outcome, 'TOO_MANY_REQUESTS', refusal.message, undefined, refusal.retryAfterMs)

/** `retryAfterMs`: for a 'busy' failure, when trying again is worth it (the panel counts it down). */
export const aiFailure = (
  reason: AiFailureReason,
  outcome: string,
  code: TRPCError['code'],
  message: string,
  cause?: unknown,
  retryAfterMs?: number,
): AiFailure => ({
  reason,
  outcome,
  error: new ReasonedError(
    reason,
    { code, message, ...(cause === undefined ? {} : { cause }) },
    retryAfterMs,
  ),
})

/** A registry plugin refused before the service was asked: not installed in this song, or yanked. */
export const refusalFailure = (refusal: ThirdPartyRefusal): AiFailure =>
  aiFailure('plugin_unavailable', refusal.outcome, 'PRECONDITION_FAILED', refusal.message)

/** The service says busy without a time: its calls end within seconds, so a second is worth a try. */
const SERVICE_BUSY_RETRY_MS = 1000

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`

const NOTHING_CHANGED = 'nothing was changed'
const PUBLISHERS_FAULT = 'This is a fault in the plugin; its publisher can see it on their Publisher page.'

/** What the service's `data` may carry besides the reason (apps/inference router.ts). */
interface FailureData {
  issues?: { path: string; message: string }[]
  /** For a sandbox `timeout`: the time the plugin really had. */
  budgetMs?: number
}

const dataOf = (err: unknown): FailureData =>
  err instanceof TRPCClientError ? ((err.data as FailureData | undefined) ?? {}) : {}

/** The first problems of an invalid output, as paths a publisher can find in their code. */
function issueList(issues: FailureData['issues']): string {
  if (!issues?.length) return ''
  const shown = issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`)
  return ` (${shown.join('; ')}${issues.length > 3 ? `; and ${issues.length - 3} more` : ''})`
}

/**
 * Why the sandbox stopped a third-party plugin, in a musician's words. The timeout's number is the budget
 * the sandbox gave the plugin, which is shorter than the studio's own deadline.
 */
function sandboxFailure(
  reason: string,
  data: FailureData,
  deadlineMs: number,
): { reason: AiFailureReason; code: TRPCError['code']; message: string } | undefined {
  switch (reason) {
    case 'timeout':
      return {
        reason: 'deadline',
        code: 'TIMEOUT',
        message: `The plugin took longer than ${seconds(data.budgetMs ?? deadlineMs)} and was stopped; ${NOTHING_CHANGED}. Try a shorter range or fewer variations.`,
      }
    case 'memory':
      return {
        reason: 'plugin_failed',
        code: 'BAD_GATEWAY',
        message: `The plugin ran out of memory and was stopped; ${NOTHING_CHANGED}. Try a shorter range or fewer variations.`,
      }
    case 'stack':
      return {
        reason: 'plugin_failed',
        code: 'BAD_GATEWAY',
        message: `The plugin went too deep (a recursion without end) and was stopped; ${NOTHING_CHANGED}. ${PUBLISHERS_FAULT}`,
      }
    case 'invalid_output':
      return {
        reason: 'plugin_failed',
        code: 'BAD_GATEWAY',
        message: `The plugin returned notes the studio cannot use${issueList(data.issues)}; ${NOTHING_CHANGED}. ${PUBLISHERS_FAULT}`,
      }
    case 'output_too_large':
      return {
        reason: 'plugin_failed',
        code: 'BAD_GATEWAY',
        message: `The plugin returned more than the studio accepts; ${NOTHING_CHANGED}. Try a shorter range or fewer variations.`,
      }
    case 'plugin_threw':
      return {
        reason: 'plugin_failed',
        code: 'BAD_GATEWAY',
        message: `The plugin stopped with an error of its own; ${NOTHING_CHANGED}. Try another seed, or another plugin.`,
      }
    case 'bad_bundle':
      return {
        reason: 'plugin_failed',
        code: 'BAD_GATEWAY',
        message: `The plugin’s code does not load; ${NOTHING_CHANGED}. ${PUBLISHERS_FAULT}`,
      }
    case 'aborted':
      return {
        reason: 'plugin_failed',
        code: 'BAD_GATEWAY',
        message: `The plugin was stopped before it finished; ${NOTHING_CHANGED}. Try again.`,
      }
    case 'infrastructure':
      return {
        reason: 'unavailable',
        code: 'SERVICE_UNAVAILABLE',
        message: `The AI service failed while running the plugin (not the plugin’s fault); ${NOTHING_CHANGED}. Try again in a moment.`,
      }
    default:
      return undefined
  }
}

export function inferenceFailure(err: unknown, deadlineMs: number): AiFailure {
  const serviceReason = inferenceFailureReason(err)
  const detail = err instanceof Error ? err.message : String(err)
  const sandbox =
    serviceReason === undefined ? undefined : sandboxFailure(serviceReason, dataOf(err), deadlineMs)
  if (serviceReason !== undefined && sandbox !== undefined)
    return aiFailure(sandbox.reason, serviceReason, sandbox.code, sandbox.message, err)
  const fail = (reason: AiFailureReason, outcome: string, code: TRPCError['code'], message: string) =>
    aiFailure(reason, outcome, code, message, err)
  switch (serviceReason) {
    case 'busy':
      return aiFailure(
        'busy',
        'busy',
        'TOO_MANY_REQUESTS',
        'The AI service is busy with other requests. Try again in a few seconds.',
        err,
        SERVICE_BUSY_RETRY_MS,
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
    case 'capability_missing':
      return fail(
        'plugin_failed',
        serviceReason,
        'BAD_GATEWAY',
        'The plugin failed on this request; nothing was changed. Try again, or try another seed or plugin.',
      )
    // Third-party plugins (apps/inference's sandbox runner, registry/third-party.ts).
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
        'The AI service could not fetch this plugin from the studio. Try again in a moment.',
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
