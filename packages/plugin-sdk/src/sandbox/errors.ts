/**
 * Why a sandboxed run failed. Stable codes: the inference service counts strikes by them and the CLI's
 * `test` command prints them; the message says what the plugin's author can change.
 */
export type SandboxErrorCode =
  /** Ran past its deadline (CPU loop, or waiting on something that never came). */
  | 'timeout'
  /** Allocated more than the sandbox's memory limit. */
  | 'memory'
  /** Recursed deeper than the sandbox's stack allows. */
  | 'stack'
  /** Returned something the contract refuses (wrong types, pitches, ticks, too many suggestions). */
  | 'invalid_output'
  /** Returned more JSON than the sandbox lets out. */
  | 'output_too_large'
  /** `suggest` (or the bundle's top level) threw or rejected. */
  | 'plugin_threw'
  /** The bundle does not load, or is not the plugin manifest.json describes. */
  | 'bad_bundle'
  /** The host cancelled the run (a yanked version, a caller that went away). */
  | 'aborted'

export const SANDBOX_ERROR_CODES: readonly SandboxErrorCode[] = [
  'timeout',
  'memory',
  'stack',
  'invalid_output',
  'output_too_large',
  'plugin_threw',
  'bad_bundle',
  'aborted',
]

export interface SandboxIssue {
  path: string
  message: string
}

export class SandboxError extends Error {
  override readonly name = 'SandboxError'
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    /** For `invalid_output`: every problem, as `validateOutput` lists them. */
    readonly issues: readonly SandboxIssue[] = [],
    /** For `timeout`: the time the plugin had, so a host can tell its user the real number. */
    readonly budgetMs?: number,
  ) {
    super(message)
  }
}
