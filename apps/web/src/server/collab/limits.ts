/** Limits that protect the server from one client: pure counters, time passed in explicitly. */

export interface CollabLimits {
  /** Largest WebSocket frame in bytes; `ws` closes bigger ones with 1009. */
  maxPayloadBytes: number
  /** Token bucket per connection: sustained messages per second and burst size. */
  messagesPerSecond: number
  messageBurst: number
  /**
   * Live jam notes (message type 106) per connection: their own token bucket. A client over it has the
   * excess dropped and counted (a "notes dropped" notice), never closed: a stuck key must not end a jam.
   */
  jamNotesPerSecond: number
  jamNoteBurst: number
  /** Open WebSocket connections per user id on this server. */
  maxConnectionsPerUser: number
  /** Upgrades being authenticated or waiting for their room to load. */
  maxPendingUpgrades: number
}

export const defaultLimits: CollabLimits = {
  maxPayloadBytes: 2 * 1024 * 1024,
  messagesPerSecond: 200,
  messageBurst: 1000,
  jamNotesPerSecond: 100,
  jamNoteBurst: 200,
  maxConnectionsPerUser: 20,
  maxPendingUpgrades: 64,
}

/** Classic token bucket: `take` fails once the burst is spent faster than the refill rate. */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst
    this.last = now
  }

  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.last) / 1000
    this.last = now
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.ratePerSecond)
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

/** Counts open connections per key (user id) against a cap. */
export class KeyedCounter {
  private readonly counts = new Map<string, number>()

  constructor(private readonly max: number) {}

  tryAcquire(key: string): boolean {
    const n = this.counts.get(key) ?? 0
    if (n >= this.max) return false
    this.counts.set(key, n + 1)
    return true
  }

  release(key: string): void {
    const n = (this.counts.get(key) ?? 0) - 1
    if (n <= 0) this.counts.delete(key)
    else this.counts.set(key, n)
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0
  }
}

/** A plain semaphore without waiting: over the cap, the caller refuses instead of queueing. */
export class Gate {
  private active = 0

  constructor(private readonly max: number) {}

  tryEnter(): boolean {
    if (this.active >= this.max) return false
    this.active++
    return true
  }

  leave(): void {
    this.active = Math.max(0, this.active - 1)
  }

  get size(): number {
    return this.active
  }
}
