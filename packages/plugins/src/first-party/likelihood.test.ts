import {
  type FeatureVector,
  learnBandModel,
  rankVariations,
  type VariationContext,
  variationFeatures,
} from '@ensemble/core'
import {
  type NotesSuggestion,
  type PluginNote,
  runPlugin,
  type SuggestInput,
  SuggestOutputSchema,
} from '@ensemble/core/plugin'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../common/backend.js'
import { loadLocalModels } from '../common/local-host.js'
import { drumsPlugin } from '../drums/plugin.js'
import { harmonizerPlugin } from '../harmonizer/plugin.js'

/*
 * The first-party model plugins report each variation's likelihood (common/likelihood.ts), on their
 * published weights, and a band with no decisions sees the model's likelier variation first.
 */

const BAR = 1920
const FOUR_FOUR = { numerator: 4, denominator: 4 } as const

beforeAll(async () => {
  await initBackend()
})

const melody: PluginNote[] = [67, 69, 71, 72, 74, 72, 71, 69].map((pitch, i) => ({
  pitch,
  start: i * 480,
  duration: 480,
  velocity: 90,
}))

function input(kind: 'drums' | 'instrument', temperature: number, seed: number): SuggestInput {
  return {
    song: { bpm: 100, timeSignature: FOUR_FOUR, key: { tonic: 'G', mode: 'major' } },
    target: {
      trackId: 't',
      kind,
      fromTick: 0,
      toTick: 2 * BAR,
      notes: kind === 'drums' ? [] : melody,
    },
    context: [],
    parameters: kind === 'drums' ? { temperature, bars: 2 } : { temperature },
    seed,
    variations: 2,
    deadlineMs: 120_000,
  }
}

async function suggest(
  registration: ReturnType<typeof drumsPlugin>,
  raw: SuggestInput,
): Promise<NotesSuggestion[]> {
  const local = loadLocalModels(registration)
  expect(local.problems).toEqual([])
  const out = await runPlugin(registration.plugin, raw, { models: local.runner })
  return out.suggestions as NotesSuggestion[]
}

const context = (drums: boolean): VariationContext => ({
  key: { tonic: 'G', mode: 'major' },
  timeSignature: FOUR_FOUR,
  windowTicks: 2 * BAR,
  drums,
  bandOnsets: new Set(),
  register: null,
})

describe.each([
  ['drums', drumsPlugin, 'drums'],
  ['harmonizer', harmonizerPlugin, 'instrument'],
] as const)('%s likelihood', (_, plugin, kind) => {
  it('reports a mean log-probability per step; a cold draw ranks above a hot one with no decisions', async () => {
    const registration = plugin()
    for (const seed of [3, 17]) {
      const [cold] = await suggest(registration, input(kind, 0.2, seed))
      const [hot] = await suggest(registration, input(kind, 1.5, seed))
      expect(cold?.likelihood).toBeLessThanOrEqual(0)
      expect(hot?.likelihood).toBeLessThan(cold?.likelihood ?? 0)
      // The band's prior (no decisions): the hot variation first in the plugin's order, ranked second.
      const features = [hot, cold].map((v) =>
        variationFeatures(v as NotesSuggestion, context(kind === 'drums'), v?.likelihood),
      )
      const ranked = rankVariations(learnBandModel([]), features)
      expect(ranked.map((r) => r.index)).toEqual([1, 0])
      expect(ranked[0]?.reasons).toContain('the model’s likeliest')
    }
  }, 60_000)
})

describe('likelihood in the contract', () => {
  it('is optional: third-party output without it validates and ranks by the musical checks', () => {
    const notes = [{ pitch: 60, start: 0, duration: 480, velocity: 90 }]
    const parsed = SuggestOutputSchema.parse({
      suggestions: [
        { label: 'a', notes },
        { label: 'b', notes: [...notes, { pitch: 61, start: 480, duration: 480, velocity: 90 }] },
      ],
    })
    const features: FeatureVector[] = parsed.suggestions.map((s) =>
      variationFeatures(s, context(false), 'likelihood' in s ? s.likelihood : undefined),
    )
    expect(features.map((f) => f.likelihood)).toEqual([0, 0])
    // All in key beats half in key: the checks decide when no plugin says how likely its variations are.
    expect(rankVariations(learnBandModel([]), features).map((r) => r.index)).toEqual([0, 1])
  })

  it('refuses a likelihood that is not a log-probability', () => {
    const notes = [{ pitch: 60, start: 0, duration: 480, velocity: 90 }]
    for (const likelihood of [0.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(
        SuggestOutputSchema.safeParse({ suggestions: [{ label: 'a', notes, likelihood }] }).success,
      ).toBe(false)
  })
})
