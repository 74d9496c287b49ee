import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'
import type { DriverName } from './db'
import { testSecret } from './server'

const webDir = path.join(import.meta.dirname, '..', '..')

/** A port that was free a moment ago (the server is restarted on the same one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

/** Every child started by this worker, so a failed test can still kill them all. */
const running = new Set<ChildProcess>()

export async function killAllServers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGKILL')
        }),
    ),
  )
  running.clear()
}

export interface ServerProcess {
  child: ChildProcess
  port: number
  output: () => string
  /** kill -9: no shutdown hook runs. */
  kill9(): Promise<void>
  /** SIGTERM: graceful shutdown that flushes pending updates. */
  stop(): Promise<number | null>
}

/**
 * `tsx src/server/main.ts --no-next` as a real child process. Run as `node --import tsx` so the
 * server is this very process: the `tsx` CLI would put a second process in between, and SIGKILL
 * on it would leave the real server running.
 */
export async function spawnServer(options: {
  port: number
  dataDir: string
  driver: DriverName
  env?: Record<string, string>
  timeoutMs?: number
}): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    DATA_DIR: options.dataDir,
    COLLAB_SECRET: testSecret,
    ENSEMBLE_NEXT: '0',
    NODE_ENV: 'test',
    ...options.env,
  }
  if (options.driver === 'pglite') delete env.DATABASE_URL
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', '--no-next'], {
    cwd: webDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let output = ''
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString()
  })
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child)
      resolve(code)
    }),
  )
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in time:\n${output}`)),
      options.timeoutMs ?? 30_000,
    )
    const onData = () => {
      if (output.includes('listening on')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout?.on('data', onData)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before listening:\n${output}`))
    })
  })
  return {
    child,
    port: options.port,
    output: () => output,
    async kill9() {
      child.kill('SIGKILL')
      await exited
    },
    async stop() {
      child.kill('SIGTERM')
      return exited
    },
  }
}
