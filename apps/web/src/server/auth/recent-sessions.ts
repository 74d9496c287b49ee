import type { SessionUser } from './auth'

/*
 * Sessions this server verified in the last few seconds, by their cookie, for `ai.suggest` only (api/route.ts).
 * Beside a user with suggestions running, every call's session lookup queued on the embedded database's one
 * connection behind that user's own queries (docs/BENCHMARKS.md, "Fairness": the polite user's `session`
 * stage rose from ~15 to 250 ms p95), and that user's own lookups were part of the queue. A session read here
 * less than `ttlMs` ago is trusted again without a query.
 *
 * What that costs, and why it is bounded: a session ended elsewhere (on another instance, or revoked from
 * another device) may still ask for a suggestion here for up to `ttlMs` (5 s by default). Everything else is
 * checked afresh on every call: the role in the song (a removed member is refused at once), the song itself,
 * the limits. Any request this server's auth routes receive with the cookie (sign-out, a name or password
 * change) forgets it first, so signing out here takes effect at once. Every other procedure looks the
 * session up every time.
 */

interface Entry {
  user: SessionUser
  until: number
}

export class RecentSessions {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly ttlMs = 5000,
    /** Entries kept at most; the oldest go first (a flood of made-up cookies never gets here: they fail). */
    private readonly max = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user verified under this cookie within the last `ttlMs`, or undefined. */
  get(cookie: string): SessionUser | undefined {
    const entry = this.entries.get(cookie)
    if (entry === undefined) return undefined
    if (entry.until > this.now()) return entry.user
    this.entries.delete(cookie)
    return undefined
  }

  /** Remembers a session just verified by a lookup (never one that failed). */
  remember(cookie: string, user: SessionUser): void {
    if (this.ttlMs <= 0) return
    this.entries.delete(cookie)
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) this.entries.delete(oldest.value)
    }
    this.entries.set(cookie, { user, until: this.now() + this.ttlMs })
  }

  forget(cookie: string): void {
    this.entries.delete(cookie)
  }
}
