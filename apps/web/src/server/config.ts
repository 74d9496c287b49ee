import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ObjectStoreConfig, objectStoreConfig } from './assets/object-store'
import type { CollabLimits } from './collab/limits'
import { defaultLimits } from './collab/limits'
import type { CompactionPolicy } from './collab/room-log'
import type { DatabaseConfig } from './db'
import { defaultSuggestionLimits, type SuggestionLimits } from './quotas/suggestions-in-flight'

/** Everything the server reads from the environment, parsed once at start. */
export interface ServerConfig {
  port: number
  host: string
  dev: boolean
  /** Serve the Next.js app (off for collab-only processes such as the crash tests). */
  next: boolean
  dataDir: string
  database: DatabaseConfig
  /** COLLAB_SECRET, or null: then `resolveCollabSecret` generates and persists one. */
  collabSecret: string | null
  /** BETTER_AUTH_SECRET, or null: then `resolveAuthSecret` generates and persists one. */
  authSecret: string | null
  /**
   * ENSEMBLE_ORIGINS (comma-separated), or null: then the origins the server listens on
   * (http://HOST:PORT and, for a loopback host, http://localhost:PORT and http://127.0.0.1:PORT).
   * Browsers may only write (HTTP) or connect (WebSocket) from these.
   */
  origins: string[] | null
  /** Lifetime of a room token; the studio renews it at half-life. */
  roomTokenTtlSeconds: number
  /** How often open connections are checked against membership changed on other instances. */
  membershipSweepMs: number
  /**
   * COLLAB_TOKEN_ONLY_ROOMS=1: a room token for an id that has no project row is trusted as it
   * stands (protocol benches and tests, which need no accounts). Off by default: then every token
   * for a project that does not exist, or was deleted, is refused at the upgrade.
   */
  tokenOnlyRooms: boolean
  /** DELETED_PROJECT_RETENTION_DAYS: how long the owner can restore a deleted project before the purge. */
  deletedRetentionDays: number
  /** PURGE_INTERVAL_MS: how often deleted projects past their retention are purged. */
  purgeIntervalMs: number
  /**
   * COLLAB_MEMBERSHIP_STALE_MS: while the database is unreachable, a member whose membership this
   * instance read within this long may still join a room loaded here (0: never).
   */
  membershipStaleMs: number
  /** Sign-in / sign-up attempts per IP per window, and the window in seconds. */
  authRateLimit: { max: number; windowSeconds: number }
  /** AUTH_EMAIL_RATE_LIMIT_*: sign-in / sign-up attempts per email address per window, from any client. */
  authEmailRateLimit: { max: number; windowSeconds: number }
  limits: CollabLimits
  compaction: CompactionPolicy
  idleUnloadMs: number
  /**
   * COLLAB_PREWARM_MINUTES / COLLAB_PREWARM_ROOMS: at start, before listening, load the rooms of the songs
   * edited in the last minutes (at most this many), so their bands reconnect to a song already in memory.
   */
  prewarm: { withinMs: number; rooms: number }
  /** COLLAB_COMMIT_WINDOW_MS: how long a group commit waits for more edits before it starts. */
  commitWindowMs: number
  shutdownFlushMs: number
  /** REDIS_URL, or null: a single instance, no fan-out (see docs/ARCHITECTURE.md, Scale-out). */
  redisUrl: string | null
  /** REDIS_CHANNEL_PREFIX: namespaces the pub/sub channels of one deployment. */
  redisChannelPrefix: string
  /** COLLAB_CATCH_UP_MS: how often a scaled-out instance catches every room up from the log. */
  catchUpMs: number
  /** COLLAB_HEARTBEAT_MS: ping interval; a client that missed one ping is dropped at the next. */
  heartbeatMs: number
  /** INFERENCE_URL: the inference service's tRPC endpoint (apps/inference). */
  inferenceUrl: string
  /**
   * INFERENCE_SECRET, or null: then the bearer secret the two processes share through
   * DATA_DIR/secrets (`sharedInferenceSecret`), so a fresh checkout needs no configuration.
   */
  inferenceSecret: string | null
  /** AI_MAX_SUGGESTIONS_PER_USER / _PER_PROJECT: suggestions running at once per user and per song. */
  suggestionLimits: SuggestionLimits
  /** Audio assets (server/assets/): sizes, quota and the sweep of abandoned uploads. */
  assets: AssetLimits
}

export interface AssetLimits {
  /** ENSEMBLE_MAX_ASSET_MB (200): the largest audio file one upload may be. */
  maxAssetBytes: number
  /** ENSEMBLE_PROJECT_QUOTA_MB (2048): what one project's assets, uploads in progress and peaks may take. */
  projectQuotaBytes: number
  /** ASSET_UPLOAD_EXPIRY_HOURS (24): an upload untouched this long is swept. */
  uploadExpiryMs: number
  /** ASSET_SWEEP_INTERVAL_MS: how often abandoned uploads and unlinked assets are swept. */
  sweepIntervalMs: number
  /** ASSET_S3_*: an S3-compatible store for finished assets (server/assets/object-store.ts); null: the database. */
  objectStore: ObjectStoreConfig | null
}

type Env = Readonly<Record<string, string | undefined>>

/** The repository root (apps/web/src/server → ../../../..). */
export const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url))
export const webAppDir = fileURLToPath(new URL('../..', import.meta.url))

/** Pure: env + argv → config. Throws with the variable name on a bad number. */
export function loadConfig(env: Env, argv: readonly string[] = []): ServerConfig {
  // `pnpm dev` passes --dev; `pnpm start` sets NODE_ENV=production and needs a `next build`.
  const dev = argv.includes('--dev') || env.NODE_ENV === 'development'
  const dataDir = path.resolve(env.DATA_DIR ?? path.join(repoRoot, '.data'))
  const databaseUrl = env.DATABASE_URL
  return {
    port: int(env, 'PORT', 3000),
    host: env.HOST ?? '127.0.0.1',
    dev,
    next: env.ENSEMBLE_NEXT !== '0' && !argv.includes('--no-next'),
    dataDir,
    database:
      databaseUrl !== undefined && databaseUrl !== ''
        ? { driver: 'postgres', url: databaseUrl }
        : { driver: 'pglite', dataDir: path.join(dataDir, 'pglite') },
    collabSecret: env.COLLAB_SECRET !== undefined && env.COLLAB_SECRET !== '' ? env.COLLAB_SECRET : null,
    authSecret:
      env.BETTER_AUTH_SECRET !== undefined && env.BETTER_AUTH_SECRET !== '' ? env.BETTER_AUTH_SECRET : null,
    origins:
      env.ENSEMBLE_ORIGINS !== undefined && env.ENSEMBLE_ORIGINS.trim() !== ''
        ? env.ENSEMBLE_ORIGINS.split(',').map((o) => new URL(o.trim()).origin)
        : null,
    roomTokenTtlSeconds: int(env, 'ROOM_TOKEN_TTL_SECONDS', 600),
    membershipSweepMs: int(env, 'MEMBERSHIP_SWEEP_MS', 5000),
    tokenOnlyRooms: flag(env, 'COLLAB_TOKEN_ONLY_ROOMS'),
    deletedRetentionDays: int(env, 'DELETED_PROJECT_RETENTION_DAYS', 30),
    purgeIntervalMs: int(env, 'PURGE_INTERVAL_MS', 60 * 60 * 1000),
    membershipStaleMs: int(env, 'COLLAB_MEMBERSHIP_STALE_MS', 60_000),
    authRateLimit: {
      max: int(env, 'AUTH_RATE_LIMIT_MAX', 10),
      windowSeconds: int(env, 'AUTH_RATE_LIMIT_WINDOW_SECONDS', 60),
    },
    authEmailRateLimit: {
      max: int(env, 'AUTH_EMAIL_RATE_LIMIT_MAX', 10),
      windowSeconds: int(env, 'AUTH_EMAIL_RATE_LIMIT_WINDOW_SECONDS', 300),
    },
    limits: {
      maxPayloadBytes: int(env, 'COLLAB_MAX_PAYLOAD_BYTES', defaultLimits.maxPayloadBytes),
      messagesPerSecond: int(env, 'COLLAB_MESSAGES_PER_SECOND', defaultLimits.messagesPerSecond),
      messageBurst: int(env, 'COLLAB_MESSAGE_BURST', defaultLimits.messageBurst),
      jamNotesPerSecond: int(env, 'COLLAB_JAM_NOTES_PER_SECOND', defaultLimits.jamNotesPerSecond),
      jamNoteBurst: int(env, 'COLLAB_JAM_NOTE_BURST', defaultLimits.jamNoteBurst),
      maxConnectionsPerUser: int(env, 'COLLAB_MAX_CONNECTIONS_PER_USER', defaultLimits.maxConnectionsPerUser),
      maxPendingUpgrades: int(env, 'COLLAB_MAX_PENDING_UPGRADES', defaultLimits.maxPendingUpgrades),
    },
    compaction: {
      maxTailUpdates: int(env, 'COLLAB_COMPACT_AFTER_UPDATES', 500),
      maxTailBytes: int(env, 'COLLAB_COMPACT_AFTER_BYTES', 4 * 1024 * 1024),
    },
    idleUnloadMs: int(env, 'COLLAB_IDLE_UNLOAD_MS', 30_000),
    prewarm: {
      withinMs: int(env, 'COLLAB_PREWARM_MINUTES', 10) * 60_000,
      rooms: int(env, 'COLLAB_PREWARM_ROOMS', 20),
    },
    commitWindowMs: int(env, 'COLLAB_COMMIT_WINDOW_MS', 4),
    shutdownFlushMs: int(env, 'SHUTDOWN_FLUSH_MS', 10_000),
    redisUrl: env.REDIS_URL !== undefined && env.REDIS_URL !== '' ? env.REDIS_URL : null,
    redisChannelPrefix: env.REDIS_CHANNEL_PREFIX ?? 'ensemble:',
    catchUpMs: int(env, 'COLLAB_CATCH_UP_MS', 2000),
    heartbeatMs: int(env, 'COLLAB_HEARTBEAT_MS', 30_000),
    inferenceUrl:
      env.INFERENCE_URL !== undefined && env.INFERENCE_URL !== ''
        ? new URL(env.INFERENCE_URL).href.replace(/\/$/, '')
        : 'http://127.0.0.1:4100/trpc',
    inferenceSecret:
      env.INFERENCE_SECRET !== undefined && env.INFERENCE_SECRET !== '' ? env.INFERENCE_SECRET : null,
    suggestionLimits: {
      perUser: int(env, 'AI_MAX_SUGGESTIONS_PER_USER', defaultSuggestionLimits.perUser),
      perProject: int(env, 'AI_MAX_SUGGESTIONS_PER_PROJECT', defaultSuggestionLimits.perProject),
    },
    assets: {
      maxAssetBytes: int(env, 'ENSEMBLE_MAX_ASSET_MB', 200) * MiB,
      projectQuotaBytes: int(env, 'ENSEMBLE_PROJECT_QUOTA_MB', 2048) * MiB,
      uploadExpiryMs: int(env, 'ASSET_UPLOAD_EXPIRY_HOURS', 24) * 60 * 60 * 1000,
      sweepIntervalMs: int(env, 'ASSET_SWEEP_INTERVAL_MS', 60 * 60 * 1000),
      objectStore: objectStoreConfig(env),
    },
  }
}

const MiB = 1024 * 1024

/** Off unless set to 1 or true; anything else is a mistake worth stopping for. */
function flag(env: Env, name: string): boolean {
  const raw = env[name]
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false
  if (raw === '1' || raw === 'true') return true
  throw new Error(`${name} must be 1, true, 0 or false, got "${raw}"`)
}

function int(env: Env, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`)
  return value
}

/**
 * COLLAB_SECRET if set; otherwise one generated on first start and kept in DATA_DIR, so a
 * restart does not invalidate the room tokens clients hold.
 */
export function resolveCollabSecret(config: Pick<ServerConfig, 'collabSecret' | 'dataDir'>): string {
  return config.collabSecret ?? persistedSecret(config.dataDir, 'collab-secret')
}

/** BETTER_AUTH_SECRET if set; otherwise generated once and kept in DATA_DIR (sessions survive restarts). */
export function resolveAuthSecret(config: Pick<ServerConfig, 'authSecret' | 'dataDir'>): string {
  return config.authSecret ?? persistedSecret(config.dataDir, 'auth-secret')
}

function persistedSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name)
  try {
    const stored = readFileSync(file, 'utf8').trim()
    if (stored !== '') return stored
  } catch {
    // first start
  }
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  writeFileSync(file, `${secret}\n`, { mode: 0o600 })
  return secret
}
