import { createPluginContext, type ModelRunner } from './context'
import type { Plugin, PluginInput } from './define'
import { issuesFromZod, PluginError } from './errors'
import { SuggestInputSchema } from './input'
import type { PluginManifest } from './manifest'
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
 * The checks before a plugin is called, as every host makes them (in-process here, in the sandbox on the
 * host's side of the boundary): the input's shape, the track kind the plugin fits, its parameters resolved
 * against the manifest. Throws `invalid_input` / `invalid_parameters`.
 */
export function checkInput(manifest: PluginManifest, rawInput: unknown): PluginInput {
  const parsed = SuggestInputSchema.safeParse(rawInput)
  if (!parsed.success)
    throw new PluginError('invalid_input', issuesFromZod(parsed.error), 'invalid suggest input')
  const input = parsed.data
  if (!manifest.trackKinds.includes(input.target.kind))
    throw new PluginError(
      'invalid_input',
      [
        {
          path: 'target.kind',
          message: `${manifest.id} fits ${manifest.trackKinds.join(', ')} tracks, not ${input.target.kind}`,
        },
      ],
      'invalid suggest input',
    )
  return { ...input, parameters: resolveParameters(manifest, input.parameters) }
}

/**
 * The check after the call: what the plugin returned, against its kind, the window it was given and the
 * variations asked for. Throws `invalid_output` with every problem.
 */
export function checkOutput(manifest: PluginManifest, input: PluginInput, raw: unknown): SuggestOutput {
  return validateOutput(raw, {
    kind: manifest.kind,
    windowTicks: input.target.toTick - input.target.fromTick,
    variations: input.variations,
  })
}

/**
 * One plugin run in-process: `checkInput`, the narrow context, `suggest` under the deadline, `checkOutput`.
 * The inference service adds batching, queueing and provenance around this; its sandbox makes the same two
 * checks on its side of the boundary and runs the call in QuickJS instead.
 */
export async function runPlugin(
  plugin: Plugin,
  rawInput: unknown,
  options: RunOptions = {},
): Promise<SuggestOutput> {
  const now = options.now ?? Date.now
  const { manifest } = plugin
  const input = checkInput(manifest, rawInput)
  const deadlineAt = options.deadlineAt ?? now() + input.deadlineMs
  const run = createPluginContext({
    manifest,
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
            [{ path: '', message: `${manifest.id} did not answer within its deadline` }],
            'deadline exceeded',
          ),
        ),
      Math.max(0, deadlineAt - now()),
    )
  })
  try {
    // A deep copy: whatever the plugin does to its input cannot reach the caller's objects.
    const frozenInput = structuredClone(input)
    const raw = await Promise.race([
      Promise.resolve().then(() => plugin.suggest(frozenInput, run.ctx)),
      expired,
    ]).catch((err: unknown) => {
      if (err instanceof PluginError) throw err
      const message = err instanceof Error ? err.message : String(err)
      throw new PluginError('plugin_failed', [{ path: '', message }], `${manifest.id} failed`)
    })
    return checkOutput(manifest, input, raw)
  } finally {
    clearTimeout(timer)
    run.close()
  }
}
