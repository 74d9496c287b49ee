import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { defineConfig } from '@playwright/test'
import { CHROMIUM } from './chromium'

const port = Number(process.env.E2E_PORT ?? 3900)
const inferencePort = port + 1
/** Where studio-jam.spec.ts runs its delay proxy: the web server must accept pages served through it. */
const delayProxyPort = port + 8
// Every run starts on an empty database, so tests never depend on what an earlier run left.
const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-e2e-'))

export default defineConfig({
  testDir: './tests',
  timeout: 120_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: CHROMIUM,
  },
  outputDir: '.test-results/artifacts',
  webServer: [
    {
      command: 'pnpm --filter @ensemble/inference start',
      port: inferencePort,
      reuseExistingServer: process.env.E2E_REUSE === '1',
      timeout: 120_000,
      env: {
        DATA_DIR: dataDir,
        INFERENCE_PORT: String(inferencePort),
        // Where the service fetches a third-party plugin's archive: the web server below.
        INFERENCE_ARCHIVES_URL: `http://127.0.0.1:${port}/internal/plugin-archives`,
        LOG_LEVEL: 'warn',
      },
    },
    {
      command: 'pnpm --filter @ensemble/web start',
      port,
      reuseExistingServer: process.env.E2E_REUSE === '1',
      timeout: 120_000,
      env: {
        PORT: String(port),
        DATA_DIR: dataDir,
        // The embedded database in that fresh folder, even where CI exports DATABASE_URL / REDIS_URL for
        // the server suites: a shared PostgreSQL keeps earlier runs' songs, publishers and plugin ids.
        DATABASE_URL: '',
        REDIS_URL: '',
        INFERENCE_URL: `http://127.0.0.1:${inferencePort}/trpc`,
        // Every test signs up fresh users from 127.0.0.1; production keeps the default of 10 a minute.
        AUTH_RATE_LIMIT_MAX: '1000',
        // Short-lived room tokens, so every spec runs with renewal happening (token-renewal.spec.ts relies on it).
        ROOM_TOKEN_TTL_SECONDS: '20',
        // The server's own origins, and the delay proxy's (a page loaded through it is same-site, other port).
        ENSEMBLE_ORIGINS: [port, delayProxyPort]
          .flatMap((p) => [`http://127.0.0.1:${p}`, `http://localhost:${p}`])
          .join(','),
        LOG_LEVEL: 'warn',
      },
    },
  ],
})
