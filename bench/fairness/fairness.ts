/**
 * Fairness benchmark: does a greedy user's flood of suggestions slow a polite user's suggestion down? The
 * real web server and the real inference service (each its own process, the committed harmonizer weights),
 * two signed-up users with a song each. The polite user asks for a harmonization, waits for it, asks again;
 * first alone (idle), then while the greedy user keeps `--greedy` calls in flight (each answered call, busy
 * or not, is sent again at once, or after `--retry-ms`). Prints the polite user's p50/p95 idle and loaded,
 * the loaded/idle p95 ratio (goal: at most 2), and what the greedy user got.
 *
 *   pnpm --filter @ensemble/bench fairness [-- --greedy 200 --calls 20 --retry-ms 0]
 *                                          [--direct]     (both users straight to the inference service,
 *                                                          named as the web server names them: its shares
 *                                                          alone, without the web server's limits)
 *                                          [--no-limits]  (every per-user limit lifted: the service as it
 *                                                          was before, for comparison)
 *                                          [--apps <dir>]  (run the web server and the service from another
 *                                                          checkout: an older commit, for before/after in one
 *                                                          session)
 *
 * Beside each of the polite user's figures, the part of it spent inside the inference service (from the
 * service's own log line per suggest), and a table of the web server's stages for the polite user's calls
 * (its `Server-Timing` header: session lookup, role check, the service call, audit row, commit…, and
 * `outside`, what the client measured beyond the server's `total`). The greedy user floods from its own
 * process (this file with `--flood`), so the polite client's event loop is its own.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import { cpus, loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { addClip, addNotes, addTrack, PPQ, UserOrigin } from '@ensemble/core'
import { connectSong } from '@ensemble/web/collab-client'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { copyPublished } from '../../packages/plugins/src/common/assets'
import { freePort, percentile } from '../collab/measure'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const SECRET = 'bench-secret-bench-secret-bench-secret'
const BAR = 1920
const HARMONIZER = 'studio.ensemble.harmonizer'
const melody = [72, 74, 76, 77, 79, 77, 76, 74].map((pitch, i) => ({ pitch, start: i * PPQ, duration: PPQ }))

interface Options {
  greedy: number
  calls: number
  retryMs: number
  direct: boolean
  limits: boolean
  /** The checkout whose apps/web and apps/inference run. */
  apps: string
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`)
    return i >= 0 ? argv[i + 1] : undefined
  }
  return {
    greedy: Number(get('greedy') ?? 200),
    calls: Number(get('calls') ?? 20),
    retryMs: Number(get('retry-ms') ?? 0),
    direct: argv.includes('--direct'),
    limits: !argv.includes('--no-limits'),
    apps: path.resolve(get('apps') ?? repoRoot),
  }
}

/** A process that is ready once a line of its output matches `ready`; resolves with that line. */
async function startProcess(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  onLine: (line: string) => void = () => {},
): Promise<{ child: ChildProcess; line: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const l of lines) {
        if (ready.test(l)) resolve(l)
        onLine(l)
      }
    })
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)))
  })
  return {
    child,
    line,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

/** The limits as shipped, or lifted far past the bench's load. */
function limitEnv(limits: boolean): NodeJS.ProcessEnv {
  if (limits) return {}
  const lifted = '100000'
  return {
    AI_MAX_SUGGESTIONS_PER_USER: lifted,
    AI_MAX_SUGGESTIONS_PER_PROJECT: lifted,
    INFERENCE_MAX_PENDING: '10000',
    INFERENCE_MAX_PENDING_PER_USER: '10000',
    INFERENCE_MAX_RUNNING: '10000',
    INFERENCE_MAX_RUNNING_PER_USER: '10000',
  }
}

/** The web server's `Server-Timing` stages of a call (session, role, room, inference, service, …), in ms. */
type Stages = Record<string, number>
type Answer<T = unknown> = ({ ok: true; data: T } | { ok: false; reason: string }) & { stages?: Stages }

function parseServerTiming(header: string | null): Stages | undefined {
  if (!header) return undefined
  const stages: Stages = {}
  for (const entry of header.split(',')) {
    const [name, ...params] = entry.trim().split(';')
    const dur = params.find((p) => p.startsWith('dur='))
    // A stage met twice (an audit row written, then corrected) counts once, summed.
    if (name && dur) stages[name] = (stages[name] ?? 0) + Number(dur.slice(4))
  }
  return stages
}

/**
 * Kept-alive sockets, one per call in flight (the greedy user's 200 loops each keep theirs, as 200 browser
 * tabs would). node:http rather than fetch: undici's fetch (WHATWG streams and headers) cost the flood
 * process more CPU than the web server spent answering it (43% of a core against 28% at ~110 refusals a
 * second), and on this machine that CPU is taken from the servers being measured, where another computer's
 * would not be.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY })

/** POSTs JSON; resolves with the status, the `Server-Timing` header and the body. */
function postJson(
  url: string,
  headers: Record<string, string>,
  input: unknown,
): Promise<{ status: number; serverTiming: string | null; body: string }> {
  const payload = JSON.stringify(input)
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('end', () => {
          const timing = res.headers['server-timing']
          resolve({
            status: res.statusCode ?? 0,
            serverTiming: typeof timing === 'string' ? timing : null,
            body,
          })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

/** One tRPC call over plain HTTP (no batching), as the studio's client makes it. */
async function trpc<T>(url: string, headers: Record<string, string>, input: unknown): Promise<Answer<T>> {
  const res = await postJson(url, headers, input)
  const body = JSON.parse(res.body) as {
    result?: { data: T }
    error?: { message: string; data?: { reason?: string; code?: string } }
  }
  const stages = parseServerTiming(res.serverTiming)
  if (body.result) return { ok: true, data: body.result.data, stages }
  return {
    stages,
    ok: false,
    reason: body.error?.data?.reason ?? body.error?.data?.code ?? body.error?.message ?? '?',
  }
}

interface User {
  id: string
  cookie: string
  projectId: string
  trackId: string
}

async function signUpWithSong(web: string, label: string): Promise<User> {
  const account = { email: `${label}-${Date.now()}@bench.test`, password: 'correct horse battery' }
  const post = (route: string, body: unknown) =>
    fetch(`${web}/api/auth/${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: web },
      body: JSON.stringify(body),
    })
  // Sign-up opens no session (it answers alike for any address); the studio signs in after it.
  const up = await post('sign-up/email', { ...account, name: label })
  if (!up.ok) throw new Error(`sign-up failed: ${up.status} ${await up.text()}`)
  const res = await post('sign-in/email', account)
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`)
  const { user } = (await res.json()) as { user: { id: string } }
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const api = `${web}/api/trpc`
  const project = must(await trpc<{ id: string }>(`${api}/projects.create`, { cookie }, { name: label }))
  const { token } = must(
    await trpc<{ token: string }>(`${api}/rooms.token`, { cookie }, { projectId: project.id }),
  )
  // The melody is written into the song through the collaboration server, as the studio writes it.
  const doc = new Y.Doc()
  const conn = connectSong({
    url: `${web.replace('http', 'ws')}/collab`,
    projectId: project.id,
    token,
    doc,
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
  })
  const me = new UserOrigin(user.id)
  await until(() => conn.provider.synced)
  const trackId = addTrack(doc, me, { kind: 'instrument', name: 'Lead' })
  const { clipId } = addClip(doc, me, trackId, { start: 0, length: 2 * BAR })
  addNotes(doc, me, trackId, clipId, melody)
  await until(() => conn.saved.savedClock(doc.clientID) >= Y.getState(doc.store, doc.clientID))
  conn.destroy()
  return { id: user.id, cookie, projectId: project.id, trackId }
}

function must<T>(answer: Answer<T>): T {
  if (!answer.ok) throw new Error(answer.reason)
  return answer.data
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10))
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** What the service is asked for in --direct mode: the same two bars the web server would read. */
function directInput(seed: number) {
  return {
    song: { bpm: 120, timeSignature: { numerator: 4, denominator: 4 }, key: { tonic: 'C', mode: 'major' } },
    target: {
      trackId: 'lead',
      kind: 'instrument',
      fromTick: 0,
      toTick: 2 * BAR,
      notes: melody.map((n) => ({ ...n, velocity: 100 })),
    },
    context: [],
    parameters: {},
    seed,
    variations: 1,
    deadlineMs: 8000,
  }
}

/** Where the calls go: the web server, or (--direct) the service itself. */
interface Target {
  direct: boolean
  webUrl: string
  inferenceUrl: string
}

/** One suggestion for `user`, as the studio asks it (or as the web server asks the service). */
function ask(target: Target, user: User, seed: number): Promise<Answer> {
  return target.direct
    ? trpc(
        `${target.inferenceUrl}/suggest`,
        { authorization: `Bearer ${SECRET}` },
        {
          pluginId: HARMONIZER,
          input: directInput(seed),
          caller: { userId: user.id, projectId: user.projectId },
        },
      )
    : trpc(
        `${target.webUrl}/api/trpc/ai.suggest`,
        { cookie: user.cookie },
        {
          projectId: user.projectId,
          trackId: user.trackId,
          fromTick: 0,
          toTick: 2 * BAR,
          pluginId: HARMONIZER,
          seed,
          variations: 1,
        },
      )
}

interface FloodOrder {
  target: Target
  user: User
  greedy: number
  retryMs: number
}

/**
 * The greedy user, in its own process (this file with `--flood`, told its order by its first message):
 * `greedy` loops, each sending its call again as soon as it is answered (after `retryMs` when refused). Its
 * own event loop, as another computer would be: handling its ~100 answers a second must not delay the polite
 * client's reading of its own answer. 'reset' starts the count afresh; 'stop' ends the loops and answers
 * with what each outcome got.
 */
async function flood(): Promise<void> {
  const { target, user, greedy, retryMs } = await new Promise<FloodOrder>((resolve) =>
    process.once('message', resolve),
  )
  let flooding = true
  let seed = 1_000_000
  const outcomes = new Map<string, number>()
  const loop = async () => {
    while (flooding) {
      const answer = await ask(target, user, seed++)
      const outcome = answer.ok ? 'ok' : answer.reason
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
      if (!answer.ok && retryMs > 0) await sleep(retryMs)
    }
  }
  const loops = Array.from({ length: greedy }, loop)
  process.on('message', async (message: 'reset' | 'stop') => {
    if (message === 'reset') return outcomes.clear()
    flooding = false
    await Promise.all(loops)
    process.send!([...outcomes], () => {
      agent.destroy() // its kept-alive sockets would hold the process open
      process.disconnect()
    })
  })
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2))
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-bench-fairness-'))
  const modelsDir = path.join(dataDir, 'models')
  copyPublished('harmonizer', modelsDir)

  // The service's one log line per suggest: how long each of the polite user's calls spent inside it.
  let politeId = ''
  const inService: number[] = []
  const serviceLine = (line: string) => {
    if (!politeId || !line.includes('"msg":"suggest"')) return
    const entry = JSON.parse(line) as { user?: string; outcome?: string; durationMs?: number }
    if (entry.user === politeId && entry.outcome === 'ok') inService.push(entry.durationMs ?? 0)
  }
  const inferencePort = await freePort()
  const inference = await startProcess(
    ['src/main.ts'],
    path.join(opts.apps, 'apps/inference'),
    {
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      INFERENCE_MODELS_DIR: modelsDir,
      INFERENCE_PORT: String(inferencePort),
      INFERENCE_SECRET: SECRET,
      LOG_LEVEL: 'info',
      ...limitEnv(opts.limits),
    },
    /inference listening/,
    serviceLine,
  )
  const inferenceUrl = `http://127.0.0.1:${inferencePort}/trpc`
  const webPort = await freePort()
  const web = await startProcess(
    ['src/server/main.ts', '--no-next'],
    path.join(opts.apps, 'apps/web'),
    {
      DATA_DIR: dataDir,
      PORT: String(webPort),
      HOST: '127.0.0.1',
      ENSEMBLE_NEXT: '0',
      INFERENCE_URL: inferenceUrl,
      INFERENCE_SECRET: SECRET,
      AUTH_RATE_LIMIT_MAX: '10000',
      ...limitEnv(opts.limits),
    },
    /listening/,
  )
  const webUrl = `http://127.0.0.1:${webPort}`
  try {
    const [polite, greedy] = [await signUpWithSong(webUrl, 'polite'), await signUpWithSong(webUrl, 'greedy')]
    politeId = polite.id
    let seed = 0
    const target: Target = { direct: opts.direct, webUrl, inferenceUrl }
    /** The polite user's sequential calls: each one's latency, and any that failed. */
    const politeRun = async (): Promise<{
      ms: number[]
      failed: string[]
      service: number[]
      stages: Map<string, number[]>
    }> => {
      const ms: number[] = []
      const failed: string[] = []
      const stages = new Map<string, number[]>()
      inService.length = 0
      for (let i = 0; i < opts.calls; i++) {
        const started = performance.now()
        const answer = await ask(target, polite, ++seed)
        const took = performance.now() - started
        if (!answer.ok) {
          failed.push(answer.reason)
          continue
        }
        ms.push(took)
        // Each call's own stages, so a slow one shows where its time went (the tables only give percentiles).
        const own = Object.entries(answer.stages ?? {})
          .filter(([, v]) => v >= 1)
          .map(([name, v]) => `${name} ${v.toFixed(0)}`)
          .join(', ')
        console.error(`  polite call ${i + 1}: ${took.toFixed(0)} ms${own ? ` (${own})` : ''}`)
        if (answer.stages) {
          // What the server did not see: the polite client's and the server's wait to read, and the hops.
          const measured = { ...answer.stages, outside: took - (answer.stages.total ?? took) }
          for (const [name, v] of Object.entries(measured)) stages.set(name, [...(stages.get(name) ?? []), v])
        }
      }
      // The service's log lines of the last calls may still be on their way through the pipe.
      await sleep(200)
      for (const values of stages.values()) values.sort((a, b) => a - b)
      return { ms: ms.sort((a, b) => a - b), failed, service: [...inService].sort((a, b) => a - b), stages }
    }

    for (let i = 0; i < 5; i++) await ask(target, polite, ++seed) // warm-up: connections, the room, the JIT
    const idle = await politeRun()
    console.error(`idle: p95 ${percentile(idle.ms, 95).toFixed(0)} ms; the greedy user starts`)

    const order: FloodOrder = { target, user: greedy, greedy: opts.greedy, retryMs: opts.retryMs }
    const flooder = fork(fileURLToPath(import.meta.url), ['--flood'], { execArgv: ['--import', 'tsx'] })
    const greedyCounts = new Promise<[string, number][]>((resolve) =>
      flooder.on('message', (m) => Array.isArray(m) && resolve(m as [string, number][])),
    )
    flooder.send(order)
    await sleep(2000) // the flood is at full strength before the polite user asks
    flooder.send('reset')
    const floodStarted = performance.now()
    const loaded = await politeRun()
    const floodSeconds = (performance.now() - floodStarted) / 1000
    flooder.send('stop')
    const greedyOutcomes = await greedyCounts
    if (flooder.connected) flooder.disconnect()

    const row = (name: string, r: { ms: number[]; failed: string[]; service: number[] }) =>
      `| ${name} | ${r.ms.length} | ${percentile(r.ms, 50).toFixed(0)} | ${percentile(r.ms, 95).toFixed(0)} | ${percentile(r.service, 50).toFixed(0)} | ${percentile(r.service, 95).toFixed(0)} | ${r.failed.length ? r.failed.join(', ') : '-'} |`
    // Limits set in the bench's own environment reach both processes.
    const set = Object.entries(process.env)
      .filter(([name]) => /^(AI_MAX_|INFERENCE_MAX_)/.test(name))
      .map(([name, value]) => `${name}=${value}`)
    const limits = opts.limits ? (set.length ? set.join(' ') : 'as shipped') : 'lifted'
    console.log(
      `\nfairness: ${opts.direct ? 'straight to the inference service' : 'through the web server'}, limits ${limits}, greedy ${opts.greedy} in flight (retry after ${opts.retryMs} ms), polite ${opts.calls} sequential calls`,
    )
    console.log(
      `machine: ${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
    )
    console.log(`apps from ${opts.apps}`)
    console.log('| polite user | answered | p50 ms | p95 ms | in the service p50 ms | p95 ms | failed |')
    console.log('|---|---|---|---|---|---|---|')
    console.log(row('idle', idle))
    console.log(row(`greedy at ${opts.greedy}`, loaded))
    if (idle.stages.size > 0) {
      // Where the polite user's time went, stage by stage (the web server's Server-Timing header).
      console.log('\n| stage (web server) | idle p50 ms | idle p95 ms | loaded p50 ms | loaded p95 ms |')
      console.log('|---|---|---|---|---|')
      const fmt = (v: number[] | undefined, p: number) => (v?.length ? percentile(v, p).toFixed(0) : '-')
      for (const name of new Set([...idle.stages.keys(), ...loaded.stages.keys()])) {
        const [i, l] = [idle.stages.get(name), loaded.stages.get(name)]
        console.log(`| ${name} | ${fmt(i, 50)} | ${fmt(i, 95)} | ${fmt(l, 50)} | ${fmt(l, 95)} |`)
      }
    }
    const ratio = percentile(loaded.ms, 95) / percentile(idle.ms, 95)
    console.log(`\nloaded/idle p95: x${ratio.toFixed(2)} (goal: at most x2)`)
    const perSecond = [...greedyOutcomes]
      .map(([reason, n]) => `${reason} ${(n / floodSeconds).toFixed(1)}/s`)
      .join(', ')
    console.log(`greedy user during the polite run: ${perSecond}`)
  } finally {
    await web.stop()
    await inference.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

if (process.argv.includes('--flood')) await flood()
else {
  await main()
  // Since the flood runs in its own process, something of it (not found yet) keeps this one open after the
  // figures are printed and both servers stopped.
  process.exit()
}
