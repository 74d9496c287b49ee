/**
 * The real web server for the assets benches: started with its own `start` script (as `pnpm start`
 * does, without Next.js) on a data directory the caller owns, and people signed up on it over HTTP the
 * way the studio signs them up.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'

const webDir = path.resolve(import.meta.dirname, '../../apps/web')

export function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1] : undefined
}

export function startServer(env: NodeJS.ProcessEnv): ChildProcess {
  const command = (
    JSON.parse(readFileSync(path.join(webDir, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start
  return spawn('sh', ['-c', `${command} --no-next`], {
    cwd: webDir,
    env: { ...env, PATH: `${path.join(webDir, 'node_modules/.bin')}:${env.PATH ?? ''}` },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  })
}

export async function waitForHealth(base: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error('server did not start')
}

/** Stops the server's whole process group (sh and node) and waits for it. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM')
  await exited
}

export interface Member {
  userId: string
  cookie: string
}

const postJson = (url: string, body: unknown, headers: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

/** Signs a new person up and in; sign-up opens no session, so the studio signs in after it. */
export async function signUp(base: string, label: string): Promise<Member> {
  const account = { email: `${label}-${Date.now()}@bench.test`, password: 'correct horse battery' }
  const up = await postJson(`${base}/api/auth/sign-up/email`, { ...account, name: label }, { origin: base })
  if (!up.ok) throw new Error(`sign-up failed: ${up.status} ${await up.text()}`)
  const res = await postJson(`${base}/api/auth/sign-in/email`, account, { origin: base })
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`)
  const { user } = (await res.json()) as { user: { id: string } }
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  return { userId: user.id, cookie }
}

/** One tRPC call over plain HTTP (no batching); throws the server's message on a refusal. */
export async function trpc<T>(base: string, route: string, who: Member, input: unknown): Promise<T> {
  const res = await postJson(`${base}/api/trpc/${route}`, input, { cookie: who.cookie, origin: base })
  const body = (await res.json()) as { result?: { data: T }; error?: { message: string } }
  if (body.result === undefined) throw new Error(`${route}: ${body.error?.message ?? res.status}`)
  return body.result.data
}
