/**
 * What the browser benches share: our web server (production Next build, fresh PGlite data dir), Debian's
 * Chromium with the e2e suite's flags (e2e/chromium.ts), users signed up through the real auth API, and a collab client in
 * Node that edits a song with core's operations, as a bandmate's browser would.
 *
 * Needs `pnpm --filter @ensemble/web build` first (the studio route must be built).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { signRoomToken } from '@ensemble/web/collab-tokens'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket-reference'
import * as Y from 'yjs'
import { CHROMIUM } from '../../e2e/chromium'
import { freePort } from '../collab/measure'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const SECRET = 'studio-bench-secret-studio-bench-secret'

export interface StudioServer {
  readonly base: string
  readonly collab: string
  stop(): Promise<void>
}

/** On `port`, or a free one. */
export async function startStudioServer(port?: number): Promise<StudioServer> {
  port ??= await freePort()
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-studio-bench-'))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    COLLAB_SECRET: SECRET,
    AUTH_RATE_LIMIT_MAX: '1000',
    LOG_LEVEL: 'warn',
  }
  delete env.DATABASE_URL
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: path.join(repoRoot, 'apps/web'),
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('web server did not start in 120 s')), 120_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      if (/listening/.test(chunk.toString())) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`web server exited with ${code}`)))
  })
  const base = `http://127.0.0.1:${port}`
  return {
    base,
    collab: `ws://127.0.0.1:${port}/collab`,
    stop: async () => {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** `extraArgs` beyond the e2e suite's flags (a bench that plays audio allows autoplay). */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const { executablePath, args } = CHROMIUM
  // Checked before the studio server starts, so a missing browser fails at once instead of leaving it running.
  if (!existsSync(executablePath))
    throw new Error(`no Chromium at ${executablePath}: apt-get install chromium, or set CHROMIUM_PATH`)
  return chromium.launch({ executablePath, args: [...args, ...extraArgs] })
}

async function trpc<T>(page: Page, base: string, procedure: string, input: unknown): Promise<T> {
  const res = await page.context().request.post(`${base}/api/trpc/${procedure}`, {
    data: input,
    headers: { origin: base, 'content-type': 'application/json' },
  })
  if (!res.ok()) throw new Error(`${procedure}: ${res.status()} ${await res.text()}`)
  return ((await res.json()) as { result: { data: T } }).result.data
}

export interface Player {
  readonly context: BrowserContext
  readonly page: Page
  readonly userId: string
}

/** A browser context with a freshly signed-up user. */
export async function newPlayer(browser: Browser, base: string, name: string): Promise<Player> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  // tsx compiles the functions handed to page.evaluate with esbuild's keepNames, which calls a `__name`
  // helper that only exists in Node; the page gets a no-op one.
  await context.addInitScript('globalThis.__name = globalThis.__name || ((f) => f)')
  const page = await context.newPage()
  const email = `${name}-${randomUUID()}@example.test`
  const password = 'correct horse battery'
  const up = await context.request.post(`${base}/api/auth/sign-up/email`, {
    data: { email, password, name },
    headers: { origin: base },
  })
  if (!up.ok()) throw new Error(`sign-up: ${up.status()} ${await up.text()}`)
  // Sign-up opens no session (it answers alike for a new and a known address): sign in.
  const res = await context.request.post(`${base}/api/auth/sign-in/email`, {
    data: { email, password },
    headers: { origin: base },
  })
  if (!res.ok()) throw new Error(`sign-in: ${res.status()} ${await res.text()}`)
  const userId = ((await res.json()) as { user: { id: string } }).user.id
  return { context, page, userId }
}

/** The owner makes a song; the others join it by invite. Returns the song (project) id. */
export async function shareSong(base: string, owner: Player, others: readonly Player[]): Promise<string> {
  const { id } = await trpc<{ id: string }>(owner.page, base, 'projects.create', { name: 'Studio bench' })
  const invite = await trpc<{ secret: string }>(owner.page, base, 'invites.create', {
    projectId: id,
    role: 'editor',
    maxUses: 100,
  })
  for (const other of others) await trpc(other.page, base, 'invites.accept', { secret: invite.secret })
  return id
}

/** Opens the studio and waits until it has synced with the server. */
export async function openStudio(player: Player, base: string, songId: string): Promise<void> {
  await player.page.goto(`${base}/songs/${songId}`)
  await player.page
    .getByTestId('save-status')
    .and(player.page.locator('[data-status="saved"]'))
    .waitFor({ timeout: 60_000 })
}

/**
 * A collaborator in Node: a Y.Doc synced with the room through the y-websocket protocol, edited with core's
 * operations. Resolves once the first sync is done.
 */
export async function collabClient(
  server: StudioServer,
  songId: string,
  userId: string,
): Promise<{ doc: Y.Doc; close(): void }> {
  const token = await signRoomToken({ sub: userId, project: songId, role: 'editor' }, { secret: SECRET })
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(server.collab, songId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
  })
  await new Promise<void>((resolve) => {
    if (provider.synced) resolve()
    else provider.once('synced', () => resolve())
  })
  return {
    doc,
    close: () => {
      provider.destroy()
      doc.destroy()
    },
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
