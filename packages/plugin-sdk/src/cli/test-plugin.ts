import { existsSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import {
  inScale,
  type ParameterValue,
  type ParameterValues,
  type PluginManifest,
  resolveParameters,
  type SuggestOutput,
} from '@ensemble/core/plugin'
import { CliError } from '../cli-error'
import { loadSamples, type Sample } from '../samples'
import { runInSandbox } from '../sandbox'
import { checkProject } from '../validate'

/*
 * `ensemble-plugin test`: the bundle `pack` would ship, run in the sandbox the inference service uses, against
 * the SDK's sample songs (and the project's own samples/), with the default parameters and at both ends of
 * every parameter's range. Each run is repeated to check the same seed gives the same suggestions.
 */

export interface TestLine {
  ok: boolean
  text: string
}

/** Defaults, then every parameter at its low end, then at its high end (an int's top on its step grid). */
function parameterSets(manifest: PluginManifest): { label: string; values: ParameterValues }[] {
  const sets: { label: string; values: ParameterValues }[] = [{ label: 'defaults', values: {} }]
  if (manifest.parameters.length === 0) return sets
  const low: Record<string, ParameterValue> = {}
  const high: Record<string, ParameterValue> = {}
  for (const p of manifest.parameters) {
    if (p.type === 'bool') {
      low[p.id] = false
      high[p.id] = true
    } else if (p.type === 'choice') {
      low[p.id] = p.options[0]!.value
      high[p.id] = p.options[p.options.length - 1]!.value
    } else {
      low[p.id] = p.min
      high[p.id] =
        p.type === 'int' && p.step !== undefined
          ? p.min + Math.floor((p.max - p.min) / p.step) * p.step
          : p.max
    }
  }
  sets.push({ label: 'lowest', values: low }, { label: 'highest', values: high })
  return sets
}

function summary(output: SuggestOutput, sample: Sample): string {
  const notes = output.suggestions.flatMap((s) => ('notes' in s ? s.notes : s.tracks.flatMap((t) => t.notes)))
  const parts = [`${output.suggestions.length} suggestion${output.suggestions.length === 1 ? '' : 's'}`]
  parts.push(`${notes.length} notes`)
  if (sample.input.target.kind !== 'drums' && notes.length > 0) {
    const inKey = notes.filter((n) => inScale(n.pitch, sample.input.song.key)).length
    parts.push(
      `${Math.round((100 * inKey) / notes.length)}% in ${sample.input.song.key.tonic} ${sample.input.song.key.mode}`,
    )
  }
  return parts.join(', ')
}

/**
 * Model calls are refused here: the SDK does not bundle tfjs, so a plugin with the `models` capability is
 * tested end to end through a studio's inference service instead.
 */
export async function testProject(dir: string, report: (line: TestLine) => void): Promise<{ runs: number }> {
  const project = await checkProject(dir)
  const { manifest, bundle } = project
  const samples = [
    ...loadSamples(),
    ...(existsSync(`${dir}/samples`) ? loadSamples(`${dir}/samples`) : []),
  ].filter((s) => manifest.trackKinds.includes(s.input.target.kind))
  if (samples.length === 0)
    throw new CliError(
      `no sample song has a ${manifest.trackKinds.join(' or ')} target track; add a SuggestInput JSON to samples/`,
    )
  let runs = 0
  let failures = 0
  for (const sample of samples) {
    for (const set of parameterSets(manifest)) {
      runs++
      const name = `${sample.name} · ${set.label}`
      try {
        const input = { ...sample.input, parameters: resolveParameters(manifest, set.values) }
        const logs: string[] = []
        const onLog = (line: string) => logs.push(line)
        const first = await runInSandbox({ bundle, manifest, input, onLog })
        for (const line of logs) report({ ok: true, text: `${name}: console: ${line}` })
        const again = await runInSandbox({ bundle, manifest, input })
        if (!isDeepStrictEqual(first, again)) {
          failures++
          report({
            ok: false,
            text: `${name}: seed ${input.seed} gave different suggestions on a second run; draw randomness only from ctx.random / ctx.fork`,
          })
          continue
        }
        report({ ok: true, text: `${name}: ${summary(first, sample)}` })
      } catch (error) {
        failures++
        const code = (error as { code?: unknown }).code
        const issues = (error as { issues?: readonly { path: string; message: string }[] }).issues ?? []
        const detail =
          issues.length > 0
            ? ` (${issues
                .slice(0, 3)
                .map((i) => `${i.path}: ${i.message}`)
                .join('; ')})`
            : ''
        report({
          ok: false,
          text: `${name}: ${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}${detail}`,
        })
      }
    }
  }
  if (failures > 0) throw new CliError(`${failures} of ${runs} sandbox runs failed`)
  return { runs }
}
