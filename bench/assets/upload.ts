/**
 * Audio assets on the server: upload throughput, storage per minute of audio, and the web server's
 * memory while 8 uploads run at once. Starts the web server with its own `start` script (as
 * `pnpm start` does, without Next.js) on a fresh data directory, signs a user up, creates a song and
 * uploads 48 kHz stereo 16-bit WAV takes with tus-js-client, the way the studio's client does
 * (8 MiB PATCHes).
 *
 *   pnpm --filter @ensemble/bench assets -- [--minutes 1] [--parallel 8] [--databases pglite,postgres]
 *
 * Prints one JSON row per database: one upload alone (MiB/s), `--parallel` uploads at once (MiB/s in
 * all), the server's RSS before and its peak during them (sampled every 100 ms), and storage per minute
 * of audio: the assets tables with their TOAST and indexes (and for PGlite also the data directory's growth
 * on disk, WAL included).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { encodeWav } from '@ensemble/core/audio/node'
import { openDatabase } from '@ensemble/web/database'
import { sql } from 'drizzle-orm'
import pg from 'pg'
import { freePort, memoryOf } from '../collab/measure'
import { tusUpload } from './tus-upload'
import { option, signUp, startServer, stop, trpc, waitForHealth } from './web-server'

const MiB = 1024 * 1024

/** A take: 16-bit stereo PCM at 48 kHz, a sine with noise (so each take's bytes differ). */
function take(minutes: number, seed: number): Buffer {
  const rate = 48_000
  const frames = Math.round(minutes * 60 * rate)
  const samples = new Float32Array(frames)
  let noise = seed + 1
  for (let i = 0; i < frames; i++) {
    noise = (noise * 1103515245 + 12345) & 0x7fffffff
    samples[i] = (10_000 * Math.sin((2 * Math.PI * (220 + seed) * i) / rate) + (noise % 512) - 256) / 0x7fff
  }
  const wav = encodeWav({ sampleRate: rate, channels: [samples, samples] })
  return Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength)
}

/** The node process running the server under `sh -c` and tsx (the one whose memory counts). */
function serverPid(root: number): number | undefined {
  const queue = [root]
  while (queue.length > 0) {
    const pid = queue.shift() as number
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (cmdline.includes('preflight.cjs') && cmdline.includes('src/server/main.ts')) return pid
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
        if (children) queue.push(...children.split(' ').map(Number))
      }
    } catch {}
  }
  return undefined
}

async function signUpAndCreateSong(base: string): Promise<{ cookie: string; project: string }> {
  const member = await signUp(base, 'bench')
  const created = await trpc<{ id: string }>(base, 'projects.create', member, { name: 'Bench song' })
  return { cookie: member.cookie, project: created.id }
}

function du(dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    total += entry.isDirectory() ? du(full) : statSync(full).size
  }
  return total
}

const tablesQuery = `select coalesce(sum(pg_total_relation_size(c)), 0)::bigint as n
  from unnest(array['asset_chunks', 'assets', 'asset_uploads', 'project_assets']::regclass[]) c`

/** The assets tables with their TOAST and indexes, on PostgreSQL (while the server runs). */
async function assetTablesBytes(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return Number((await client.query<{ n: string }>(tablesQuery)).rows[0]?.n ?? 0)
  } finally {
    await client.end()
  }
}

/** The same on a PGlite data directory, opened once the server has stopped. */
async function pgliteTablesBytes(dataDir: string): Promise<number> {
  const database = await openDatabase({ driver: 'pglite', dataDir })
  try {
    const result = await database.db.execute(sql.raw(tablesQuery))
    return Number((result as unknown as pg.QueryResult<{ n: string }>).rows[0]?.n ?? 0)
  } finally {
    await database.close()
  }
}

async function run(database: 'pglite' | 'postgres', minutes: number, parallel: number) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-assets-bench-'))
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    ENSEMBLE_MAX_ASSET_MB: '1000',
    ENSEMBLE_PROJECT_QUOTA_MB: '100000',
  }
  if (database === 'pglite') delete env.DATABASE_URL
  const child = startServer(env)
  try {
    await waitForHealth(base)
    const pid = serverPid(child.pid as number)
    if (pid === undefined) throw new Error('server process not found')
    const { cookie, project } = await signUpAndCreateSong(base)
    const storage = () =>
      database === 'pglite'
        ? Promise.resolve(du(path.join(dataDir, 'pglite')))
        : assetTablesBytes(env.DATABASE_URL ?? '')
    const takes = Array.from({ length: parallel + 1 }, (_, i) => take(minutes, i))
    const mib = takes[0]!.length / MiB

    await new Promise((r) => setTimeout(r, 5000))
    const idle = memoryOf(pid).rssMiB
    const storedBefore = await storage()
    let t = performance.now()
    await tusUpload(base, cookie, project, takes[0]!)
    const alone = mib / ((performance.now() - t) / 1000)

    let peak = 0
    const sampler = setInterval(() => {
      peak = Math.max(peak, memoryOf(pid).rssMiB)
    }, 100)
    t = performance.now()
    await Promise.all(takes.slice(1).map((bytes) => tusUpload(base, cookie, project, bytes)))
    const together = (mib * parallel) / ((performance.now() - t) / 1000)
    clearInterval(sampler)
    await new Promise((r) => setTimeout(r, 5000))
    const after = memoryOf(pid).rssMiB
    const grown = (await storage()) - storedBefore
    const audioMinutes = minutes * (parallel + 1)
    await stop(child)
    const tables = database === 'pglite' ? await pgliteTablesBytes(path.join(dataDir, 'pglite')) : grown
    return {
      database,
      takeMiB: Number(mib.toFixed(1)),
      oneUploadMiBps: Number(alone.toFixed(1)),
      [`${parallel}UploadsMiBps`]: Number(together.toFixed(1)),
      rssIdleMiB: Math.round(idle),
      [`rssPeakDuring${parallel}MiB`]: Math.round(peak),
      rssAfterMiB: Math.round(after),
      tablesMiBPerAudioMinute: Number((tables / MiB / audioMinutes).toFixed(2)),
      ...(database === 'pglite'
        ? { dataDirMiBPerAudioMinute: Number((grown / MiB / audioMinutes).toFixed(2)) }
        : {}),
      wavMiBPerAudioMinute: Number((mib / minutes).toFixed(2)),
    }
  } finally {
    await stop(child)
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function main() {
  const argv = process.argv.slice(2)
  const minutes = Number(option(argv, 'minutes') ?? 1)
  const parallel = Number(option(argv, 'parallel') ?? 8)
  const databases = (
    option(argv, 'databases') ?? (process.env.DATABASE_URL ? 'pglite,postgres' : 'pglite')
  ).split(',')
  for (const database of databases) {
    if (database === 'postgres' && !process.env.DATABASE_URL) {
      console.log('postgres: skipped (set DATABASE_URL)')
      continue
    }
    console.log(JSON.stringify(await run(database === 'postgres' ? 'postgres' : 'pglite', minutes, parallel)))
  }
}

await main()
