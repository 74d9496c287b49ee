/**
 * Resident memory of the default studio before anyone opens a song: the web server (pages,
 * collaboration, API) and the inference service, started the way `pnpm start` starts them, on a
 * fresh data directory and again on the same directory (a restart), on the embedded database and,
 * with DATABASE_URL, on PostgreSQL.
 *
 *   pnpm --filter @ensemble/bench memory -- [--settle 30] [--databases pglite,postgres] [--no-inference]
 *                                            [--clients 100] [--breakdown]
 *
 * The web app must be built (`pnpm --filter @ensemble/web build`) for its pages to load; without a
 * build the server runs with `--no-next` and the figures say so. Prints one row per start: RSS of the
 * web server and of the inference service (the node processes that run them, not the shells or tsx wrappers),
 * their sum, and each one's peak (VmHWM). The start scripts run the built servers (dist/), so build both
 * apps first (`pnpm build`).
 *
 * `--clients N` then connects N collaboration clients (rooms of ten, each client makes one edit and
 * waits until it is saved), lets them sit idle for `--settle` seconds and reads the web server again.
 * `--breakdown` says where each process's memory is (breakdown.ts): resident memory by kind of
 * mapping, and every thread's V8 heap from a Node.js diagnostic report.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { signRoomToken } from '@ensemble/web/collab-tokens'
import { freePort, memoryOf } from '../collab/measure'
import { ProtocolClient } from '../collab/protocol-client'
import { type Breakdown, breakdownOf, formatBreakdown } from './breakdown'

const repoRoot = path.resolve(import.meta.dirname, '../..')

interface Options {
  settleSeconds: number
  databases: ('pglite' | 'postgres')[]
  inference: boolean
  clients: number
  breakdown: boolean
}

function parseOptions(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const databases = (get('databases') ?? (process.env.DATABASE_URL ? 'pglite,postgres' : 'pglite'))
    .split(',')
    .map((d) => (d === 'postgres' ? 'postgres' : 'pglite') as 'pglite' | 'postgres')
  return {
    settleSeconds: Number(get('settle') ?? 30),
    databases,
    inference: !argv.includes('--no-inference'),
    clients: Number(get('clients') ?? 0),
    breakdown: argv.includes('--breakdown'),
  }
}

/**
 * The node process of a tree that runs `entry`: the deepest one, as under tsx (which a `before` build may
 * still use) its CLI re-executes node with its loader, and `sh -c` may stay in between.
 */
function findNode(rootPid: number, entry: string): number | undefined {
  const queue = [rootPid]
  let found: number | undefined
  while (queue.length > 0) {
    const pid = queue.shift() as number
    let argv: string[] = []
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    } catch {
      continue
    }
    if (path.basename(argv[0] ?? '') === 'node' && argv.includes(entry)) found = pid
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
        if (children) queue.push(...children.split(' ').map(Number))
      } catch {}
    }
  }
  return found
}

interface Started {
  child: ChildProcess
  pid: () => number | undefined
}

/** Runs a package's own `start` script, as `pnpm start` does, so its flags and environment count. */
function start(cwd: string, env: NodeJS.ProcessEnv, args: string[] = []): Started {
  const command = (
    JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start
  // The script ends with the file node runs (dist/main.js; src/….ts under tsx).
  const entry = command.trim().split(/\s+/).at(-1) as string
  const child = spawn('sh', ['-c', [command, ...args].join(' ')], {
    cwd,
    env: { ...env, PATH: `${path.join(cwd, 'node_modules/.bin')}:${env.PATH ?? ''}` },
    stdio: ['ignore', 'pipe', 'inherit'],
    // Its own process group, so stopping it reaches the node under the shell.
    detached: true,
  })
  return { child, pid: () => (child.pid === undefined ? undefined : findNode(child.pid, entry)) }
}

async function waitFor(url: string, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000
  while (Date.now() < until) {
    try {
      const res = await fetch(url)
      if (res.status < 500) return
    } catch {}
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`${url} did not answer within ${seconds} s`)
}

async function stop(started: Started): Promise<void> {
  if (started.child.exitCode !== null) return
  const exited = new Promise((r) => started.child.once('exit', r))
  const group = (signal: NodeJS.Signals) =>
    started.child.pid !== undefined && process.kill(-started.child.pid, signal)
  group('SIGTERM')
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))])
  if (started.child.exitCode === null) group('SIGKILL')
}

interface Row {
  database: string
  start: 'first start' | 'restart'
  next: boolean
  web: { rssMiB: number; peakMiB: number }
  inference?: { rssMiB: number; peakMiB: number }
  /** The web server with `--clients` connected, idle after they synced. */
  withClients?: { clients: number; rssMiB: number; peakMiB: number }
  breakdowns?: { web: Breakdown; inference?: Breakdown }
}

/** Signs the bench's room tokens; the server trusts rooms with no project row only with this secret. */
const SECRET = 'bench-memory-secret-0123456789abcdef'

/**
 * N clients in rooms of ten, as a studio's users would sit in their songs: each syncs, makes one
 * edit and waits for the server's "saved" for it, so every room is loaded and its log written.
 */
async function connectClients(webPort: number, count: number): Promise<ProtocolClient[]> {
  const clients: ProtocolClient[] = []
  const saved: Promise<void>[] = []
  for (let i = 0; i < count; i++) {
    const room = `memory-${Math.floor(i / 10)}`
    const token = await signRoomToken(
      { sub: `bench-${i}`, project: room, role: 'editor' },
      { secret: SECRET },
    )
    let onSaved = (): void => {}
    saved.push(new Promise<void>((resolve) => (onSaved = resolve)))
    const client = new ProtocolClient(`ws://127.0.0.1:${webPort}/collab/${room}?token=${token}&saved=1`, {
      onRemote: () => {},
      onSaved: () => onSaved(),
    })
    clients.push(client)
  }
  await Promise.all(clients.map((c) => c.ready))
  clients.forEach((c, i) => {
    c.edit(`client-${i}`, i)
  })
  await Promise.race([
    Promise.all(saved),
    new Promise((_, reject) => setTimeout(() => reject(new Error('edits not saved within 120 s')), 120_000)),
  ])
  return clients
}

async function measure(
  database: 'pglite' | 'postgres',
  dataDir: string,
  first: boolean,
  options: Options,
): Promise<Row> {
  const next = existsSync(path.join(repoRoot, 'apps/web/.next/BUILD_ID'))
  const webPort = await freePort()
  const inferencePort = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(webPort),
    INFERENCE_PORT: String(inferencePort),
    INFERENCE_URL: `http://127.0.0.1:${inferencePort}/trpc`,
    LOG_LEVEL: 'warn',
    COLLAB_SECRET: SECRET,
    // The bench signs tokens for rooms that have no project (no accounts): opt in, as the collab bench does.
    COLLAB_TOKEN_ONLY_ROOMS: '1',
    COLLAB_MAX_CONNECTIONS_PER_USER: '100000',
    COLLAB_MAX_PENDING_UPGRADES: '100000',
  }
  const reports = options.breakdown ? mkdtempSync(path.join(tmpdir(), 'ensemble-reports-')) : undefined
  // A diagnostic report on SIGUSR2 gives every thread's V8 heap (breakdown.ts reads it).
  if (reports !== undefined)
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --report-on-signal --report-signal=SIGUSR2 --report-directory=${reports}`
  if (database === 'pglite') delete env.DATABASE_URL
  delete env.REDIS_URL
  const inference = options.inference ? start(path.join(repoRoot, 'apps/inference'), env) : undefined
  const web = start(path.join(repoRoot, 'apps/web'), env, next ? [] : ['--no-next'])
  try {
    await waitFor(`http://127.0.0.1:${webPort}/api/health`, 300)
    if (inference) await waitFor(`http://127.0.0.1:${inferencePort}/trpc`, 300)
    // One page load, as a visitor's first request would make: Next.js loads its server code lazily.
    if (next) await fetch(`http://127.0.0.1:${webPort}/`).then((r) => r.arrayBuffer())
    await new Promise((r) => setTimeout(r, options.settleSeconds * 1000))
    const webPid = web.pid()
    const inferencePid = inference?.pid()
    if (webPid === undefined) throw new Error('web server process not found')
    const row: Row = {
      database,
      start: first ? 'first start' : 'restart',
      next,
      web: memoryOf(webPid),
      ...(inferencePid !== undefined ? { inference: memoryOf(inferencePid) } : {}),
    }
    if (reports !== undefined)
      row.breakdowns = {
        web: await breakdownOf(webPid, reports),
        ...(inferencePid !== undefined ? { inference: await breakdownOf(inferencePid, reports) } : {}),
      }
    if (options.clients > 0) {
      const clients = await connectClients(webPort, options.clients)
      await new Promise((r) => setTimeout(r, options.settleSeconds * 1000))
      row.withClients = { clients: options.clients, ...memoryOf(webPid) }
      for (const c of clients) c.close()
    }
    return row
  } finally {
    await Promise.all([stop(web), ...(inference ? [stop(inference)] : [])])
    if (reports !== undefined) rmSync(reports, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const rows: Row[] = []
  for (const database of options.databases) {
    if (database === 'postgres' && !process.env.DATABASE_URL) {
      console.log('postgres: skipped (set DATABASE_URL)')
      continue
    }
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-memory-'))
    try {
      for (const first of [true, false]) {
        const row = await measure(database, dataDir, first, options)
        rows.push(row)
        const { breakdowns, ...figures } = row
        console.log(JSON.stringify(figures))
        if (breakdowns !== undefined) {
          console.log(formatBreakdown(`${row.database}, ${row.start}, web`, breakdowns.web))
          if (breakdowns.inference !== undefined)
            console.log(formatBreakdown(`${row.database}, ${row.start}, inference`, breakdowns.inference))
        }
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
  const fmt = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(0))
  console.log(`\nidle after ${options.settleSeconds} s (MiB)`)
  console.log(
    `| database | start | pages | web RSS (peak) | inference RSS (peak) | studio RSS | web with ${options.clients} clients (peak) |`,
  )
  console.log('|---|---|---|---|---|---|---|')
  for (const r of rows)
    console.log(
      `| ${r.database} | ${r.start} | ${r.next ? 'Next.js' : 'off'} | ${fmt(r.web.rssMiB)} (${fmt(r.web.peakMiB)}) | ${fmt(r.inference?.rssMiB)} (${fmt(r.inference?.peakMiB)}) | ${fmt(r.web.rssMiB + (r.inference?.rssMiB ?? 0))} | ${r.withClients ? `${fmt(r.withClients.rssMiB)} (${fmt(r.withClients.peakMiB)})` : '—'} |`,
    )
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
