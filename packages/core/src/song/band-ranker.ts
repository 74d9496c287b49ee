/*
 * Orders a plugin's variations by what this band is likely to keep, and says why.
 *
 * The model is a conditional logit (a softmax choice over the variations of one suggestion) over the
 * interpretable figures of variation-features.ts, each standardised within its suggestion: a band that keeps
 * "the sparsest" keeps the sparsest of what it was offered, whatever the absolute density. The weights are
 * the maximum a posteriori fit under a Gaussian prior centred on PRIOR_WEIGHTS (the model's likelihood and
 * the musical checks), so a band with no decisions is ranked by those, and its own choices take over as they
 * accumulate: with PRIOR_PRECISION 1, a handful of consistent decisions already outweigh the prior.
 *
 * Dismissals teach too, as negative evidence: the band dismissed the suggestion while looking at one of its
 * variations, so that one is less likely than the rest (the likelihood term log(1 - p(dismissed)), whose
 * gradient moves the weights away from the dismissed variation's standardised figures towards the others'). A
 * band that dismisses the dense ones sees dense variations ranked lower. A dismissal without the variation
 * looked at (older rows) says which set was unwanted, not which variation, and teaches nothing.
 *
 * Pure: the server fits a band's model from that band's decisions only (ai/decisions.ts), per suggestion.
 */
import { FEATURES, type Feature, type FeatureVector } from './variation-features'

export const PRIOR_WEIGHTS: FeatureVector = {
  likelihood: 1,
  inKey: 1,
  rhythm: 0.5,
  register: 0.5,
  density: 0,
}
const PRIOR_PRECISION = 1
const FIT_STEPS = 150
const STEP_SIZE = 0.5
/** Decisions a band must have made before a variation may say it is "like ones you kept". */
export const LEARNED_AFTER = 3

export interface Decision {
  /** Every variation the band was offered, as measured when it was offered. */
  readonly variations: readonly FeatureVector[]
  /** The index of the one it kept; null when it dismissed the suggestion. */
  readonly kept: number | null
  /** On a dismissal, the index of the variation it was looking at (the one it rejected); null: not known. */
  readonly dismissed?: number | null
}

const validIndex = (i: number | null | undefined, d: Decision): i is number =>
  typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < d.variations.length

/** The variation a decision is about, and whether it was kept (true) or dismissed (false); null: unusable. */
function evidence(d: Decision): { index: number; kept: boolean } | null {
  if (d.variations.length < 2) return null
  if (d.kept !== null) return validIndex(d.kept, d) ? { index: d.kept, kept: true } : null
  return validIndex(d.dismissed, d) ? { index: d.dismissed, kept: false } : null
}

export interface BandModel {
  readonly weights: FeatureVector
  /** Decisions it was fitted on. */
  readonly decisions: number
}

export interface RankedVariation {
  /** Index in the list given to rankVariations. */
  readonly index: number
  readonly score: number
  /** Short reasons, strongest first ("in key", "follows your rhythm", "like ones you kept"). */
  readonly reasons: readonly string[]
}

/** Each feature as z-scores across one suggestion's variations (0 where they all agree). */
function standardise(set: readonly FeatureVector[]): number[][] {
  const columns = FEATURES.map((f) => {
    const xs = set.map((v) => (Number.isFinite(v[f]) ? v[f] : 0))
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length)
    return xs.map((x) => (sd > 1e-9 ? (x - mean) / sd : 0))
  })
  return set.map((_, i) => columns.map((c) => c[i] ?? 0))
}

const dot = (w: readonly number[], x: readonly number[]): number =>
  w.reduce((s, wj, j) => s + wj * (x[j] ?? 0), 0)

const asVector = (w: FeatureVector): number[] => FEATURES.map((f) => w[f])
const asWeights = (w: readonly number[]): FeatureVector =>
  Object.fromEntries(FEATURES.map((f, j) => [f, w[j] ?? 0])) as Record<Feature, number>

/** The band's model fitted on its decisions (its prior when it has none). */
export function learnBandModel(decisions: readonly Decision[]): BandModel {
  const usable = decisions.flatMap((d) => {
    const e = evidence(d)
    return e === null ? [] : [{ variations: d.variations, ...e }]
  })
  if (usable.length === 0) return { weights: PRIOR_WEIGHTS, decisions: 0 }
  const F = FEATURES.length
  // Flat arrays, standardised once: the fit below runs FIT_STEPS passes over them without allocating.
  const offsets = new Int32Array(usable.length + 1)
  usable.forEach((d, k) => {
    offsets[k + 1] = (offsets[k] ?? 0) + d.variations.length
  })
  const x = new Float64Array((offsets[usable.length] ?? 0) * F)
  const chosenRow = new Int32Array(usable.length)
  const keptIt = usable.map((d) => d.kept)
  usable.forEach((d, k) => {
    const base = offsets[k] ?? 0
    standardise(d.variations).forEach((row, i) => {
      x.set(row, (base + i) * F)
    })
    chosenRow[k] = base + d.index
  })
  const prior = Float64Array.from(asVector(PRIOR_WEIGHTS))
  const w = Float64Array.from(prior)
  const grad = new Float64Array(F)
  const scores = new Float64Array(Math.max(...usable.map((d) => d.variations.length)))
  const scale = STEP_SIZE / (usable.length + PRIOR_PRECISION)
  // Gradient ascent on the log posterior; it is concave, so plain steps converge. Scaled per decision so the
  // step size does not depend on how many there are.
  for (let step = 0; step < FIT_STEPS; step++) {
    for (let j = 0; j < F; j++) grad[j] = -PRIOR_PRECISION * ((w[j] ?? 0) - (prior[j] ?? 0))
    for (let k = 0; k < usable.length; k++) {
      const from = offsets[k] ?? 0
      const to = offsets[k + 1] ?? 0
      let top = Number.NEGATIVE_INFINITY
      for (let i = from; i < to; i++) {
        let s = 0
        for (let j = 0; j < F; j++) s += (w[j] ?? 0) * (x[i * F + j] ?? 0)
        scores[i - from] = s
        if (s > top) top = s
      }
      let total = 0
      for (let i = from; i < to; i++) {
        const e = Math.exp((scores[i - from] ?? 0) - top)
        scores[i - from] = e
        total += e
      }
      const chosen = chosenRow[k] ?? 0
      const e = scores[chosen - from] ?? 0
      for (let j = 0; j < F; j++) {
        let weighted = 0
        for (let i = from; i < to; i++) weighted += (scores[i - from] ?? 0) * (x[i * F + j] ?? 0)
        const expected = weighted / total
        const xc = x[chosen * F + j] ?? 0
        // Kept: d/dw log p(chosen) = x_chosen - E[x]. Dismissed: d/dw log(1 - p(chosen)) = E[x | not chosen] - E[x].
        grad[j] =
          (grad[j] ?? 0) +
          (keptIt[k] ? xc - expected : (weighted - e * xc) / Math.max(total - e, 1e-12) - expected)
      }
    }
    for (let j = 0; j < F; j++) w[j] = (w[j] ?? 0) + scale * (grad[j] ?? 0)
  }
  return { weights: asWeights([...w]), decisions: usable.length }
}

/** Contribution above which a feature is worth naming as a reason. */
const REASON_FLOOR = 0.25

function reasonFor(feature: Feature, z: number, raw: FeatureVector): string | null {
  switch (feature) {
    case 'likelihood':
      return 'the model’s likeliest'
    case 'inKey':
      return raw.inKey >= 0.9 ? 'in key' : null
    case 'rhythm':
      return 'follows your rhythm'
    case 'register':
      return 'in the track’s register'
    case 'density':
      return z < 0 ? 'sparser' : 'busier'
  }
}

/** The variations, best first, each with its score and reasons. Ties keep the plugin's order. */
export function rankVariations(model: BandModel, variations: readonly FeatureVector[]): RankedVariation[] {
  if (variations.length === 0) return []
  const x = standardise(variations)
  const w = asVector(model.weights)
  const prior = asVector(PRIOR_WEIGHTS)
  const ranked = x.map((xi, index) => {
    const raw = variations[index] as FeatureVector
    const reasons = FEATURES.map((f, j) => ({ f, z: xi[j] ?? 0, c: (w[j] ?? 0) * (xi[j] ?? 0) }))
      .filter((r) => r.c > REASON_FLOOR)
      .sort((a, b) => b.c - a.c)
      .flatMap((r) => reasonFor(r.f, r.z, raw) ?? [])
      .slice(0, 2)
    // What the band's own decisions add over the prior: large and positive, the variation is of a kind it kept.
    const learned = dot(
      w.map((wj, j) => wj - (prior[j] ?? 0)),
      xi,
    )
    if (model.decisions >= LEARNED_AFTER && learned > 2 * REASON_FLOOR) reasons.push('like ones you kept')
    return { index, score: dot(w, xi), reasons }
  })
  return ranked.sort((a, b) => b.score - a.score || a.index - b.index)
}
