import { describe, expect, it } from 'vitest'
import { PluginError } from './errors'
import { parseManifest } from './manifest'
import { resolveParameters } from './parameters'
import { goodManifest } from './test-support'

const manifest = parseManifest(goodManifest())

function issuesOf(values: unknown): string[] {
  try {
    resolveParameters(manifest, values)
  } catch (err) {
    expect(err).toBeInstanceOf(PluginError)
    expect((err as PluginError).code).toBe('invalid_parameters')
    return (err as PluginError).issues.map((i) => `${i.path}: ${i.message}`)
  }
  throw new Error('expected the values to be refused')
}

describe('resolveParameters', () => {
  it('fills every declared parameter with its default', () => {
    expect(resolveParameters(manifest, {})).toEqual({ density: 0.5, octave: 4, legato: false, style: 'pop' })
    expect(resolveParameters(manifest)).toEqual({ density: 0.5, octave: 4, legato: false, style: 'pop' })
  })

  it('keeps valid values given by the caller, including the range ends', () => {
    expect(resolveParameters(manifest, { density: 1, octave: 2, legato: true, style: 'jazz' })).toEqual({
      density: 1,
      octave: 2,
      legato: true,
      style: 'jazz',
    })
  })

  it('returns a frozen object', () => {
    expect(Object.isFrozen(resolveParameters(manifest, {}))).toBe(true)
  })

  it.each([
    [{ density: 1.5 }, 'parameters.density: 1.5 is outside 0..1'],
    [{ density: '0.5' }, 'parameters.density: must be a number, got "0.5"'],
    [{ density: Number.NaN }, 'parameters.density: must be a number, got NaN'],
    [{ octave: 3.5 }, 'parameters.octave: must be an integer, got 3.5'],
    [{ octave: 9 }, 'parameters.octave: 9 is outside 2..6'],
    [{ legato: 'yes' }, 'parameters.legato: must be true or false, got "yes"'],
    [{ style: 'metal' }, 'parameters.style: "metal" is not one of pop, jazz'],
    [{ tempo: 3 }, 'parameters.tempo: unknown parameter (declared: density, octave, legato, style)'],
  ])('refuses %j', (values, expected) => {
    expect(issuesOf(values)).toEqual([expected])
  })

  it('refuses an int off its step grid', () => {
    const stepped = parseManifest({
      ...goodManifest(),
      parameters: [{ id: 'bars', type: 'int', label: 'Bars', min: 1, max: 9, default: 1, step: 2 }],
    })
    expect(resolveParameters(stepped, { bars: 5 })).toEqual({ bars: 5 })
    expect(() => resolveParameters(stepped, { bars: 4 })).toThrow(
      /parameters\.bars: 4 is not 1 \+ a multiple of 2/,
    )
  })

  it('reports every bad value at once', () => {
    expect(issuesOf({ density: 2, style: 'metal', extra: true })).toHaveLength(3)
  })

  it('refuses values that are not an object', () => {
    expect(issuesOf([1, 2])).toEqual([
      'parameters: must be an object of values by parameter id, got an array',
    ])
    expect(issuesOf(null)).toEqual(['parameters: must be an object of values by parameter id, got null'])
  })
})
