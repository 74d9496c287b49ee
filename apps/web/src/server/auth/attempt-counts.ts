import { sql } from 'drizzle-orm'
import { Redis } from 'ioredis'
import type pg from 'pg'
import type { Db } from '../db'

/*
 * Counted attempts (sign-in, sign-up) per key, a fixed window per key: the storage behind better-auth's
 * per-address limit and our per-email one (auth.ts). It must be shared by every web instance, or a client
 * spreading its attempts over N instances gets N times the limit: the database every instance already
 * shares (one upsert per attempt), or Redis when REDIS_URL is set (one script call, no database query).
 * The shape is better-auth's `customStorage`.
 */

export interface AttemptRule {
  /** Seconds. */
  window: number
  max: number
}

export interface AttemptCounts {
  /** Counts one attempt; refused (with the seconds until the window ends) once the window holds `max`. */
  consume(key: string, rule: AttemptRule): Promise<{ allowed: boolean; retryAfter: number | null }>
  close(): Promise<void>
}

const verdict = (count: number, max: number, retryAfterS: number) =>
  count <= max
    ? { allowed: true, retryAfter: null }
    : { allowed: false, retryAfter: Math.max(1, retryAfterS) }

/** Rows whose window ended are deleted every this many attempts (a key seen again starts a new window anyway). */
const pruneEvery = 500

export function databaseAttemptCounts(db: Db): AttemptCounts {
  let attempts = 0
  let longestWindow = 0
  return {
    async consume(key, rule) {
      longestWindow = Math.max(longestWindow, rule.window)
      if (++attempts % pruneEvery === 0)
        await db.execute(
          sql`delete from auth_attempts where window_start < now() - make_interval(secs => ${longestWindow})`,
        )
      // One statement: a new key, a key whose window ended (start again at 1) and a key inside its window
      // (one more) are all decided by the row lock the upsert takes, so concurrent attempts on any
      // instance are each counted once.
      const result = await db.execute(sql`
        insert into auth_attempts (key, count, window_start) values (${key}, 1, now())
        on conflict (key) do update set
          count = case when auth_attempts.window_start <= now() - make_interval(secs => ${rule.window})
            then 1 else auth_attempts.count + 1 end,
          window_start = case when auth_attempts.window_start <= now() - make_interval(secs => ${rule.window})
            then now() else auth_attempts.window_start end
        returning count,
          ceil(extract(epoch from auth_attempts.window_start + make_interval(secs => ${rule.window}) - now()))::int
            as retry_after`)
      const [row] = (result as unknown as pg.QueryResult<{ count: number; retry_after: number }>).rows
      if (!row) throw new Error('the attempt upsert returned no row')
      return verdict(row.count, rule.max, row.retry_after)
    },
    async close() {},
  }
}

/** INCR, and the window's expiry on its first attempt; returns the count and the milliseconds left. */
const consumeScript = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); left = tonumber(ARGV[1]) end
return { count, left }
`

export function redisAttemptCounts(url: string, prefix: string): AttemptCounts {
  // While Redis is away an attempt fails after one retry (a 500 the client may retry) rather than
  // being let through uncounted, which would lift the limit.
  const redis = new Redis(url, { maxRetriesPerRequest: 1 })
  redis.on('error', () => {})
  return {
    async consume(key, rule) {
      const [count, leftMs] = (await redis.eval(
        consumeScript,
        1,
        `${prefix}auth-attempts:${key}`,
        String(rule.window * 1000),
      )) as [number, number]
      return verdict(count, rule.max, Math.ceil(leftMs / 1000))
    },
    async close() {
      redis.disconnect()
    },
  }
}
