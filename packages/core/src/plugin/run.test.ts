import { describe, expect, expectTypeOf, it } from 'vitest'
import type { ModelRunner } from './context'
import { definePlugin } from './define'
import { PluginError } from './errors'
import { runPlugin } from './run'
import { goodInput } from './test-support'

/**
 * A toy generator that uses everything the context offers: its notes depend on the seed (random), the key
 * (theory), its parameters, and, for the second half, on a fake model whose answer is a function of its input.
 */
const toy = definePlugin({
  manifest: {
    id: 'org.example.toy',
    name: 'Toy',
    version: '0.1.0',
    hostApi: '^1.0.0',
    kind: 'generator',
    description: 'Random scale notes.',
    author: 'Tests',
    licence: 'MIT',
    trackKinds: ['instrument'],
    parameters: [
      { id: 'count', type: 'int', label: 'Notes', min: 1, max: 32, default: 8 },
      {
        id: 'register',
        type: 'choice',
        label: 'Register',
        options: [
          { value: 'low', label: 'Low' },
          { value: 'high', label: 'High' },
        ],
        default: 'low',
      },
    ],
    assets: [
      {
        id: 'shift',
        format: 'tfjs-layers',
        path: 'model.json',
        sha256: 'c'.repeat(64),
        weights: [{ path: 'shift.weights.bin', sha256: 'd'.repeat(64) }],
      },
    ],
    capabilities: ['models', 'theory'],
  },
  async suggest(input, ctx) {
    expectTypeOf(input.parameters.count).toEqualTypeOf<number>()
    expectTypeOf(input.parameters.register).toEqualTypeOf<'low' | 'high'>()
    const length = input.target.toTick - input.target.fromTick
    const base = input.parameters.register === 'low' ? 48 : 72
    const variations = await Promise.all(
      Array.from({ length: input.variations }, async (_, v) => {
        const random = ctx.fork(v)
        const notes = Array.from({ length: input.parameters.count }, () => ({
          pitch: ctx.theory.snapToScale(base + Math.floor(random() * 12), input.song.key),
          start: Math.floor(random() * (length - 240)),
          duration: 240,
          velocity: 40 + Math.floor(random() * 80),
        }))
        const [shift] = await ctx.models.run('shift', [{ shape: [1], data: [v] }])
        return {
          label: `Idea ${v + 1}`,
          notes: notes.map((n) => ({ ...n, pitch: n.pitch + (shift?.data[0] ?? 0) })),
        }
      }),
    )
    return { suggestions: variations }
  },
})

/** Answers with a delay that varies per call, so concurrent variations resolve in a shuffled order. */
function shuffledModel(): ModelRunner & { calls: number } {
  const runner = {
    calls: 0,
    async run(_assetId: string, inputs: readonly { shape: readonly number[]; data: readonly number[] }[]) {
      runner.calls++
      await new Promise((r) => setTimeout(r, (runner.calls * 7) % 5))
      return [{ shape: [1], data: [inputs[0]!.data[0]! % 2] }]
    },
  }
  return runner
}

describe('runPlugin', () => {
  it('gives the same suggestions for the same input, parameters and seed', async () => {
    const input = goodInput({ variations: 3, parameters: { count: 12, register: 'high' } })
    const first = await runPlugin(toy, input, { models: shuffledModel() })
    const second = await runPlugin(toy, structuredClone(input), { models: shuffledModel() })
    expect(second).toEqual(first)
    expect(first.suggestions).toHaveLength(3)
    expect(first.suggestions[0]).not.toEqual(first.suggestions[1])
  })

  it('gives different suggestions for another seed', async () => {
    const a = await runPlugin(toy, goodInput({ seed: 1 }), { models: shuffledModel() })
    const b = await runPlugin(toy, goodInput({ seed: 2 }), { models: shuffledModel() })
    expect(a).not.toEqual(b)
  })

  it('hands the plugin resolved parameters and leaves the caller input untouched', async () => {
    let seen: unknown
    const spy = definePlugin({
      manifest: { ...toy.manifest, capabilities: ['theory'], assets: [] },
      suggest(input) {
        seen = input.parameters
        input.target.notes.length = 0
        return { suggestions: [] }
      },
    })
    const input = goodInput({ parameters: { count: 3 } })
    await runPlugin(spy, input)
    expect(seen).toEqual({ count: 3, register: 'low' })
    expect(input.target.notes).toHaveLength(1)
  })

  it('keeps notes in key: every pitch is a D minor scale tone, shifted by the model', async () => {
    const out = await runPlugin(toy, goodInput(), { models: shuffledModel() })
    const dMinor = new Set([2, 4, 5, 7, 9, 10, 0])
    const first = out.suggestions[0]!
    expect('notes' in first && first.notes.every((n) => dMinor.has(n.pitch % 12))).toBe(true)
  })

  it('refuses bad input, bad parameters and a track kind the plugin does not fit', async () => {
    await expect(runPlugin(toy, { ...goodInput(), seed: -1 })).rejects.toThrow(/invalid suggest input: seed/)
    await expect(runPlugin(toy, goodInput({ parameters: { count: 0 } }))).rejects.toThrow(
      /parameters\.count: 0 is outside 1\.\.32/,
    )
    const drums = goodInput()
    drums.target.kind = 'drums'
    await expect(runPlugin(toy, drums)).rejects.toThrow(/fits instrument tracks, not drums/)
  })

  it('turns a throwing plugin into a plugin_failed error with its message', async () => {
    const broken = definePlugin({
      manifest: { ...toy.manifest, capabilities: ['theory'], assets: [] },
      suggest() {
        throw new Error('out of ideas')
      },
    })
    const err = await runPlugin(broken, goodInput()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PluginError)
    expect((err as PluginError).code).toBe('plugin_failed')
    expect((err as PluginError).message).toMatch(/org\.example\.toy failed: out of ideas/)
  })

  it('gives up at the deadline and refuses model calls from the late run', async () => {
    let lateCall: Promise<unknown> | undefined
    const slow = definePlugin({
      manifest: toy.manifest,
      async suggest(_input, ctx) {
        await new Promise((r) => setTimeout(r, 80))
        lateCall = ctx.models.run('shift', [{ shape: [1], data: [0] }]).catch((e: unknown) => e)
        return { suggestions: [] }
      },
    })
    const err = await runPlugin(slow, goodInput({ deadlineMs: 20 }), { models: shuffledModel() }).catch(
      (e: unknown) => e,
    )
    expect((err as PluginError).code).toBe('deadline_exceeded')
    await new Promise((r) => setTimeout(r, 100))
    expect(((await lateCall) as PluginError).code).toBe('deadline_exceeded')
  })

  it('refuses capabilities and assets the manifest did not declare', async () => {
    const sneaky = definePlugin({
      manifest: { ...toy.manifest, capabilities: ['models'] },
      suggest(input, ctx) {
        ctx.theory.snapToScale(60, input.song.key)
        return { suggestions: [] }
      },
    })
    await expect(runPlugin(sneaky, goodInput(), { models: shuffledModel() })).rejects.toThrow(
      /did not declare the "theory" capability/,
    )
    const other = definePlugin({
      manifest: toy.manifest,
      async suggest(_input, ctx) {
        await ctx.models.run('someone-elses-model', [])
        return { suggestions: [] }
      },
    })
    await expect(runPlugin(other, goodInput(), { models: shuffledModel() })).rejects.toThrow(
      /declares no asset "someone-elses-model"/,
    )
  })

  it('validates what the plugin returns', async () => {
    const wild = definePlugin({
      manifest: { ...toy.manifest, capabilities: ['theory'], assets: [] },
      suggest: () => ({
        suggestions: [{ label: 'Loud', notes: [{ pitch: 60, start: 0, duration: 10, velocity: 500 }] }],
      }),
    })
    await expect(runPlugin(wild, goodInput())).rejects.toThrow(
      /invalid plugin output: suggestions\[0\]\.notes\[0\]\.velocity/,
    )
  })
})
