import { ArchiveError } from '@ensemble/plugin-sdk/archive'
import { SandboxError } from '@ensemble/plugin-sdk/sandbox'
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc'

/**
 * Why the service refused a third-party call before (or instead of) running it. The web server reacts to
 * `not_loaded` by loading the archive and retrying once; the others go to the musician as they are.
 */
export type ThirdPartyErrorCode =
  | 'not_loaded'
  | 'yanked'
  | 'suspended'
  | 'incompatible_host'
  | 'unavailable'
  | 'busy'
  /** At load: the bundle does not load in the sandbox, or is not the plugin its manifest describes. */
  | 'bad_bundle'
  /** A sandbox thread stopped under the call, twice: the service's failure, never a strike. */
  | 'infrastructure'

export class ThirdPartyError extends Error {
  override readonly name = 'ThirdPartyError'
  constructor(
    readonly code: ThirdPartyErrorCode,
    message: string,
  ) {
    super(message)
  }
}

const thirdPartyCodes: Record<ThirdPartyErrorCode, TRPC_ERROR_CODE_KEY> = {
  not_loaded: 'NOT_FOUND',
  yanked: 'PRECONDITION_FAILED',
  suspended: 'PRECONDITION_FAILED',
  incompatible_host: 'PRECONDITION_FAILED',
  unavailable: 'PRECONDITION_FAILED',
  busy: 'TOO_MANY_REQUESTS',
  bad_bundle: 'BAD_REQUEST',
  infrastructure: 'SERVICE_UNAVAILABLE',
}

/** A sandbox failure is the plugin's fault (INTERNAL_SERVER_ERROR) except running out of time. */
const sandboxCodes: Partial<Record<SandboxError['code'], TRPC_ERROR_CODE_KEY>> = {
  timeout: 'TIMEOUT',
  aborted: 'PRECONDITION_FAILED',
}

/** The tRPC code for a third-party failure, or undefined when `err` is not one. */
export function thirdPartyTrpcCode(err: unknown): TRPC_ERROR_CODE_KEY | undefined {
  if (err instanceof ThirdPartyError) return thirdPartyCodes[err.code]
  if (err instanceof SandboxError) return sandboxCodes[err.code] ?? 'INTERNAL_SERVER_ERROR'
  // The archive was refused (hash_mismatch, corrupt, …): the caller sent bytes we will not run.
  if (err instanceof ArchiveError) return 'BAD_REQUEST'
  return undefined
}

/**
 * The stable reason and issues the router puts in `data`, for the errors above; for a timeout, the budget
 * the plugin had, so the web tells the musician the real number.
 */
export function thirdPartyReason(
  err: unknown,
): { reason: string; issues?: { path: string; message: string }[]; budgetMs?: number } | undefined {
  if (err instanceof ThirdPartyError) return { reason: err.code }
  if (err instanceof SandboxError)
    return {
      reason: err.code,
      ...(err.issues.length ? { issues: [...err.issues] } : {}),
      ...(err.budgetMs === undefined ? {} : { budgetMs: err.budgetMs }),
    }
  if (err instanceof ArchiveError) return { reason: err.code }
  return undefined
}
