import { PluginError } from '@ensemble/core/plugin'
import { ArchiveError } from '@ensemble/plugin-sdk/archive'
import { SandboxError } from '@ensemble/plugin-sdk/sandbox'
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc'

/*
 * Why the host refused a suggest (or an archive) before, or instead of, running the plugin, and how every
 * failure the host meets reaches the web server: one tRPC code and one stable `reason` each, so the web can
 * pick the musician's message and decide whether a retry makes sense without parsing prose.
 */

export type HostErrorCode =
  /** No plugin by that id, or no version of it in the range; for a third-party one, the web has none either. */
  | 'not_found'
  /** Known, but it cannot run: its model files are missing or damaged, or a model cannot be loaded. */
  | 'unavailable'
  /** Its archive could not be fetched from the web server (unreachable, too large, a digest that differs). */
  | 'not_loaded'
  | 'busy'
  /** The publisher withdrew the version (the kill list): refused from then on, running calls aborted. */
  | 'yanked'
  /** It failed too often within the strike window. */
  | 'suspended'
  | 'incompatible_host'
  /** The bundle does not load in the sandbox, or is not the plugin its manifest describes. */
  | 'bad_bundle'
  /** A sandbox thread stopped under the call, twice: the service's failure, never a strike. */
  | 'infrastructure'

export class HostError extends Error {
  override readonly name = 'HostError'
  constructor(
    readonly code: HostErrorCode,
    message: string,
  ) {
    super(message)
  }
}

const hostCodes: Record<HostErrorCode, TRPC_ERROR_CODE_KEY> = {
  not_found: 'NOT_FOUND',
  unavailable: 'PRECONDITION_FAILED',
  not_loaded: 'SERVICE_UNAVAILABLE',
  busy: 'TOO_MANY_REQUESTS',
  yanked: 'PRECONDITION_FAILED',
  suspended: 'PRECONDITION_FAILED',
  incompatible_host: 'PRECONDITION_FAILED',
  bad_bundle: 'BAD_REQUEST',
  infrastructure: 'SERVICE_UNAVAILABLE',
}

/** Plugin faults (throws, bad output, undeclared capabilities) stay INTERNAL_SERVER_ERROR with their reason. */
const pluginCodes: Partial<Record<PluginError['code'], TRPC_ERROR_CODE_KEY>> = {
  invalid_input: 'BAD_REQUEST',
  invalid_parameters: 'BAD_REQUEST',
  deadline_exceeded: 'TIMEOUT',
  incompatible_host: 'PRECONDITION_FAILED',
}

/** A sandbox failure is the plugin's fault (INTERNAL_SERVER_ERROR) except running out of time. */
const sandboxCodes: Partial<Record<SandboxError['code'], TRPC_ERROR_CODE_KEY>> = {
  timeout: 'TIMEOUT',
  aborted: 'PRECONDITION_FAILED',
}

export interface HostFailure {
  code: TRPC_ERROR_CODE_KEY
  reason: string
  issues?: { path: string; message: string }[]
  /** For a sandbox timeout: the budget the plugin had, so the web tells the musician the real number. */
  budgetMs?: number
}

/** What a failure means for the caller; undefined for an error that is none of the host's (a bug). */
export function hostFailure(err: unknown): HostFailure | undefined {
  if (err instanceof HostError) return { code: hostCodes[err.code], reason: err.code }
  if (err instanceof PluginError)
    return {
      code: pluginCodes[err.code] ?? 'INTERNAL_SERVER_ERROR',
      reason: err.code,
      issues: [...err.issues],
    }
  if (err instanceof SandboxError)
    return {
      code: sandboxCodes[err.code] ?? 'INTERNAL_SERVER_ERROR',
      reason: err.code,
      ...(err.issues.length ? { issues: [...err.issues] } : {}),
      ...(err.budgetMs === undefined ? {} : { budgetMs: err.budgetMs }),
    }
  // The archive was refused (hash_mismatch, corrupt, …): bytes this host will not run.
  if (err instanceof ArchiveError) return { code: 'BAD_REQUEST', reason: err.code }
  return undefined
}
