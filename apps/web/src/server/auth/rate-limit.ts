/**
 * better-auth's rate-limit storage for every path but sign-in and sign-up (those are counted where
 * all instances see them, attempt-counts.ts), one per server instance. Its built-in memory store is
 * a module-wide map, so two servers in one process (tests, or a restart in place) would share
 * counts; this keeps them apart. Rolling window per key (client IP + path), single-threaded so
 * check-and-increment is atomic.
 */

interface Entry {
  count: number
  windowStart: number
}

const maxEntries = 100_000

export function createRateLimitStorage() {
  const entries = new Map<string, Entry>()
  return {
    async consume(key: string, rule: { window: number; max: number }) {
      const now = Date.now()
      const windowMs = rule.window * 1000
      const entry = entries.get(key)
      if (entry === undefined || now - entry.windowStart >= windowMs) {
        if (entries.size >= maxEntries) prune(entries, now, windowMs)
        entries.set(key, { count: 1, windowStart: now })
        return { allowed: true, retryAfter: null }
      }
      if (entry.count >= rule.max)
        return { allowed: false, retryAfter: Math.ceil((entry.windowStart + windowMs - now) / 1000) }
      entry.count++
      return { allowed: true, retryAfter: null }
    },
  }
}

function prune(entries: Map<string, Entry>, now: number, windowMs: number): void {
  for (const [key, entry] of entries) if (now - entry.windowStart >= windowMs) entries.delete(key)
  // Still full (a flood of distinct keys): drop the oldest rather than grow without bound.
  for (const key of entries.keys()) {
    if (entries.size < maxEntries) break
    entries.delete(key)
  }
}
