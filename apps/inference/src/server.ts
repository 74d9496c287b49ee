import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, Server } from 'node:http'
import { createHTTPServer } from '@trpc/server/adapters/standalone'
import type { InferenceConfig } from './config'
import type { Logger } from './log'
import { inferenceRouter } from './router'
import { initTfjsBackend } from './tfjs-backend'

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
  close(): Promise<void>
}

export async function startInference(config: InferenceConfig, log: Logger): Promise<RunningInference> {
  const backend = await initTfjsBackend(config.backend)
  const startedAt = Date.now()
  const server = createHTTPServer({
    basePath: '/trpc/',
    router: inferenceRouter,
    createContext: ({ req }) => ({ authorized: bearerMatches(req, config.secret), backend, startedAt }),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') log.error('procedure failed', { path, err: error.message })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const url = `http://${config.host}:${port}/trpc`
  log.info('inference listening', { url, backend })
  return {
    server,
    url,
    backend,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
