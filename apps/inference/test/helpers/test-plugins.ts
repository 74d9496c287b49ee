import {
  definePlugin,
  type PluginAsset,
  type PluginManifest,
  parseManifest,
  type SuggestInput,
} from '@ensemble/core/plugin'

/*
 * Plugins that exist only in tests. None of them is ever registered by the service itself: a musician must
 * never be offered a plugin without trained weights.
 */

const common = {
  version: '1.0.0',
  hostApi: '^1.0.0',
  description: 'A plugin for the inference service tests.',
  author: 'Ensemble tests',
  licence: 'MIT',
  trackKinds: ['instrument'],
} as const

/**
 * Runs the dense model once per variation: the features are the window's pitch-class histogram plus a
 * seeded jitter, and the notes are drawn from the model's probabilities, so the output depends on the input,
 * the seed and the model's numbers.
 */
export function densePlugin(asset: PluginAsset, id = 'org.ensemble-tests.dense', version = '1.0.0') {
  return definePlugin({
    manifest: {
      ...common,
      id,
      version,
      name: 'Dense test model',
      kind: 'generator',
      parameters: [{ id: 'notes', type: 'int', label: 'Notes', min: 1, max: 16, default: 8 }],
      assets: [asset],
      capabilities: ['models', 'theory'],
    },
    async suggest(input, ctx) {
      const histogram = new Array<number>(12).fill(0)
      for (const note of input.target.notes) histogram[note.pitch % 12]! += 1
      const suggestions = await Promise.all(
        Array.from({ length: input.variations }, async (_, v) => {
          const random = ctx.fork(v)
          const features = histogram.map((h) => h + random())
          const [probs] = await ctx.models.run('dense', [{ shape: [12], data: features }])
          const p = probs!.data
          const notes = Array.from({ length: input.parameters.notes }, (_, i) => {
            let r = random()
            let pc = 0
            while (pc < 11 && r >= p[pc]!) r -= p[pc++]!
            return {
              pitch: ctx.theory.snapToScale(60 + pc, input.song.key),
              start: i * 240,
              duration: 240,
              velocity: 1 + Math.floor(p[pc]! * 126),
            }
          })
          return { label: `Dense ${v + 1}`, notes }
        }),
      )
      return { suggestions }
    },
  })
}

/** Waits `holdMs` before answering with nothing: for deadlines and the bounded queue. */
export const slowPlugin = definePlugin({
  manifest: {
    ...common,
    id: 'org.ensemble-tests.slow',
    name: 'Slow',
    kind: 'generator',
    parameters: [
      { id: 'holdMs', type: 'int', label: 'Hold', min: 0, max: 10_000, default: 300, units: 'ms' },
    ],
    assets: [],
    capabilities: [],
  },
  async suggest(input) {
    await new Promise((resolve) => setTimeout(resolve, input.parameters.holdMs))
    return { suggestions: [] }
  },
})

export const throwingPlugin = definePlugin({
  manifest: {
    ...common,
    id: 'org.ensemble-tests.broken',
    name: 'Broken',
    kind: 'generator',
    parameters: [],
    assets: [],
    capabilities: [],
  },
  suggest() {
    throw new Error('the model fell over')
  },
})

export function windowInput(overrides: Partial<SuggestInput> = {}): SuggestInput {
  return {
    song: { bpm: 100, timeSignature: { numerator: 4, denominator: 4 }, key: { tonic: 'A', mode: 'minor' } },
    target: {
      trackId: 'keys',
      kind: 'instrument',
      fromTick: 0,
      toTick: 8 * 1920,
      notes: [
        { pitch: 57, start: 0, duration: 960, velocity: 90 },
        { pitch: 60, start: 960, duration: 960, velocity: 80 },
        { pitch: 64, start: 1920, duration: 960, velocity: 80 },
      ],
    },
    context: [],
    parameters: {},
    seed: 7,
    variations: 1,
    deadlineMs: 5000,
    ...overrides,
  }
}

/** A third-party plugin's manifest as a publisher would write it: a generator with no models or settings. */
export function manifestFor(id: string, overrides: Partial<PluginManifest> = {}): PluginManifest {
  return parseManifest({
    id,
    name: id.split('.').at(-1)!,
    version: '1.0.0',
    hostApi: '^1.0.0',
    kind: 'generator',
    description: 'A third-party plugin for the service tests.',
    author: 'Ensemble tests',
    licence: 'MIT',
    trackKinds: ['instrument'],
    parameters: [],
    assets: [],
    capabilities: [],
    ...overrides,
  })
}
