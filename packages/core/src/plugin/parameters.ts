import { z } from 'zod'
import { type ContractIssue, PluginError } from './errors'

/*
 * A plugin's typed parameters. The AI panel draws its controls from these declarations and the host checks
 * every value against them before `suggest` runs, so a plugin never sees a value it did not declare. Ids are
 * stable: saved presets and the audit of AI runs refer to them, so a plugin renames a label, never an id.
 */

const parameterId = z
  .string()
  .regex(/^[a-z][a-zA-Z0-9_]{0,63}$/, 'must be camelCase: a lower-case letter, then letters, digits or _')

const common = {
  id: parameterId,
  label: z.string().min(1, 'must not be empty').max(80),
  description: z.string().max(500).optional(),
}

interface NumericSpec {
  min: number
  max: number
  default: number
  step?: number | undefined
}

/** The checks float and int share: a non-empty range, a default inside it, a positive step that fits. */
function checkRange(spec: NumericSpec, ctx: z.RefinementCtx, integer: boolean): void {
  if (spec.max <= spec.min) {
    ctx.addIssue({
      code: 'custom',
      path: ['max'],
      message: `max (${spec.max}) must be greater than min (${spec.min})`,
    })
    return
  }
  if (spec.default < spec.min || spec.default > spec.max)
    ctx.addIssue({
      code: 'custom',
      path: ['default'],
      message: `default ${spec.default} is outside ${spec.min}..${spec.max}`,
    })
  if (spec.step === undefined) return
  if (spec.step <= 0) ctx.addIssue({ code: 'custom', path: ['step'], message: 'step must be greater than 0' })
  else if (spec.step > spec.max - spec.min)
    ctx.addIssue({ code: 'custom', path: ['step'], message: `step ${spec.step} is larger than the range` })
  else if (integer && (spec.default - spec.min) % spec.step !== 0)
    ctx.addIssue({
      code: 'custom',
      path: ['default'],
      message: `default ${spec.default} is not min + a multiple of step ${spec.step}`,
    })
}

const units = z.string().min(1).max(16).optional()

/**
 * How a control travels its range: `linear` (pan, dB), `log` (frequencies and times, where each octave or
 * decade gets the same travel; needs min > 0), `exp` (fine control near the top). Only the controls use it:
 * values are stored and validated in real units whatever the curve.
 */
export const ParameterCurveSchema = z.enum(['linear', 'log', 'exp'])
export type ParameterCurve = z.infer<typeof ParameterCurveSchema>
const curve = ParameterCurveSchema.optional()

const checkCurve = (spec: NumericSpec & { curve?: ParameterCurve | undefined }, ctx: z.RefinementCtx) => {
  if (spec.curve === 'log' && spec.min <= 0)
    ctx.addIssue({ code: 'custom', path: ['curve'], message: 'a log curve needs min > 0' })
}

export const FloatParameterSchema = z
  .strictObject({
    ...common,
    type: z.literal('float'),
    min: z.number(),
    max: z.number(),
    default: z.number(),
    step: z.number().optional(),
    units,
    curve,
  })
  .superRefine((spec, ctx) => {
    checkRange(spec, ctx, false)
    checkCurve(spec, ctx)
  })

export const IntParameterSchema = z
  .strictObject({
    ...common,
    type: z.literal('int'),
    min: z.int(),
    max: z.int(),
    default: z.int(),
    step: z.int().optional(),
    units,
    curve,
  })
  .superRefine((spec, ctx) => {
    checkRange(spec, ctx, true)
    checkCurve(spec, ctx)
  })

export const BoolParameterSchema = z.strictObject({
  ...common,
  type: z.literal('bool'),
  default: z.boolean(),
})

export const ChoiceParameterSchema = z
  .strictObject({
    ...common,
    type: z.literal('choice'),
    options: z
      .array(
        z.strictObject({
          value: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
          label: z.string().min(1, 'must not be empty').max(80),
        }),
      )
      .min(1, 'a choice needs at least one option')
      .max(64),
    default: z.string(),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>()
    spec.options.forEach((option, i) => {
      if (seen.has(option.value))
        ctx.addIssue({
          code: 'custom',
          path: ['options', i, 'value'],
          message: `duplicate option "${option.value}"`,
        })
      seen.add(option.value)
    })
    if (!seen.has(spec.default))
      ctx.addIssue({
        code: 'custom',
        path: ['default'],
        message: `default "${spec.default}" is not one of the options (${[...seen].join(', ')})`,
      })
  })

export const ParameterSpecSchema = z.discriminatedUnion('type', [
  FloatParameterSchema,
  IntParameterSchema,
  BoolParameterSchema,
  ChoiceParameterSchema,
])
export type ParameterSpec = z.infer<typeof ParameterSpecSchema>

export type ParameterValue = number | boolean | string
export type ParameterValues = Readonly<Record<string, ParameterValue>>

/** The value type a declaration stands for; choices keep their literal option values when declared `as const`. */
export type ParameterValueOf<P> = P extends { type: 'float' | 'int' }
  ? number
  : P extends { type: 'bool' }
    ? boolean
    : P extends { type: 'choice'; options: readonly { value: infer V }[] }
      ? V
      : never

/** `{ temperature: number, style: 'rock' | 'jazz' }` from a manifest's declarations, for `definePlugin`. */
export type ParametersOf<M> = M extends { parameters: readonly (infer P)[] }
  ? { readonly [S in P as S extends { id: infer I extends string } ? I : never]: ParameterValueOf<S> }
  : ParameterValues

/** Why `value` is not a valid value of `spec` (in words), or null when it is. */
export function parameterProblem(spec: ParameterSpec, value: unknown): string | null {
  switch (spec.type) {
    case 'float':
    case 'int': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        return `must be a number, got ${describe(value)}`
      if (spec.type === 'int' && !Number.isInteger(value)) return `must be an integer, got ${value}`
      if (value < spec.min || value > spec.max) return `${value} is outside ${spec.min}..${spec.max}`
      if (spec.type === 'int' && spec.step !== undefined && (value - spec.min) % spec.step !== 0)
        return `${value} is not ${spec.min} + a multiple of ${spec.step}`
      return null
    }
    case 'bool':
      return typeof value === 'boolean' ? null : `must be true or false, got ${describe(value)}`
    case 'choice':
      return spec.options.some((o) => o.value === value)
        ? null
        : `${describe(value)} is not one of ${spec.options.map((o) => o.value).join(', ')}`
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}

/** Every parameter at its declared default: what a run gets when nobody touched a knob. */
export const parameterDefaults = (specs: readonly ParameterSpec[]): Record<string, ParameterValue> =>
  Object.fromEntries(specs.map((p) => [p.id, p.default]))

/**
 * The values a plugin run gets: every declared parameter, the caller's value where given and valid, the
 * declared default otherwise. Unknown ids and bad values are refused (all of them, in one error) rather than
 * dropped, because a silently ignored knob is a suggestion the musician cannot explain.
 */
export function resolveParameters(
  declared: { readonly parameters: readonly ParameterSpec[] },
  values: unknown = {},
): ParameterValues {
  if (values === null || typeof values !== 'object' || Array.isArray(values))
    throw new PluginError('invalid_parameters', [
      { path: 'parameters', message: `must be an object of values by parameter id, got ${describe(values)}` },
    ])
  const given = values as Record<string, unknown>
  const byId = new Map(declared.parameters.map((p) => [p.id, p]))
  const issues: ContractIssue[] = []
  for (const id of Object.keys(given)) {
    if (!byId.has(id))
      issues.push({
        path: `parameters.${id}`,
        message: `unknown parameter (declared: ${[...byId.keys()].join(', ') || 'none'})`,
      })
  }
  const resolved: Record<string, ParameterValue> = {}
  for (const spec of declared.parameters) {
    const value = Object.hasOwn(given, spec.id) ? given[spec.id] : spec.default
    const problem = parameterProblem(spec, value)
    if (problem) issues.push({ path: `parameters.${spec.id}`, message: problem })
    else resolved[spec.id] = value as ParameterValue
  }
  if (issues.length > 0) throw new PluginError('invalid_parameters', issues)
  return Object.freeze(resolved)
}

type NumericParameter = Extract<ParameterSpec, { type: 'float' | 'int' }>

/** A control's position (0..1) for a value, along the parameter's curve. */
export const toControl = (spec: NumericParameter, value: number): number => {
  const clamped = Math.min(spec.max, Math.max(spec.min, value))
  const linear = (clamped - spec.min) / (spec.max - spec.min)
  if (spec.curve === 'log') return Math.log(clamped / spec.min) / Math.log(spec.max / spec.min)
  if (spec.curve === 'exp') return Math.sqrt(linear)
  return linear
}

/** The value at a control's position (0..1): the inverse of `toControl`, rounded for int parameters. */
export const fromControl = (spec: NumericParameter, position: number): number => {
  const x = Math.min(1, Math.max(0, position))
  const value =
    spec.curve === 'log'
      ? spec.min * (spec.max / spec.min) ** x
      : spec.min + (spec.max - spec.min) * (spec.curve === 'exp' ? x * x : x)
  return spec.type === 'int' ? Math.round(value) : value
}
