import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, Server } from 'node:http'
import { createHTTPServer } from '@trpc/server/adapters/standalone'
import type { InferenceConfig } from './config'
import type { Logger } from './log'
import { type HostOptions, PluginHost, type PluginRegistration } from './plugin-host'
import { inferenceRouter } from './router'
import { initTfjsBackend } from './tfjs-backend'
import { type ArchiveSource, webArchiveSource } from './third-party/archive-source'

/**
 * A full suggest body: 33 tracks of 4096 notes is about 8 MB of JSON; a third-party archive of 8 MiB is
 * about 11 MB in base64. Nothing legitimate is larger.
 */
const MAX_BODY_BYTES = 12 * 1024 * 1024

function bearerMatches(req: IncomingMessage, secret: string): boolean {
  const header = req.headers.authorization ?? ''
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '')
  const expected = Buffer.from(secret)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

export interface RunningInference {
  server: Server
  url: string
  backend: string
  host: PluginHost
  close(): Promise<void>
}

export interface StartOptions {
  /** The plugins to serve; `main.ts` passes the first-party list, tests pass their own. */
  plugins?: readonly PluginRegistration[]
  /** Sandbox limits, shares and strike policy for third-party plugins (tests tighten them). */
  sandbox?: HostOptions['sandbox']
  /** Where missing third-party archives come from; by default the web server at `archivesUrl`. */
  archives?: ArchiveSource
}

export async function startInference(
  config: InferenceConfig,
  log: Logger,
  options: StartOptions = {},
): Promise<RunningInference> {
  const backend = await initTfjsBackend(config.backend, log)
  // Model files are checked against their digests before the port opens; each plugin's models load and
  // warm up on its first call (plugin-host.ts), which pays for it once (docs/BENCHMARKS.md, "Memory").
  const host = await PluginHost.start(options.plugins ?? [], {
    batching: { windowMs: config.batchWindowMs, maxBatch: config.batchMax },
    admission: {
      running: config.maxRunning,
      runningPerCaller: config.maxRunningPerUser,
      inFlight: config.maxPending,
      inFlightPerCaller: config.maxPendingPerUser,
    },
    maxDeadlineMs: config.maxDeadlineMs,
    log,
    dataDir: config.dataDir,
    archives: options.archives ?? webArchiveSource({ url: config.archivesUrl, secret: config.secret }),
    sandbox: {
      sandboxThreads: config.sandboxThreads,
      sandboxMemoryBytes: config.sandboxMemoryMb * 1024 * 1024,
      ...options.sandbox,
    },
  })
  const startedAt = Date.now()
  const server = createHTTPServer({
    basePath: '/trpc/',
    router: inferenceRouter,
    maxBodySize: MAX_BODY_BYTES,
    createContext: ({ req }) => ({
      authorized: bearerMatches(req, config.secret),
      backend,
      startedAt,
      host,
      maxPending: config.maxPending,
    }),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') log.error('procedure failed', { path, err: error.message })
    },
  })
  // The web keeps one connection to us; Node's 5 s idle close races its next POST, which fetch does not retry.
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const url = `http://${config.host}:${port}/trpc`
  log.info('inference listening', { url, backend, plugins: host.list().length })
  return {
    server,
    url,
    backend,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }).then(() => host.close()),
  }
}
