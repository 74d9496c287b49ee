import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import type { BusMessage, BusStats, BusStatus, RoomBus } from './bus'
import { decodeBusMessage, encodeBusMessage } from './codec'

/**
 * `RoomBus` over Redis pub/sub: one channel per loaded room, two connections (a subscribed
 * connection cannot publish). Pub/sub rather than streams because nothing here needs to be
 * replayed: the update log in PostgreSQL is the replay source, so Redis holds no state and a
 * Redis restart loses nothing.
 *
 * While Redis is away: publishes are dropped at once (no offline queue that would grow without
 * bound and replay stale awareness), the subscriber reconnects with capped backoff and
 * re-subscribes its channels (ioredis `autoResubscribe`), then `onReconnect` listeners run so
 * rooms catch up from the database.
 */

export interface RedisBusOptions {
  url: string
  /** Prefix of channel names, so several deployments (or test runs) can share one Redis. */
  channelPrefix?: string
  log?: (line: string) => void
}

export class RedisBus implements RoomBus {
  readonly instanceId = randomUUID()
  readonly stats: BusStats = { published: 0, received: 0, dropped: 0, reconnects: 0 }
  private readonly pub: Redis
  private readonly sub: Redis
  private readonly handlers = new Map<string, (message: BusMessage) => void>()
  private readonly reconnectListeners: (() => void)[] = []
  private readonly prefix: string
  private readonly log: (line: string) => void
  private everReady = false
  private lastError = ''

  constructor(options: RedisBusOptions) {
    this.prefix = `${options.channelPrefix ?? 'ensemble:'}room:`
    this.log = options.log ?? ((line) => console.warn(line))
    // Capped backoff: Redis coming back is noticed within 1 s.
    const retryStrategy = (times: number) => Math.min(50 * times, 1000)
    this.pub = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy,
      connectionName: 'ensemble-pub',
    })
    this.sub = new Redis(options.url, {
      autoResubscribe: true,
      maxRetriesPerRequest: null,
      retryStrategy,
      connectionName: 'ensemble-sub',
    })
    for (const [name, conn] of [
      ['pub', this.pub],
      ['sub', this.sub],
    ] as const) {
      // Without a listener ioredis prints every failed reconnect; log a state change once.
      conn.on('error', (err: Error) => {
        const text = `${name}: ${err.message}`
        if (text !== this.lastError) this.log(`[fanout] redis ${text}`)
        this.lastError = text
      })
    }
    this.sub.on('ready', () => {
      this.lastError = ''
      if (!this.everReady) {
        this.everReady = true
        return
      }
      this.stats.reconnects++
      this.log('[fanout] redis reconnected: catching rooms up from the database')
      for (const listener of this.reconnectListeners) listener()
    })
    this.sub.on('messageBuffer', (channel: Buffer, payload: Buffer) => this.onMessage(channel, payload))
  }

  get status(): BusStatus {
    if (this.sub.status === 'ready' && this.pub.status === 'ready') return 'ready'
    if (this.sub.status === 'end' || this.pub.status === 'end') return 'down'
    return this.everReady ? 'down' : 'connecting'
  }

  async join(projectId: string, onMessage: (message: BusMessage) => void): Promise<void> {
    this.handlers.set(this.prefix + projectId, onMessage)
    await this.sub.subscribe(this.prefix + projectId)
  }

  leave(projectId: string): void {
    const channel = this.prefix + projectId
    if (!this.handlers.delete(channel)) return
    this.sub.unsubscribe(channel).catch(() => {})
  }

  publish(projectId: string, message: BusMessage): void {
    if (this.pub.status !== 'ready') {
      this.stats.dropped++
      return
    }
    this.stats.published++
    const payload = Buffer.from(encodeBusMessage(this.instanceId, message))
    this.pub.publish(this.prefix + projectId, payload).catch(() => {
      this.stats.dropped++
    })
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener)
  }

  /** Round trip to Redis, for readiness; false (not a throw) when it is away or slow. */
  async ping(timeoutMs = 1000): Promise<boolean> {
    if (this.pub.status !== 'ready') return false
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs)
    })
    try {
      return await Promise.race([this.pub.ping().then((r) => r === 'PONG'), timeout])
    } catch {
      return false
    } finally {
      clearTimeout(timer)
    }
  }

  async close(): Promise<void> {
    this.handlers.clear()
    this.pub.disconnect()
    this.sub.disconnect()
  }

  private onMessage(channel: Buffer, payload: Buffer): void {
    const handler = this.handlers.get(channel.toString())
    if (handler === undefined) return
    const decoded = decodeBusMessage(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength))
    if (decoded === null || decoded.instanceId === this.instanceId) return
    this.stats.received++
    try {
      handler(decoded.message)
    } catch (err) {
      this.log(
        `[fanout] handler for ${channel.toString()} failed: ${err instanceof Error ? err.stack : String(err)}`,
      )
    }
  }
}
