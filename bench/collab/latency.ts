/**
 * Collaboration latency benchmark: N clients in one room, each editing at a steady rate, against
 * Ensemble's server (durable acknowledgement) and, in the same run, the reference y-websocket
 * 1.5.4 server (in memory, no persistence). Prints a table and the ratio ours / reference.
 *
 *   pnpm --filter @ensemble/bench collab -- --clients 10,100 --rate 1 --seconds 20 [--repeat 3] [--warmup 60]
 *     [--server-cpus 0 --client-cpus 1] [--before /path/to/other/checkout/apps/web]
 *
 * For each N every server is started once and warmed up (--warmup seconds of the same load, not
 * counted): a just-started server spends its first minute compiling hot code in background threads
 * (V8's JIT, and for PGlite the tier-up of a large WebAssembly module), on the cores the clients
 * share. Then every (N, server) pair runs --repeat K times in fresh rooms, the servers taking turns,
 * and the ratios use the median of the K runs: one run's percentiles move by tens of percent here.
 * The p99 is also given over all K runs' deliveries pooled: one run's p99 rests on a dozen samples.
 * A run's room is unloaded in the pause after it, not during the next server's run. --server-cpus
 * and --client-cpus pin the servers and the clients (taskset lists) to separate cores.
 * Server CPU is the server process's own (user + system, all threads); PostgreSQL's processes are
 * not in it.
 *
 * Latency is measured inside this one process (every client shares its clock): edit-to-remote is
 * the time from a client's edit to each other client receiving it; edit-to-saved is the time
 * until the server's "saved" message covers the edit (Ensemble only). The clients speak the
 * y-websocket protocol directly (protocol-client.ts) so that the bench process is not the bottleneck.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { signRoomToken } from '@ensemble/web/collab-tokens'
import { cpuMsOf, freePort, memoryOf, percentile } from './measure'
import { ProtocolClient } from './protocol-client'

interface Options {
  clients: number[]
  rate: number
  seconds: number
  servers: ServerKind[]
  repeat: number
  /** Seconds of the same load on each freshly started server before any run is measured. */
  warmup: number
  /** CPUs (taskset list, e.g. "0") the servers run on; undefined: anywhere. */
  serverCpus: string | undefined
  /** CPUs this process (the clients) runs on; undefined: anywhere. */
  clientCpus: string | undefined
  /** apps/web of another checkout, run as 'ensemble-before' beside this one's. */
  before: string | undefined
}
/** 'ensemble-before': the server of another checkout (--before), on PGlite, for before/after runs. */
type ServerKind = 'ensemble' | 'ensemble-before' | 'ensemble-postgres' | 'reference'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const SECRET = 'bench-secret-bench-secret-bench-secret'

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const servers: ServerKind[] = ['ensemble', 'reference']
  if (process.env.DATABASE_URL) servers.splice(1, 0, 'ensemble-postgres')
  const before = get('before')
  if (before !== undefined) servers.unshift('ensemble-before')
  return {
    clients: (get('clients') ?? '10,100').split(',').map(Number),
    rate: Number(get('rate') ?? 1),
    seconds: Number(get('seconds') ?? 20),
    repeat: Math.max(1, Number(get('repeat') ?? 1)),
    warmup: Math.max(0, Number(get('warmup') ?? 60)),
    serverCpus: get('server-cpus'),
    clientCpus: get('client-cpus'),
    before,
    servers:
      get('servers')
        ?.split(',')
        .map((s) => s as ServerKind) ?? servers,
  }
}

interface RunningServer {
  kind: ServerKind
  url: string
  process: ChildProcess
  stop(): Promise<void>
}

async function startServer(
  kind: ServerKind,
  cpus: string | undefined,
  before: string | undefined,
): Promise<RunningServer> {
  const port = await freePort()
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-bench-'))
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1' }
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles each server under load.
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []
  // taskset execs node in place, so the child's pid is still the server's.
  const [command, prefix] =
    cpus === undefined ? [process.execPath, []] : ['taskset', ['-c', cpus, process.execPath]]
  const node = (args: string[], cwd?: string): ChildProcess =>
    spawn(command, [...prefix, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] })
  let child: ChildProcess
  let url: string
  if (kind === 'reference') {
    child = node([...nodeArgs, path.join(repoRoot, 'bench/node_modules/y-websocket-reference/bin/server.js')])
    url = `ws://127.0.0.1:${port}`
  } else {
    env.DATA_DIR = dataDir
    env.COLLAB_SECRET = SECRET
    env.ENSEMBLE_NEXT = '0'
    // The bench's clients all come from one "user"; lift the per-user cap and rate limit for it.
    env.COLLAB_MAX_CONNECTIONS_PER_USER = '100000'
    env.COLLAB_MESSAGES_PER_SECOND = '100000'
    env.COLLAB_MESSAGE_BURST = '100000'
    env.COLLAB_MAX_PENDING_UPGRADES = '100000'
    // The bench signs its own room tokens for ids that have no project (no accounts): opt in.
    env.COLLAB_TOKEN_ONLY_ROOMS = '1'
    // A finished run's room is unloaded in the pause after it (see runOne), not during the next
    // server's measured run on the same cores.
    env.COLLAB_IDLE_UNLOAD_MS = String(UNLOAD_SECONDS * 1000)
    if (kind !== 'ensemble-postgres') delete env.DATABASE_URL
    if (kind === 'ensemble-postgres' && !env.DATABASE_URL)
      throw new Error('ensemble-postgres needs DATABASE_URL')
    // `node --import tsx` rather than the tsx CLI, so the pid we measure is the server itself.
    child = node(
      [...nodeArgs, '--import', 'tsx', 'src/server/main.ts', '--no-next'],
      kind === 'ensemble-before' && before !== undefined ? before : path.join(repoRoot, 'apps/web'),
    )
    url = `ws://127.0.0.1:${port}/collab`
  }
  await new Promise<void>((resolve, reject) => {
    // Generous: on a shared machine a server's first start (tsx, migrations) can take minutes.
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${kind} did not start`))
    }, 300_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      if (/listening|running at/.test(chunk.toString())) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)))
  })
  return {
    kind,
    url,
    process: child,
    stop: async () => {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

interface Result {
  server: ServerKind
  clients: number
  edits: number
  editsPerSecond: number
  remoteP50: number
  remoteP99: number
  /** Every edit-to-remote latency of the run, ascending (the summary pools them across runs). */
  remote: number[]
  savedP50: number
  savedP99: number
  lost: number
  /** Measured edits whose "saved" never came (Ensemble only; 0 unless saving is broken). */
  unsaved: number | null
  rssMiB: number
  peakMiB: number
  /** Server CPU (user + system) per second of the measured window, in ms (1000 = one core busy). */
  cpuMsPerSecond: number
}

/** Seconds each run edits before its window opens: the room's clients joined and are editing steadily. */
const SETTLE_SECONDS = 2
/** Our servers unload a room this long after its last client left; each run then waits twice that. */
const UNLOAD_SECONDS = 1

async function runOne(
  server: RunningServer,
  clients: number,
  opts: Pick<Options, 'rate' | 'seconds'> & { settle: number },
): Promise<Result> {
  const room = `bench-${clients}-${Date.now()}`
  // Send time of every edit, by client id and the clock right after it.
  const sentAt = new Map<number, Map<number, number>>()
  const remote: number[] = []
  const saved: number[] = []
  const list: ProtocolClient[] = []
  // Per client, its edits still waiting for "saved", oldest first.
  const savedQueues = new Map<ProtocolClient, { clock: number; at: number }[]>()

  for (let i = 0; i < clients; i++) {
    let url = `${server.url}/${room}`
    if (server.kind !== 'reference') {
      const token = await signRoomToken({ sub: 'bench', project: room, role: 'editor' }, { secret: SECRET })
      // saved=1: this server sends "saved" (type 100) only to clients that ask for it.
      url += `?token=${token}&saved=1`
    }
    const pending: { clock: number; at: number }[] = []
    const client: ProtocolClient = new ProtocolClient(url, {
      onRemote(id, from, to) {
        const sends = sentAt.get(id)
        if (sends === undefined) return
        const now = performance.now()
        for (let clock = from + 1; clock <= to; clock++) {
          const at = sends.get(clock)
          if (at !== undefined) remote.push(now - at)
        }
      },
      onSaved(clock) {
        const now = performance.now()
        while (pending.length > 0 && pending[0]!.clock <= clock) saved.push(now - pending.shift()!.at)
      },
    })
    sentAt.set(client.clientID, new Map())
    savedQueues.set(client, pending)
    list.push(client)
  }
  await Promise.all(list.map((c) => c.ready))
  // Give the initial sync round trips time to finish before the clock starts.
  await new Promise((resolve) => setTimeout(resolve, 500))

  // Steady rate: each client edits every 1/rate seconds, phases spread evenly across clients. The
  // first `settle` seconds are not counted.
  const periodMs = 1000 / opts.rate
  let edits = 0
  let measuring = false
  const timers: NodeJS.Timeout[] = []
  list.forEach((c, i) => {
    let seq = 0
    const edit = () => {
      const at = performance.now()
      const clock = c.edit(`${i}:${seq++}`, seq)
      if (!measuring) return
      sentAt.get(c.clientID)!.set(clock, at)
      if (server.kind !== 'reference') savedQueues.get(c)!.push({ clock, at })
      edits++
    }
    const offset = (i / list.length) * periodMs
    timers.push(
      setTimeout(() => {
        edit()
        timers.push(setInterval(edit, periodMs))
      }, offset),
    )
  })
  await new Promise((resolve) => setTimeout(resolve, opts.settle * 1000))
  measuring = true
  const started = performance.now()
  const cpuBefore = cpuMsOf(server.process.pid!)
  await new Promise((resolve) => setTimeout(resolve, opts.seconds * 1000))
  for (const t of timers) clearTimeout(t)
  const elapsed = (performance.now() - started) / 1000
  const cpuMsPerSecond = (cpuMsOf(server.process.pid!) - cpuBefore) / elapsed
  // Let in-flight messages land before counting.
  await new Promise((resolve) => setTimeout(resolve, 2000))
  const expectedRemote = edits * (clients - 1)
  const mem = memoryOf(server.process.pid!)
  const unsaved = list.reduce((n, c) => n + savedQueues.get(c)!.length, 0)
  for (const c of list) c.close()
  await new Promise((resolve) => setTimeout(resolve, 2 * UNLOAD_SECONDS * 1000))
  remote.sort((a, b) => a - b)
  saved.sort((a, b) => a - b)
  return {
    server: server.kind,
    clients,
    edits,
    editsPerSecond: edits / elapsed,
    remoteP50: percentile(remote, 50),
    remoteP99: percentile(remote, 99),
    remote,
    savedP50: percentile(saved, 50),
    savedP99: percentile(saved, 99),
    lost: expectedRemote - remote.length,
    unsaved: server.kind === 'reference' ? null : unsaved,
    cpuMsPerSecond,
    rssMiB: mem.rssMiB,
    peakMiB: mem.peakMiB,
  }
}

const fmt = (n: number, digits = 1) => (Number.isNaN(n) ? '—' : n.toFixed(digits))

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  // Every thread of this process, including the ones libuv and V8 already started.
  if (opts.clientCpus !== undefined)
    execFileSync('taskset', ['-a', '-p', '-c', opts.clientCpus, String(process.pid)])
  console.log(
    `collab bench: clients ${opts.clients.join(', ')}; ${opts.rate} edit/s per client; ${opts.seconds} s measured; each server warmed up for ${opts.warmup} s first${opts.serverCpus === undefined ? '' : `; servers on CPU ${opts.serverCpus}`}${opts.clientCpus === undefined ? '' : `; clients on CPU ${opts.clientCpus}`}`,
  )
  const results: Result[] = []
  for (const clients of opts.clients) {
    const running: RunningServer[] = []
    try {
      for (const kind of opts.servers) {
        const server = await startServer(kind, opts.serverCpus, opts.before)
        running.push(server)
        if (opts.warmup > 0) await runOne(server, clients, { ...opts, settle: opts.warmup, seconds: 0 })
      }
      for (let run = 0; run < opts.repeat; run++) {
        for (const server of running) {
          const r = await runOne(server, clients, { ...opts, settle: SETTLE_SECONDS })
          results.push(r)
          console.log(
            `  ${server.kind.padEnd(18)} N=${String(clients).padEnd(4)} remote p50 ${fmt(r.remoteP50)} ms p99 ${fmt(r.remoteP99)} ms · saved p50 ${fmt(r.savedP50)} ms p99 ${fmt(r.savedP99)} ms · ${fmt(r.editsPerSecond)} edits/s · cpu ${fmt(r.cpuMsPerSecond, 0)} ms/s · rss ${fmt(r.rssMiB)} MiB (peak ${fmt(r.peakMiB)})${r.unsaved ? ` · ${r.unsaved} edits never saved` : ''}`,
          )
        }
      }
    } finally {
      for (const server of running) await server.stop()
    }
  }
  console.log(
    '\n| server | clients | edits/s | remote p50 (ms) | remote p99 (ms) | saved p50 (ms) | saved p99 (ms) | missed remote applies | unsaved edits | server CPU (ms/s) | server RSS (MiB) | peak RSS (MiB) |',
  )
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|')
  for (const r of results) {
    console.log(
      `| ${r.server} | ${r.clients} | ${fmt(r.editsPerSecond)} | ${fmt(r.remoteP50)} | ${fmt(r.remoteP99)} | ${fmt(r.savedP50)} | ${fmt(r.savedP99)} | ${r.lost} | ${r.unsaved ?? '—'} | ${fmt(r.cpuMsPerSecond, 0)} | ${fmt(r.rssMiB)} | ${fmt(r.peakMiB)} |`,
    )
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b)
    const mid = sorted.length >> 1
    return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
  }
  const medians = (kind: ServerKind, clients: number) => {
    const runs = results.filter((r) => r.server === kind && r.clients === clients)
    // One run's p99 rests on its dozen slowest deliveries; the pooled one on all runs' together.
    const pooled = runs.flatMap((r) => r.remote).sort((a, b) => a - b)
    return {
      p50: median(runs.map((r) => r.remoteP50)),
      p99: median(runs.map((r) => r.remoteP99)),
      pooledP99: percentile(pooled, 99),
      cpu: median(runs.map((r) => r.cpuMsPerSecond)),
    }
  }
  console.log(
    `\nratio ours / reference (remote latency; medians of ${opts.repeat} run(s), and p99 over all runs' deliveries pooled):`,
  )
  for (const clients of opts.clients) {
    if (!opts.servers.includes('reference')) continue
    const ref = medians('reference', clients)
    for (const kind of opts.servers.filter((k) => k !== 'reference')) {
      const m = medians(kind, clients)
      console.log(
        `  N=${clients} ${kind}: p50 ${fmt(m.p50, 2)} / ${fmt(ref.p50, 2)} ms ×${fmt(m.p50 / ref.p50, 2)}, p99 ${fmt(m.p99, 1)} / ${fmt(ref.p99, 1)} ms ×${fmt(m.p99 / ref.p99, 2)}, pooled p99 ${fmt(m.pooledP99, 1)} / ${fmt(ref.pooledP99, 1)} ms ×${fmt(m.pooledP99 / ref.pooledP99, 2)}, server CPU ${fmt(m.cpu, 0)} / ${fmt(ref.cpu, 0)} ms/s`,
      )
    }
  }
  if (opts.servers.includes('ensemble-before')) {
    console.log('\nratio this checkout / --before (remote latency and saved; medians of the runs):')
    for (const clients of opts.clients) {
      const runs = (kind: ServerKind) => results.filter((r) => r.server === kind && r.clients === clients)
      const now = runs('ensemble')
      const then = runs('ensemble-before')
      const ratio = (pick: (r: Result) => number) => fmt(median(now.map(pick)) / median(then.map(pick)), 2)
      console.log(
        `  N=${clients}: remote p50 ×${ratio((r) => r.remoteP50)}, p99 ×${ratio((r) => r.remoteP99)}; saved p50 ×${ratio((r) => r.savedP50)}, p99 ×${ratio((r) => r.savedP99)}; server CPU ×${ratio((r) => r.cpuMsPerSecond)}`,
      )
    }
  }
  process.exit(0)
}

await main()
