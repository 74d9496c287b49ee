/*
 * Ranking cost per variation (issue 25): what the server adds to ai.suggest to order a plugin's variations for
 * the band (core band-ranker.ts, variation-features.ts). Three parts, each timed over many runs:
 *   features  measuring one variation against the song (per variation)
 *   fit       fitting the band's model on its last N decisions (once per suggestion; N = 0, 20, 200)
 *   rank      ordering a suggestion's variations with reasons (per variation)
 * Pure CPU, no database: the decisions query is one indexed SELECT of at most 200 rows (ai/band-decisions.ts).
 * Each variation carries the plugin's likelihood (its mean log-probability per step, as the first-party model
 * plugins report it), and a quarter of the decisions are dismissals naming the variation on screen, as the
 * studio reports them: the figures are those of the ranker as it runs with both.
 *   pnpm --filter @ensemble/bench exec tsx plugins/ranking.ts
 */
import {
  type Decision,
  type FeatureVector,
  learnBandModel,
  rankVariations,
  SIXTEENTH,
  type VariationContext,
  variationFeatures,
} from '@ensemble/core'
import type { NotesSuggestion } from '@ensemble/core/plugin'
import { createRandom } from '@ensemble/core/plugin/random'

const random = createRandom(1)
const BAR = 16 * SIXTEENTH

const context: VariationContext = {
  key: { tonic: 'D', mode: 'minor' },
  timeSignature: { numerator: 4, denominator: 4 },
  windowTicks: 8 * BAR,
  drums: false,
  bandOnsets: new Set([0, 2, 4, 6, 8, 10, 12, 14]),
  register: 67,
}

/** An 8-bar melody variation: about one note per eighth (64 notes). */
function melody(): NotesSuggestion {
  const notes = []
  for (let step = 0; step < 128; step += 2)
    if (random() < 0.9)
      notes.push({
        pitch: 60 + Math.floor(random() * 19),
        start: step * SIXTEENTH,
        duration: SIXTEENTH * 2,
        velocity: 90,
      })
  return { label: 'melody', notes }
}

function percentiles(xs: number[]): { p50: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b)
  return { p50: s[Math.floor(s.length * 0.5)] ?? 0, p95: s[Math.floor(s.length * 0.95)] ?? 0 }
}

function time(runs: number, work: () => void): { p50: number; p95: number } {
  for (let i = 0; i < Math.min(50, runs); i++) work()
  const out: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    work()
    out.push(performance.now() - t)
  }
  return percentiles(out)
}

const fmt = (x: { p50: number; p95: number }, per = 1) =>
  `p50 ${((x.p50 / per) * 1000).toFixed(1)} µs, p95 ${((x.p95 / per) * 1000).toFixed(1)} µs`

const VARIATIONS = 8
const variations = Array.from({ length: VARIATIONS }, melody)
/** A plugin's mean log-probability per step for a variation (the continue model's lie around -0.2 to -0.05). */
const likelihood = () => -0.05 - 0.15 * random()
const features: FeatureVector[] = variations.map((v) => variationFeatures(v, context, likelihood()))
const decisions = (n: number): Decision[] =>
  Array.from({ length: n }, () => {
    const offered = Array.from({ length: 4 }, () => variationFeatures(melody(), context, likelihood()))
    const pick = Math.floor(random() * 4)
    return random() < 0.25
      ? { variations: offered, kept: null, dismissed: pick }
      : { variations: offered, kept: pick }
  })

console.log(
  `ranking cost, ${VARIATIONS} variations of an 8-bar melody (~58 notes each); node ${process.version}`,
)
console.log(
  `features (per variation): ${fmt(time(2000, () => variationFeatures(variations[0] as NotesSuggestion, context, -0.1)))}`,
)
for (const n of [0, 20, 200]) {
  const set = decisions(n)
  const runs = n >= 200 ? 50 : 500
  console.log(`fit on ${n} decisions (per suggestion): ${fmt(time(runs, () => learnBandModel(set)))}`)
}
const model = learnBandModel(decisions(20))
console.log(
  `rank with reasons (per variation): ${fmt(
    time(2000, () => rankVariations(model, features)),
    VARIATIONS,
  )}`,
)
const fit200 = decisions(200)
const whole = time(50, () =>
  rankVariations(
    learnBandModel(fit200),
    variations.map((v) => variationFeatures(v, context, likelihood())),
  ),
)
console.log(
  `whole ranking at 200 decisions, per variation: ${fmt(whole, VARIATIONS)} (per suggestion ${fmt(whole)})`,
)
