import { createPluginContext, type ModelRunner } from './context'
import type { Plugin } from './define'
import { issuesFromZod, PluginError } from './errors'
import { SuggestInputSchema } from './input'
import { type SuggestOutput, validateOutput } from './output'
import { resolveParameters } from './parameters'

export interface RunOptions {
  /** Where `ctx.models.run` goes; absent for hosts without models (then only model-free plugins run). */
  models?: ModelRunner
  /** When the host gives up, in `now()` milliseconds; defaults to now + the input's `deadlineMs`. */
  deadlineAt?: number
  now?: () => number
}

/**
 * One plugin run as every host does it: validate the input, resolve parameters, build the narrow context,
 * call `suggest` under the deadline, validate what comes back. The inference service adds batching, queueing
 * and provenance around this; a sandbox host would call the same function on its side of the boundary.
 */
export async function runPlugin(
  plugin: Plugin,
  rawInput: unknown,
  options: RunOptions = {},
): Promise<SuggestOutput> {
  const now = options.now ?? Date.now
  const parsed = SuggestInputSchema.safeParse(rawInput)
  if (!parsed.success)
    throw new PluginError('invalid_input', issuesFromZod(parsed.error), 'invalid suggest input')
  const input = parsed.data
  if (!plugin.manifest.trackKinds.includes(input.target.kind))
    throw new PluginError(
      'invalid_input',
      [
        {
          path: 'target.kind',
          message: `${plugin.manifest.id} fits ${plugin.manifest.trackKinds.join(', ')} tracks, not ${input.target.kind}`,
        },
      ],
      'invalid suggest input',
    )
  const parameters = resolveParameters(plugin.manifest, input.parameters)
  const deadlineAt = options.deadlineAt ?? now() + input.deadlineMs
  const run = createPluginContext({
    manifest: plugin.manifest,
    seed: input.seed,
    models: options.models,
    deadlineAt,
    now,
  })

  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new PluginError(
            'deadline_exceeded',
            [{ path: '', message: `${plugin.manifest.id} did not answer within its deadline` }],
            'deadline exceeded',
          ),
        ),
      Math.max(0, deadlineAt - now()),
    )
  })
  try {
    // A deep copy: whatever the plugin does to its input cannot reach the caller's objects.
    const frozenInput = structuredClone({ ...input, parameters })
    const raw = await Promise.race([
      Promise.resolve().then(() => plugin.suggest(frozenInput, run.ctx)),
      expired,
    ]).catch((err: unknown) => {
      if (err instanceof PluginError) throw err
      const message = err instanceof Error ? err.message : String(err)
      throw new PluginError('plugin_failed', [{ path: '', message }], `${plugin.manifest.id} failed`)
    })
    return validateOutput(raw, {
      kind: plugin.manifest.kind,
      windowTicks: input.target.toTick - input.target.fromTick,
      variations: input.variations,
    })
  } finally {
    clearTimeout(timer)
    run.close()
  }
}
