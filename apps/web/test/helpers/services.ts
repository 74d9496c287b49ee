import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './child'

/**
 * Throwaway Redis and PostgreSQL servers for fault-injection tests: they are stopped, restarted
 * and killed, which must never happen to the shared services other test runs use at the same
 * time. Loopback only, no persistence, everything under one temp directory.
 */

const run = promisify(execFile)

export const redisServerBinary = findOnPath('redis-server')
const pgBinDir = [
  '/usr/lib/postgresql/15/bin',
  '/usr/lib/postgresql/16/bin',
  '/usr/lib/postgresql/17/bin',
].find((d) => existsSync(path.join(d, 'initdb')))
const isRoot = userInfo().uid === 0
const runuser = findOnPath('runuser')

/** Why the own-instance fault tests cannot run here, or null if they can. */
export function ownServicesUnavailable(): string | null {
  if (redisServerBinary === null) return 'redis-server is not on PATH'
  if (pgBinDir === undefined)
    return 'PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql'
  if (isRoot && runuser === null) return 'running as root and runuser is missing (initdb refuses root)'
  return null
}

const resultsDir = path.join(import.meta.dirname, '..', '..', '.test-results')

/** Prints why a test file was skipped and records it where the test report collects skips. */
export function recordSkip(note: string): void {
  console.log(`[test] ${note}`)
  mkdirSync(resultsDir, { recursive: true })
  appendFileSync(path.join(resultsDir, 'skipped.txt'), `${note}\n`)
}

export interface OwnRedis {
  url: string
  port: number
  /** SIGKILL-free stop (SIGTERM, waits for exit): clients see the connection drop. */
  stop(): Promise<void>
  /** Starts again on the same port (empty: nothing is persisted). */
  start(): Promise<void>
  destroy(): Promise<void>
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const binary = redisServerBinary
  if (binary === null) throw new Error('redis-server not found')
  const port = await freePort()
  let child: ChildProcess | null = null
  const start = async () => {
    const c = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child = c
    let output = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000)
      c.stdout?.on('data', (d: Buffer) => {
        output += d.toString()
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer)
          resolve()
        }
      })
      c.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`redis-server exited with ${code}:\n${output}`))
      })
    })
  }
  const stop = async () => {
    const c = child
    child = null
    if (c === null || c.exitCode !== null) return
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve())
      c.kill('SIGTERM')
    })
  }
  await start()
  return { url: `redis://127.0.0.1:${port}`, port, start, stop, destroy: stop }
}

export interface OwnPostgres {
  url: string
  port: number
  /** `pg_ctl stop -m immediate`: like a crash, every connection drops. */
  stop(): Promise<void>
  start(): Promise<void>
  destroy(): Promise<void>
}

/** initdb + pg_ctl in a temp dir (as the postgres user when we are root). */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  if (pgBinDir === undefined) throw new Error('PostgreSQL binaries not found')
  const dir = mkdtempSync(path.join(tmpdir(), 'ensemble-pg-'))
  const dataDir = path.join(dir, 'data')
  const port = await freePort()
  if (isRoot) chownSync(dir, uidOf('postgres'), gidOf('postgres'))
  const asPg = (binary: string, args: string[]) => {
    const file = path.join(pgBinDir, binary)
    return isRoot && runuser !== null
      ? run(runuser, ['-u', 'postgres', '--', file, ...args], { timeout: 60_000 })
      : run(file, args, { timeout: 60_000 })
  }
  await asPg('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
  // fsync off: the OS page cache survives the server being killed, so commits stay durable for
  // these tests. Never synchronous_commit off: an immediate stop would then lose acknowledged
  // commits, which is a database breaking the "saved" promise, not a fault we test.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`
  const start = async () => {
    await asPg('pg_ctl', [
      '-D',
      dataDir,
      '-o',
      options,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-t',
      '30',
      'start',
    ])
  }
  const stop = async () => {
    await asPg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {})
  }
  await start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    async destroy() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const file = path.join(dir, name)
    if (existsSync(file)) return file
  }
  for (const dir of ['/usr/sbin', '/sbin', '/usr/bin']) {
    const file = path.join(dir, name)
    if (existsSync(file)) return file
  }
  return null
}

function uidOf(user: string): number {
  return idField(user, 2)
}
function gidOf(user: string): number {
  return idField(user, 3)
}
function idField(user: string, field: number): number {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`))
  if (line === undefined) throw new Error(`no user ${user}`)
  return Number(line.split(':')[field])
}
