/*
 * Which waiting model steps run in the next batch, so that the model's time is shared per user, not per call.
 *
 * A step's cost grows with the batch it runs in (the harmonizer on the wasm backend: 6 ms for one example,
 * 10 ms for two, 22 ms for five; docs/BENCHMARKS.md, "Fairness"), so a batch that takes every waiting step
 * makes a user with one suggestion running pay for the four steps of a user beside them: their step took
 * 3.5 times its time alone. Instead, each batch takes the same number of steps from every user with steps
 * waiting: as many as the user with the fewest can use (at least one), so a user with one suggestion meets a
 * batch of two, not five, and two users with four each still batch eight. Steps a user queued past that
 * share wait for a later batch, in their order; a user alone gets the whole batch. Users the batch size cap
 * left out come first in the next one, so no one is skipped twice in a row.
 */

/** Steps waiting, each user's in arrival order; users in the order their turn comes. */
export class StepShares<T> {
  private readonly byUser = new Map<string, T[]>()
  private size = 0

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
      else this.byUser.delete(user)
    }
    this.size -= dropped.length
    return dropped
  }

  /** The next batch: an equal share of every waiting user's steps, at most `maxBatch` in all. */
  take(maxBatch: number): T[] {
    const users = [...this.byUser.keys()]
    if (users.length === 0) return []
    const fewest = Math.min(...users.map((user) => this.byUser.get(user)!.length))
    const share = Math.max(1, Math.min(fewest, Math.floor(maxBatch / users.length)))
    const batch: T[] = []
    for (const user of users) {
      if (batch.length >= maxBatch) break
      const steps = this.byUser.get(user)!
      batch.push(...steps.splice(0, Math.min(share, maxBatch - batch.length)))
      // Served users go to the back of the turn order; those the cap left out keep their place at the front.
      this.byUser.delete(user)
      if (steps.length) this.byUser.set(user, steps)
    }
    this.size -= batch.length
    return batch
  }
}
