import { describe, expect, it } from 'vitest'
import { definePlugin } from './define'
import { PluginError } from './errors'
import { assertHostCompatible, checkManifest, type PluginManifestInput, parseManifest } from './manifest'
import { goodManifest } from './test-support'

type Bend = (m: PluginManifestInput) => unknown

/** Each case bends the good manifest one way and names where the error must point and what it must say. */
const bad: [string, Bend, string, RegExp][] = [
  ['id without labels', (m) => ({ ...m, id: 'melody' }), 'id', /reverse-DNS/],
  ['id with two labels', (m) => ({ ...m, id: 'example.melody' }), 'id', /three labels/],
  ['id in upper case', (m) => ({ ...m, id: 'Org.Example.Melody' }), 'id', /lower case/],
  ['version not semver', (m) => ({ ...m, version: '1.2' }), 'version', /semver version/],
  ['version with a v', (m) => ({ ...m, version: 'v1.2.0' }), 'version', /semver version/],
  ['hostApi not a range', (m) => ({ ...m, hostApi: 'latest please' }), 'hostApi', /semver range/],
  ['unknown kind', (m) => ({ ...m, kind: 'remixer' }), 'kind', /generator|arranger|harmonizer/],
  ['empty name', (m) => ({ ...m, name: '' }), 'name', /empty/],
  ['missing licence', ({ licence: _, ...m }) => m, 'licence', /./],
  ['no track kinds', (m) => ({ ...m, trackKinds: [] }), 'trackKinds', /at least one/],
  ['repeated track kind', (m) => ({ ...m, trackKinds: ['drums', 'drums'] }), 'trackKinds', /repeat/],
  ['unknown track kind', (m) => ({ ...m, trackKinds: ['video'] }), 'trackKinds[0]', /instrument/],
  ['unknown top-level key', (m) => ({ ...m, homepage: 'x' }), '', /homepage/],
  [
    'float default outside range',
    (m) => withParam(m, { id: 'x', type: 'float', label: 'X', min: 0, max: 1, default: 2 }),
    'parameters[0].default',
    /outside 0\.\.1/,
  ],
  [
    'min not below max',
    (m) => withParam(m, { id: 'x', type: 'float', label: 'X', min: 1, max: 1, default: 1 }),
    'parameters[0].max',
    /greater than min/,
  ],
  [
    'step not positive',
    (m) => withParam(m, { id: 'x', type: 'float', label: 'X', min: 0, max: 1, default: 0, step: 0 }),
    'parameters[0].step',
    /greater than 0/,
  ],
  [
    'int with a fractional default',
    (m) => withParam(m, { id: 'x', type: 'int', label: 'X', min: 0, max: 10, default: 2.5 }),
    'parameters[0].default',
    /expected int/,
  ],
  [
    'int default off the step grid',
    (m) => withParam(m, { id: 'x', type: 'int', label: 'X', min: 0, max: 10, default: 3, step: 2 }),
    'parameters[0].default',
    /multiple of step 2/,
  ],
  [
    'choice default not an option',
    (m) =>
      withParam(m, {
        id: 'x',
        type: 'choice',
        label: 'X',
        options: [{ value: 'a', label: 'A' }],
        default: 'b',
      }),
    'parameters[0].default',
    /not one of the options/,
  ],
  [
    'choice option repeated',
    (m) =>
      withParam(m, {
        id: 'x',
        type: 'choice',
        label: 'X',
        options: [
          { value: 'a', label: 'A' },
          { value: 'a', label: 'A again' },
        ],
        default: 'a',
      }),
    'parameters[0].options[1].value',
    /duplicate option/,
  ],
  [
    'choice without options',
    (m) => withParam(m, { id: 'x', type: 'choice', label: 'X', options: [], default: 'a' }),
    'parameters[0].options',
    /at least one option/,
  ],
  [
    'parameter id not camelCase',
    (m) => withParam(m, { id: 'Bad Id', type: 'bool', label: 'X', default: true }),
    'parameters[0].id',
    /camelCase/,
  ],
  [
    'unknown parameter type',
    (m) => withParam(m, { id: 'x', type: 'colour', label: 'X', default: 'red' }),
    'parameters[0].type',
    /./,
  ],
  [
    'duplicate parameter ids',
    (m) => ({ ...m, parameters: [m.parameters[2], m.parameters[2]] }),
    'parameters[1].id',
    /duplicate parameter id "legato"/,
  ],
  ['asset digest not hex', (m) => withAsset(m, { sha256: 'xyz' }), 'assets[0].sha256', /SHA-256/],
  [
    'asset path escaping its folder',
    (m) => withAsset(m, { path: '../model.json' }),
    'assets[0].path',
    /\.\./,
  ],
  ['asset path absolute', (m) => withAsset(m, { path: '/etc/model.json' }), 'assets[0].path', /relative/],
  [
    'asset path not a model.json',
    (m) => withAsset(m, { path: 'model.bin' }),
    'assets[0].path',
    /model\.json/,
  ],
  ['asset without weights', (m) => withAsset(m, { weights: [] }), 'assets[0].weights', /at least one/],
  [
    'duplicate asset ids',
    (m) => ({ ...m, assets: [m.assets[0], m.assets[0]] }),
    'assets[1].id',
    /duplicate asset id/,
  ],
  [
    'models capability without assets',
    (m) => ({ ...m, assets: [] }),
    'assets',
    /models capability needs at least one asset/,
  ],
  [
    'assets without the models capability',
    (m) => ({ ...m, capabilities: ['theory'] }),
    'capabilities',
    /"models"/,
  ],
  [
    'unknown capability',
    (m) => ({ ...m, capabilities: ['models', 'network'] }),
    'capabilities[1]',
    /models|theory/,
  ],
]

function withParam(m: PluginManifestInput, param: unknown): unknown {
  return { ...m, parameters: [param] }
}
function withAsset(m: PluginManifestInput, change: Record<string, unknown>): unknown {
  return { ...m, assets: [{ ...m.assets[0], ...change }] }
}

describe('plugin manifest', () => {
  it('accepts a complete manifest and keeps it as written', () => {
    const manifest = parseManifest(goodManifest())
    expect(manifest.id).toBe('org.example.melody')
    expect(manifest.parameters.map((p) => p.id)).toEqual(['density', 'octave', 'legato', 'style'])
  })

  it('accepts a model-free plugin', () => {
    const m = { ...goodManifest(), assets: [], capabilities: ['theory' as const] }
    expect(checkManifest(m).ok).toBe(true)
  })

  it.each(bad)('refuses %s, pointing at the field', (_, bend, path, message) => {
    const checked = checkManifest(bend(goodManifest()))
    expect(checked.ok).toBe(false)
    if (checked.ok) return
    const issue = checked.issues.find((i) => i.path === path)
    expect(issue, `issues were ${JSON.stringify(checked.issues)}`).toBeDefined()
    expect(issue?.message).toMatch(message)
  })

  it('reports every problem at once, with paths in the thrown message', () => {
    const m = { ...goodManifest(), id: 'nope', version: 'one' }
    expect(() => parseManifest(m)).toThrow(PluginError)
    expect(() => parseManifest(m)).toThrow(/id: .*reverse-DNS.*; version: must be a semver version/)
  })

  it('definePlugin refuses a bad manifest when the plugin module loads', () => {
    expect(() =>
      definePlugin({ manifest: { ...goodManifest(), version: 'x' }, suggest: () => ({ suggestions: [] }) }),
    ).toThrow(/invalid plugin manifest: version/)
  })

  it('a host refuses a plugin written for another host API', () => {
    const manifest = parseManifest({ ...goodManifest(), hostApi: '^2.0.0' })
    expect(() => assertHostCompatible(manifest)).toThrow(/needs host API \^2\.0\.0; this host has 1\.0\.0/)
    expect(() => assertHostCompatible(parseManifest(goodManifest()))).not.toThrow()
  })
})
