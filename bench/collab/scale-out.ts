/**
 * Scale-out benchmark: remote-apply and saved latency with the same clients spread over 1, 2 and
 * 3 web instances (Redis fan-out, one PostgreSQL), against a single instance without Redis in the
 * same run; then how many connected clients one scaled-out instance holds with p99 remote
 * latency under 50 ms.
 *
 *   DATABASE_URL=postgres://… [REDIS_URL=redis://…] pnpm --filter @ensemble/bench exec tsx collab/scale-out.ts \
 *     -- --clients 30 --rate 2 --seconds 10 --capacity 100,200,400,800 --room-size 10
 *
 * Latency is measured in this one process (one clock), with the protocol-level clients of
 * protocol-client.ts. "cross" is remote latency counted only between clients on different
 * instances: the fan-out path (commit in PostgreSQL, then Redis), which is what scale-out adds.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { signRoomToken } from '@ensemble/web/collab-tokens'
import { freePort, percentile } from './measure'
import { ProtocolClient } from './protocol-client'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const SECRET = 'bench-secret-bench-secret-bench-secret'

interface Options {
  clients: number
  rate: number
  seconds: number
  capacity: number[]
  roomSize: number
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`)
    return i >= 0 ? argv[i + 1] : undefined
  }
  return {
    clients: Number(get('clients') ?? 30),
    rate: Number(get('rate') ?? 2),
    seconds: Number(get('seconds') ?? 10),
    capacity: (get('capacity') ?? '100,200,400,800').split(',').filter(Boolean).map(Number),
    roomSize: Number(get('room-size') ?? 10),
  }
}

interface Instance {
  url: string
  process: ChildProcess
  stop(): Promise<void>
}

async function startInstance(redisUrl: string | null, prefix: string): Promise<Instance> {
  const port = await freePort()
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-bench-scale-'))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    COLLAB_SECRET: SECRET,
    ENSEMBLE_NEXT: '0',
    COLLAB_MAX_CONNECTIONS_PER_USER: '100000',
    COLLAB_MESSAGES_PER_SECOND: '100000',
    COLLAB_MESSAGE_BURST: '100000',
    // Room tokens signed by the bench for ids with no project (no accounts): opt in.
    COLLAB_TOKEN_ONLY_ROOMS: '1',
    REDIS_CHANNEL_PREFIX: prefix,
  }
  if (redisUrl === null) delete env.REDIS_URL
  else env.REDIS_URL = redisUrl
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', '--no-next'], {
    cwd: path.join(repoRoot, 'apps/web'),
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('instance did not start')), 90_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`instance exited with ${code}`)))
  })
  return {
    url: `ws://127.0.0.1:${port}/collab`,
    process: child,
    stop: async () => {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

interface Result {
  label: string
  clients: number
  instances: number
  edits: number
  remote: number[]
  cross: number[]
  saved: number[]
  missed: number
  failedConnections: number
}

/**
 * `clients` clients in rooms of `roomSize`, client i on instance i % instances.length, each
 * editing at `rate` per second for `seconds`.
 */
async function run(
  label: string,
  instances: Instance[],
  clients: number,
  roomSize: number,
  rate: number,
  seconds: number,
): Promise<Result> {
  const tag = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`
  const sentAt = new Map<number, Map<number, number>>()
  const instanceOf = new Map<number, number>()
  const remote: number[] = []
  const cross: number[] = []
  const saved: number[] = []
  const list: { client: ProtocolClient; pending: { clock: number; at: number }[]; room: number }[] = []
  let failedConnections = 0
  const token = new Map<string, string>()

  // Connect in batches: the server admits a bounded number of pending upgrades at a time.
  for (let start = 0; start < clients; start += 50) {
    const batch: Promise<void>[] = []
    for (let i = start; i < Math.min(clients, start + 50); i++) {
      const room = Math.floor(i / roomSize)
      const project = `bench-scale-${tag}-${room}`
      let t = token.get(project)
      if (t === undefined) {
        t = await signRoomToken({ sub: 'bench', project, role: 'editor' }, { secret: SECRET })
        token.set(project, t)
      }
      const instance = i % instances.length
      const pending: { clock: number; at: number }[] = []
      // saved=1: the server sends "saved" (type 100) only to clients that ask for it.
      const url = `${instances[instance]?.url}/${project}?token=${t}&saved=1`
      const client: ProtocolClient = new ProtocolClient(url, {
        onRemote(id, from, to) {
          const sends = sentAt.get(id)
          if (sends === undefined) return
          const now = performance.now()
          const isCross = instanceOf.get(id) !== instance
          for (let clock = from + 1; clock <= to; clock++) {
            const at = sends.get(clock)
            if (at === undefined) continue
            remote.push(now - at)
            if (isCross) cross.push(now - at)
          }
        },
        onSaved(clock) {
          const now = performance.now()
          while (pending.length > 0 && (pending[0]?.clock ?? Infinity) <= clock)
            saved.push(now - (pending.shift()?.at ?? now))
        },
      })
      sentAt.set(client.clientID, new Map())
      instanceOf.set(client.clientID, instance)
      list.push({ client, pending, room })
      batch.push(client.ready.catch(() => void failedConnections++))
    }
    await Promise.all(batch)
  }
  await new Promise((resolve) => setTimeout(resolve, 1000))

  const periodMs = 1000 / rate
  let edits = 0
  const timers: NodeJS.Timeout[] = []
  list.forEach(({ client, pending }, i) => {
    let seq = 0
    const edit = () => {
      const at = performance.now()
      const clock = client.edit(`${i}:${seq++}`, seq)
      sentAt.get(client.clientID)?.set(clock, at)
      pending.push({ clock, at })
      edits++
    }
    timers.push(
      setTimeout(
        () => {
          edit()
          timers.push(setInterval(edit, periodMs))
        },
        (i / list.length) * periodMs,
      ),
    )
  })
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  for (const t of timers) clearTimeout(t)
  await new Promise((resolve) => setTimeout(resolve, 2000))
  // Every edit should reach the other members of its room.
  const roomSizes = new Map<number, number>()
  for (const { room } of list) roomSizes.set(room, (roomSizes.get(room) ?? 0) + 1)
  const perClientEdits = edits / Math.max(1, list.length)
  let expected = 0
  for (const n of roomSizes.values()) expected += n * (n - 1) * perClientEdits
  for (const { client } of list) client.close()
  remote.sort((a, b) => a - b)
  cross.sort((a, b) => a - b)
  saved.sort((a, b) => a - b)
  return {
    label,
    clients,
    instances: instances.length,
    edits,
    remote,
    cross,
    saved,
    missed: Math.max(0, Math.round(expected - remote.length)),
    failedConnections,
  }
}

const fmt = (n: number) => (Number.isNaN(n) ? '—' : n.toFixed(1))

function row(r: Result): string {
  return `| ${r.label} | ${r.instances} | ${r.clients} | ${r.edits} | ${fmt(percentile(r.remote, 50))} | ${fmt(percentile(r.remote, 99))} | ${fmt(percentile(r.cross, 50))} | ${fmt(percentile(r.cross, 99))} | ${fmt(percentile(r.saved, 50))} | ${fmt(percentile(r.saved, 99))} | ${r.missed} |`
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  const databaseUrl = process.env.DATABASE_URL
  if (!databaseUrl) throw new Error('DATABASE_URL must point at PostgreSQL (instances share its update log)')
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379'
  const prefix = `bench-${process.pid}:`
  console.log(
    `scale-out bench: ${opts.clients} clients in rooms of ${opts.roomSize}, ${opts.rate} edit/s each, ${opts.seconds} s per run`,
  )

  const single = await startInstance(null, prefix)
  const scaled: Instance[] = [await startInstance(redisUrl, prefix)]
  scaled.push(...(await Promise.all([startInstance(redisUrl, prefix), startInstance(redisUrl, prefix)])))
  const header =
    '| run | instances | clients | edits | remote p50 (ms) | remote p99 (ms) | cross-instance p50 (ms) | cross-instance p99 (ms) | saved p50 (ms) | saved p99 (ms) | missed remote applies |\n|---|---|---|---|---|---|---|---|---|---|---|'
  const results: Result[] = []
  try {
    const plan: [string, Instance[]][] = [
      ['single instance, no Redis', [single]],
      ['scaled out, all on 1', scaled.slice(0, 1)],
      ['scaled out, over 2', scaled.slice(0, 2)],
      ['scaled out, over 3', scaled],
    ]
    for (const [label, instances] of plan) {
      const r = await run(label, instances, opts.clients, opts.clients, opts.rate, opts.seconds)
      results.push(r)
      console.log(row(r))
    }
    console.log(`\n${header}`)
    for (const r of results) console.log(row(r))

    // Capacity: one scaled-out instance, more and more clients in rooms of `roomSize`, 1 edit/s.
    console.log(`\ncapacity of one scaled-out instance (rooms of ${opts.roomSize}, 1 edit/s per client):`)
    console.log(header)
    let best = 0
    for (const n of opts.capacity) {
      const r = await run('one instance', scaled.slice(0, 1), n, opts.roomSize, 1, opts.seconds)
      console.log(
        `${row(r)}${r.failedConnections > 0 ? ` (${r.failedConnections} connections refused)` : ''}`,
      )
      const p99 = percentile(r.remote, 99)
      if (r.failedConnections > 0 || !(p99 < 50)) break
      best = n
    }
    console.log(`\nlargest client count with p99 remote latency under 50 ms: ${best}`)
  } finally {
    await Promise.all([single, ...scaled].map((s) => s.stop()))
  }
  process.exit(0)
}

await main()
