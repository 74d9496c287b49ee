/**
 * Per-user rate limits for comments and chat on this instance: at most `perMinute` in any sliding
 * minute. Checked before anything is read or written, so a flood costs no database work. Across
 * instances the router also counts the user's rows of the last minute (`store.ts`), which bounds a user
 * who spreads a flood over instances to about the same rate.
 */
export class PerUserRate {
  private readonly recent = new Map<string, number[]>()

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one action for `userId`; false (and not counted) when over the limit. */
  take(userId: string): boolean {
    const now = this.now()
    const since = now - 60_000
    const times = (this.recent.get(userId) ?? []).filter((t) => t > since)
    if (times.length >= this.perMinute) {
      this.recent.set(userId, times)
      return false
    }
    times.push(now)
    this.recent.set(userId, times)
    // Forget users who went quiet, so the map stays as small as the active users.
    if (this.recent.size > 10_000)
      for (const [user, list] of this.recent) if ((list.at(-1) ?? 0) <= since) this.recent.delete(user)
    return true
  }
}

export interface DiscussionRates {
  comments: PerUserRate
  chat: PerUserRate
}
