import { describe, expect, it } from 'vitest'
import { SIXTEENTH } from '../music/index'
import type { NotesSuggestion } from '../plugin/index'
import { createRandom } from '../plugin/random'
import { type Decision, LEARNED_AFTER, learnBandModel, rankVariations } from './band-ranker'
import { type FeatureVector, type VariationContext, variationFeatures } from './variation-features'

const BAR = 16 * SIXTEENTH

const drumsContext: VariationContext = {
  key: { tonic: 'C', mode: 'major' },
  timeSignature: { numerator: 4, denominator: 4 },
  windowTicks: 2 * BAR,
  drums: true,
  bandOnsets: new Set([0, 4, 8, 12]),
  register: null,
}

/** A two-bar drum variation: each sixteenth has a hit with probability `fill`. */
function drumVariation(random: () => number, fill: number): NotesSuggestion {
  const notes = []
  for (let step = 0; step < 32; step++)
    if (random() < fill)
      notes.push({ pitch: 36 + (step % 3), start: step * SIXTEENTH, duration: SIXTEENTH, velocity: 90 })
  return { label: `fill ${fill.toFixed(2)}`, notes }
}

interface Offer {
  readonly features: FeatureVector[]
  /** The hidden preference's pick: the sparsest variation. */
  readonly sparsest: number
}

/** Four variations per suggestion with a plugin "likelihood" that knows nothing of the band's taste. */
function offer(random: () => number): Offer {
  const features = Array.from({ length: 4 }, () => {
    const v = drumVariation(random, 0.1 + 0.6 * random())
    return variationFeatures(v, drumsContext, -2 * random())
  })
  const densities = features.map((f) => f.density)
  return { features, sparsest: densities.indexOf(Math.min(...densities)) }
}

/** `n` decisions of the simulated band: it always keeps the sparsest variation. */
function keepsSparsest(random: () => number, n: number): Decision[] {
  return Array.from({ length: n }, () => {
    const o = offer(random)
    return { variations: o.features, kept: o.sparsest }
  })
}

describe('band ranker', () => {
  it('learns a band that always keeps the sparsest drum variation within 20 decisions, beating random and likelihood-only ranking', () => {
    const random = createRandom(7)
    const model = learnBandModel(keepsSparsest(random, 20))

    let ranker = 0
    let byLikelihood = 0
    let byChance = 0
    const trials = 200
    for (let i = 0; i < trials; i++) {
      const o = offer(random)
      if (rankVariations(model, o.features)[0]?.index === o.sparsest) ranker++
      const likeliest = o.features.reduce(
        (best, f, j, all) => (f.likelihood > (all[best]?.likelihood ?? 0) ? j : best),
        0,
      )
      if (likeliest === o.sparsest) byLikelihood++
      if (Math.floor(random() * 4) === o.sparsest) byChance++
    }
    const agreement = {
      ranker: ranker / trials,
      likelihood: byLikelihood / trials,
      random: byChance / trials,
    }
    console.log(`top-1 agreement after 20 decisions: ${JSON.stringify(agreement)}`)
    expect(agreement.ranker).toBeGreaterThan(0.8)
    expect(agreement.ranker).toBeGreaterThan(agreement.likelihood + 0.4)
    expect(agreement.ranker).toBeGreaterThan(agreement.random + 0.4)
  })

  it('before any decision, ranks by the musical checks and the likelihood', () => {
    const context: VariationContext = { ...drumsContext, drums: false, register: 60 }
    /** A bar of quarter notes on these semitones above middle C. */
    const quarters = (label: string, semitones: number[]): NotesSuggestion => ({
      label,
      notes: semitones.map((p, i) => ({
        pitch: 60 + p,
        start: i * 4 * SIXTEENTH,
        duration: SIXTEENTH,
        velocity: 90,
      })),
    })
    const inKey = quarters('in key', [0, 2, 4, 5])
    const outOfKey = quarters('out of key', [1, 3, 6, 8])
    const model = learnBandModel([])
    expect(model.decisions).toBe(0)
    const ranked = rankVariations(model, [
      variationFeatures(outOfKey, context),
      variationFeatures(inKey, context),
    ])
    expect(ranked.map((r) => r.index)).toEqual([1, 0])
    expect(ranked[0]?.reasons).toContain('in key')
    expect(ranked[0]?.reasons).not.toContain('like ones you kept')
  })

  it('says a variation is like ones the band kept only once it has kept some', () => {
    const random = createRandom(3)
    const decisions = keepsSparsest(random, 12)
    const o = offer(random)
    const early = rankVariations(learnBandModel(decisions.slice(0, LEARNED_AFTER - 1)), o.features)
    expect(early.flatMap((r) => r.reasons)).not.toContain('like ones you kept')
    const later = rankVariations(learnBandModel(decisions), o.features)
    expect(later[0]?.index).toBe(o.sparsest)
    expect(later[0]?.reasons).toContain('sparser')
    expect(later[0]?.reasons).toContain('like ones you kept')
  })

  it('learns from dismissals: a band that dismisses the dense variations it is shown sees them ranked lower', () => {
    const random = createRandom(11)
    // Each time, the band looks through the variations and dismisses the suggestion on its densest one; it
    // keeps nothing, so only dismissals teach here.
    const decisions: Decision[] = Array.from({ length: 20 }, () => {
      const o = offer(random)
      const densities = o.features.map((f) => f.density)
      return { variations: o.features, kept: null, dismissed: densities.indexOf(Math.max(...densities)) }
    })
    const taught = learnBandModel(decisions)
    const untaught = learnBandModel([])
    expect(taught.decisions).toBe(20)
    expect(taught.weights.density).toBeLessThan(untaught.weights.density - 0.5)
    let last = 0
    let lastBefore = 0
    const trials = 200
    for (let i = 0; i < trials; i++) {
      const o = offer(random)
      const densities = o.features.map((f) => f.density)
      const densest = densities.indexOf(Math.max(...densities))
      if (rankVariations(taught, o.features).at(-1)?.index === densest) last++
      if (rankVariations(untaught, o.features).at(-1)?.index === densest) lastBefore++
    }
    console.log(`densest ranked last: ${last / trials} after 20 dismissals, ${lastBefore / trials} before`)
    expect(last / trials).toBeGreaterThan(0.7)
    expect(last / trials).toBeGreaterThan(lastBefore / trials + 0.3)
  })

  it('ignores decisions that cannot be read (an index out of range, a single variation, a dismissal of no one)', () => {
    const random = createRandom(5)
    const o = offer(random)
    const model = learnBandModel([
      { variations: o.features, kept: 9 },
      { variations: o.features.slice(0, 1), kept: 0 },
      { variations: o.features, kept: null },
      { variations: o.features, kept: null, dismissed: 4 },
    ])
    expect(model.decisions).toBe(0)
  })
})
