/*
 * Which waiting model steps run in the next batch, so that the model's time is shared per user, not per call,
 * and a user asking for one suggestion is served as if alone even beside a user running several.
 *
 * A step's cost grows with the batch it runs in (the harmonizer on the wasm backend: 6 ms for one example,
 * 10 ms for two, 22 ms for five; docs/BENCHMARKS.md, "Fairness"), so a batch that takes every waiting step
 * makes a user with one suggestion running pay for the four steps of a user beside them: their step took
 * 3.5 times its time alone. An equal share of each user's steps (one each) still made it pay 1.6 times.
 *
 * So each batch serves the users with the fewest steps waiting (a step at a time per running suggestion, so
 * the fewest suggestions running): as many steps from each as the one with the fewest can use, so two
 * users with four each still batch eight, and a user alone gets the whole batch. A user with more waiting
 * is passed over while someone with fewer waits, but never more than `patience` batches in a row: then one
 * of its steps joins the next batch. With the default of 3, a polite user's step runs alone three times in
 * four and beside one greedy step the fourth (about 1.15 times its cost alone), and the greedy user still
 * moves on, a step every four batches, until the polite one is done; then it has the model to itself.
 * Users the batch size cap left out keep their place at the front of the turn order for the next one.
 */

/** Steps waiting, each user's in arrival order; users in the order their turn comes. */
export class StepShares<T> {
  private readonly byUser = new Map<string, T[]>()
  /** Batches in a row each user with steps waiting was passed over for users with fewer. */
  private readonly passedOver = new Map<string, number>()
  private size = 0

  /** `patience`: the most batches in a row a user may be passed over for users with fewer steps waiting. */
  constructor(private readonly patience = 3) {}

  get waiting(): number {
    return this.size
  }

  add(user: string, step: T): void {
    const steps = this.byUser.get(user)
    if (steps) steps.push(step)
    else this.byUser.set(user, [step])
    this.size++
  }

  /** Removes and returns every waiting step that `keep` rejects (steps whose deadline passed). */
  drop(keep: (step: T) => boolean): T[] {
    const dropped: T[] = []
    for (const [user, steps] of this.byUser) {
      const kept: T[] = []
      for (const step of steps) (keep(step) ? kept : dropped).push(step)
      if (kept.length) this.byUser.set(user, kept)
      else {
        this.byUser.delete(user)
        this.passedOver.delete(user)
      }
    }
    this.size -= dropped.length
    return dropped
  }

  /**
   * The next batch, at most `maxBatch` steps: an equal share of the steps of every user with the fewest
   * waiting, and of every user passed over `patience` times in a row.
   */
  take(maxBatch: number): T[] {
    const users = [...this.byUser.keys()]
    if (users.length === 0) return []
    const waiting = (user: string) => this.byUser.get(user)!.length
    const fewest = Math.min(...users.map(waiting))
    const served = users.filter(
      (user) => waiting(user) === fewest || (this.passedOver.get(user) ?? 0) >= this.patience,
    )
    const share = Math.max(1, Math.min(fewest, Math.floor(maxBatch / served.length)))
    const batch: T[] = []
    for (const user of users) {
      if (!served.includes(user) || batch.length >= maxBatch) {
        this.passedOver.set(user, (this.passedOver.get(user) ?? 0) + 1)
        continue
      }
      const steps = this.byUser.get(user)!
      batch.push(...steps.splice(0, Math.min(share, maxBatch - batch.length)))
      this.passedOver.delete(user)
      // Served users go to the back of the turn order; those left out keep their place at the front.
      this.byUser.delete(user)
      if (steps.length) this.byUser.set(user, steps)
    }
    this.size -= batch.length
    return batch
  }
}
