/*
 * A variation's model likelihood, as the plugin contract reports it (`likelihood` on a suggestion: the mean
 * natural-log probability per sampled step under the model that drew it). The step runtimes return each
 * step's log-probability beside its draw (output 2), computed at temperature 1 with the step's logit offsets
 * applied, so the figure says how likely the model itself finds the variation whatever temperature drew it:
 * a cold draw follows the model's likeliest path and scores higher than a hot one.
 */

/** Sums the log-probabilities of one variation's new steps; the sampler adds one per step it keeps. */
export class Likelihood {
  private total = 0
  private steps = 0

  add(logProb: number): void {
    if (!Number.isFinite(logProb)) return
    this.total += logProb
    this.steps++
  }

  /** Mean log-probability per step; undefined when no step was drawn (nothing to report). */
  mean(): number | undefined {
    return this.steps === 0 ? undefined : Math.min(0, this.total / this.steps)
  }
}

/** The field a suggestion carries, present only when something was sampled. */
export function likelihoodField(likelihood: Likelihood): { likelihood?: number } {
  const mean = likelihood.mean()
  return mean === undefined ? {} : { likelihood: mean }
}

/** log sigmoid(z), stable for large |z| (a NEVER offset is -1e9). */
function logSigmoid(z: number): number {
  return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z))
}

/** Log-probability of a Bernoulli frame: `on` drawn from logits `z` (conditional logits, offsets applied). */
export function bernoulliLogProb(z: Float32Array, on: Float32Array): number {
  let sum = 0
  for (let k = 0; k < z.length; k++) sum += on[k] ? logSigmoid(z[k]!) : logSigmoid(-z[k]!)
  return sum
}

/** log softmax(z)[pick] at temperature 1. */
export function categoricalLogProb(z: Float32Array, pick: number): number {
  let max = Number.NEGATIVE_INFINITY
  for (let c = 0; c < z.length; c++) if (z[c]! > max) max = z[c]!
  let total = 0
  for (let c = 0; c < z.length; c++) total += Math.exp(z[c]! - max)
  return z[pick]! - max - Math.log(total)
}
