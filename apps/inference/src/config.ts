import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'

/** `webgpu` falls back to wasm where no GPU adapter is found (tfjs-backend.ts). */
export type TfjsBackendName = 'wasm' | 'webgpu' | 'cpu'

/**
 * The web server's internal endpoint for third-party archives, `GET <path>/<id>/<version>` with the shared
 * bearer secret, and the header that carries the SHA-256 the registry recorded: both sides read them here.
 */
export const ARCHIVES_PATH = '/internal/plugin-archives'
export const ARCHIVE_SHA256_HEADER = 'x-archive-sha256'

export interface InferenceConfig {
  port: number
  host: string
  dataDir: string
  /** Bearer secret shared with the web server; the browser never sees it. */
  secret: string
  /**
   * The web server's internal endpoint for third-party archives (`GET <url>/<id>/<version>`, the same bearer
   * secret): where the host fetches a published version it does not hold yet.
   */
  archivesUrl: string
  backend: TfjsBackendName
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  /** Suggest calls in flight (running or waiting their turn); one more is answered TOO_MANY_REQUESTS ("busy"). */
  maxPending: number
  /** Of those, the calls one user may have in flight. */
  maxPendingPerUser: number
  /** Suggest calls running at once; the others wait, and a freed slot goes to the next user in turn. */
  maxRunning: number
  /** Of those, the calls one user may have running. */
  maxRunningPerUser: number
  /** The longest a suggest may take, whatever deadline the caller asked for. */
  maxDeadlineMs: number
  /** How long the first example of a batch waits for others to join it. */
  batchWindowMs: number
  /** A batch runs as soon as it holds this many examples; 1 turns micro-batching off. */
  batchMax: number
  /** Worker threads that run sandboxed third-party calls; a plugin stuck in one delays only that one's calls. */
  sandboxThreads: number
  /** The QuickJS memory all sandbox threads together may hold (each gets an equal share), in MiB. */
  sandboxMemoryMb: number
}

const envSchema = z.object({
  INFERENCE_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  INFERENCE_HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().optional(),
  INFERENCE_SECRET: z.string().min(16).optional(),
  INFERENCE_ARCHIVES_URL: z.url().default(`http://127.0.0.1:3000${ARCHIVES_PATH}`),
  TFJS_BACKEND: z.enum(['wasm', 'webgpu', 'cpu']).default('wasm'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  INFERENCE_MAX_PENDING: z.coerce.number().int().min(1).max(10_000).default(64),
  INFERENCE_MAX_PENDING_PER_USER: z.coerce.number().int().min(1).max(10_000).default(8),
  INFERENCE_MAX_RUNNING: z.coerce.number().int().min(1).max(10_000).default(32),
  INFERENCE_MAX_RUNNING_PER_USER: z.coerce.number().int().min(1).max(10_000).default(4),
  INFERENCE_MAX_DEADLINE_MS: z.coerce.number().int().min(10).max(600_000).default(10_000),
  INFERENCE_BATCH_WINDOW_MS: z.coerce.number().min(0).max(1000).default(0),
  INFERENCE_BATCH_MAX: z.coerce.number().int().min(1).max(1024).default(32),
  INFERENCE_SANDBOX_THREADS: z.coerce.number().int().min(1).max(16).default(2),
  INFERENCE_SANDBOX_MEMORY_MB: z.coerce.number().int().min(32).max(16_384).optional(),
})

/** The workspace root, so that every app agrees on the default data folder whatever its cwd. */
export function findRepoRoot(start = process.cwd()): string {
  let dir = path.resolve(start)
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const parent = path.dirname(dir)
    if (parent === dir) return path.resolve(start)
    dir = parent
  }
  return dir
}

/**
 * The web server and the inference service must share one bearer secret. When the operator sets
 * none, the first process to start writes a random one into the data folder and both read it, so a
 * fresh checkout works without configuration and the secret never appears in the repository.
 */
export function sharedInferenceSecret(dataDir: string, fromEnv?: string): string {
  if (fromEnv) return fromEnv
  const file = path.join(dataDir, 'secrets', 'inference-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  const secret = randomBytes(32).toString('base64url')
  try {
    writeFileSync(file, secret, { flag: 'wx', mode: 0o600 })
    return secret
  } catch {
    // Another process won the race to create it; theirs is the one both must use.
    return readFileSync(file, 'utf8').trim()
  }
}

export function loadInferenceConfig(env: NodeJS.ProcessEnv = process.env): InferenceConfig {
  const result = envSchema.safeParse(env)
  // One line per bad variable, naming it, rather than zod's JSON dump of the issues.
  if (!result.success) throw new Error(`invalid inference configuration:\n${z.prettifyError(result.error)}`)
  const parsed = result.data
  const dataDir = path.resolve(parsed.DATA_DIR ?? path.join(findRepoRoot(), '.data'))
  return {
    port: parsed.INFERENCE_PORT,
    host: parsed.INFERENCE_HOST,
    dataDir,
    secret: sharedInferenceSecret(dataDir, parsed.INFERENCE_SECRET),
    archivesUrl: parsed.INFERENCE_ARCHIVES_URL,
    backend: parsed.TFJS_BACKEND,
    logLevel: parsed.LOG_LEVEL,
    maxPending: parsed.INFERENCE_MAX_PENDING,
    maxPendingPerUser: parsed.INFERENCE_MAX_PENDING_PER_USER,
    maxRunning: parsed.INFERENCE_MAX_RUNNING,
    maxRunningPerUser: parsed.INFERENCE_MAX_RUNNING_PER_USER,
    maxDeadlineMs: parsed.INFERENCE_MAX_DEADLINE_MS,
    batchWindowMs: parsed.INFERENCE_BATCH_WINDOW_MS,
    batchMax: parsed.INFERENCE_BATCH_MAX,
    sandboxThreads: parsed.INFERENCE_SANDBOX_THREADS,
    // 112 MiB a thread unless set (sandbox-thread.ts says why).
    sandboxMemoryMb: parsed.INFERENCE_SANDBOX_MEMORY_MB ?? parsed.INFERENCE_SANDBOX_THREADS * 112,
  }
}
