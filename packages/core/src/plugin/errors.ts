import type { z } from 'zod'

export type PluginErrorCode =
  | 'invalid_manifest'
  | 'incompatible_host'
  | 'invalid_parameters'
  | 'invalid_input'
  | 'invalid_output'
  | 'capability_missing'
  | 'plugin_failed'
  | 'deadline_exceeded'

/** One problem, as a person reads it: where (`parameters[1].default`) and what is wrong there. */
export interface ContractIssue {
  path: string
  message: string
}

/**
 * The one error the contract throws. `issues` carries every problem found, not just the first, so a plugin
 * author fixes a manifest in one pass and the inference service can return them to the web server verbatim.
 */
export class PluginError extends Error {
  override readonly name = 'PluginError'
  constructor(
    readonly code: PluginErrorCode,
    readonly issues: readonly ContractIssue[],
    what = code.replace('_', ' '),
  ) {
    super(`${what}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`)
  }
}

/** `['parameters', 1, 'default']` → `parameters[1].default`, the way the manifest's author would write it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else out += out ? `.${String(key)}` : String(key)
  }
  return out
}

export function issuesFromZod(error: z.ZodError, prefix: readonly PropertyKey[] = []): ContractIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]),
    message: issue.message,
  }))
}
