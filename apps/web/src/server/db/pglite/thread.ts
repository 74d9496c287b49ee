import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Duplex } from 'node:stream'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import pg from 'pg'
import { EMBEDDED_SETTINGS } from './settings'
import type { HostOptions, HostReply, HostRequest } from './wire'

/**
 * The embedded database, seen from the server's main thread: PGlite runs in its own worker thread
 * (host.ts) and is reached through node-postgres over an in-process wire, so the app uses one
 * driver for embedded and external PostgreSQL, and the WebAssembly SQL engine never runs on the
 * thread that forwards collaboration frames.
 */
export interface EmbeddedPostgres {
  /** A one-connection pool: PGlite is a single backend, so its statements queue here. */
  readonly pool: pg.Pool
  /** The data directory as a tarball (tests clone a migrated template from it). */
  dump(): Promise<Blob>
  close(): Promise<void>
}

export interface EmbeddedOptions {
  /** Data directory on disk; undefined = in memory. */
  dataDir?: string
  /** A tarball from `dump()` to start from (tests clone a migrated template). */
  loadDataDir?: Blob
}

/**
 * Set in the built server only (scripts/build-server.mjs): the URL of the bundle that runs. The build
 * bundles the host as `pglite-host.js` beside it; from source (tsx, Vitest) the host is TypeScript, and
 * as a worker does not inherit the main thread's loader, its entry loads it through tsx's API.
 */
declare const BUNDLE_URL: string | undefined
const hostEntry: URL | string =
  typeof BUNDLE_URL === 'string' ? new URL('./pglite-host.js', BUNDLE_URL) : tsxHostEntry()

function tsxHostEntry(): string {
  // tsx/esm/api's `import` entry: require.resolve would give its CommonJS one.
  const tsxApi = pathToFileURL(
    path.join(
      path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')),
      'dist/esm/api/index.mjs',
    ),
  ).href
  return `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(
    new URL('./host.ts', import.meta.url).href,
  )}, ${JSON.stringify(import.meta.url)}))`
}

/** `migrationsFolder`: applied to a cluster this call creates, in the process that creates it. */
export async function startEmbeddedPostgres(
  options: EmbeddedOptions,
  migrationsFolder: string,
): Promise<EmbeddedPostgres> {
  if (options.dataDir !== undefined && options.loadDataDir === undefined && isFresh(options.dataDir)) {
    // Creating a cluster runs initdb inside PGlite, which grows memory by ~450 MiB that is never
    // given back while its process lives. A process of its own creates the cluster, migrates it and
    // exits; the host that serves the server then opens an existing, current directory.
    await createCluster(options.dataDir, migrationsFolder)
  }
  const host = await HostThread.start({
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir !== undefined
      ? { loadDataDir: new Uint8Array(await options.loadDataDir.arrayBuffer()) }
      : {}),
  })
  const pool = new pg.Pool({
    max: 1,
    stream: () => host.openWire(),
    // PGlite's one role and database; any other name ends its backend at startup.
    user: 'postgres',
    database: 'postgres',
    // A statement (or a wait for the one connection) this long means the host is wedged: fail it
    // so the durable log retries instead of stalling every commit behind it.
    query_timeout: 60_000,
    connectionTimeoutMillis: 60_000,
    // The one connection costs nothing to keep (no socket): do not close it when idle.
    idleTimeoutMillis: 0,
  })
  pool.on('error', (err) => console.warn(`[db] embedded database connection error: ${err.message}`))
  return {
    pool,
    dump: async () => new Blob([await host.dump()]),
    close: async () => {
      await pool.end()
      await host.close()
    },
  }
}

/** Runs initdb.mjs in a child process; rejects with its error if it fails. */
function createCluster(dataDir: string, migrationsFolder: string): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('./initdb.mjs', import.meta.url)),
      dataDir,
      JSON.stringify(EMBEDDED_SETTINGS),
      migrationsFolder,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      if (code === 0) resolve()
      else
        reject(
          new Error(
            `embedded database failed to start: creating its cluster failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`,
          ),
        )
    })
  })
}

/** A data directory PostgreSQL has not initialized yet (its cluster is created on first open). */
const isFresh = (dataDir: string): boolean => !existsSync(path.join(dataDir, 'PG_VERSION'))

class HostThread {
  private nextId = 1
  private readonly wires = new Map<number, WireStream>()
  private readonly waiting = new Map<
    number,
    { resolve: (reply: HostReply) => void; reject: (err: Error) => void }
  >()
  private dead: Error | null = null
  private closing = false

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: HostReply) => this.receive(reply))
    worker.on('error', (err) => this.fail(err))
    worker.on('exit', (code) => this.fail(new Error(`embedded database thread exited (code ${code})`)))
  }

  static start(options: HostOptions): Promise<HostThread> {
    const transfer = options.loadDataDir ? [options.loadDataDir.buffer as ArrayBuffer] : []
    const worker = new Worker(hostEntry, {
      eval: typeof hostEntry === 'string',
      workerData: options,
      transferList: transfer,
      // The host's own JavaScript only moves wire messages (the SQL engine's memory is WebAssembly):
      // V8's default young generation (up to 48 MiB, resident once grown) buys it nothing.
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    })
    return new Promise((resolve, reject) => {
      const failed = (err: Error): void => {
        worker.off('message', onFirst)
        worker.off('error', failed)
        worker.off('exit', exited)
        reject(new Error(`embedded database failed to start: ${err.message}`))
        void worker.terminate()
      }
      const exited = (code: number): void => failed(new Error(`its thread exited (code ${code})`))
      const onFirst = (reply: HostReply): void => {
        if (reply.kind !== 'ready') {
          failed(new Error(reply.kind === 'failed' ? reply.message : reply.kind))
          return
        }
        worker.off('error', failed)
        worker.off('exit', exited)
        resolve(new HostThread(worker))
      }
      worker.once('message', onFirst)
      worker.once('error', failed)
      worker.once('exit', exited)
    })
  }

  openWire(): WireStream {
    const id = this.nextId++
    const wire = new WireStream(
      (bytes) => this.send({ kind: 'data', connection: id, bytes }, [bytes.buffer]),
      () => {
        this.wires.delete(id)
        if (this.dead === null) this.send({ kind: 'end', connection: id })
      },
      this.dead,
    )
    if (this.dead === null) this.wires.set(id, wire)
    return wire
  }

  async dump(): Promise<Uint8Array<ArrayBuffer>> {
    const reply = await this.request({ kind: 'dump', id: this.nextId++ })
    if (reply.kind !== 'dumped') throw new Error(`unexpected reply ${reply.kind}`)
    return reply.tar
  }

  async close(): Promise<void> {
    if (this.dead !== null) return
    this.closing = true
    await this.request({ kind: 'close', id: this.nextId++ })
    await this.worker.terminate()
  }

  private request(message: Extract<HostRequest, { id: number }>): Promise<HostReply> {
    if (this.dead !== null) return Promise.reject(this.dead)
    return new Promise((resolve, reject) => {
      this.waiting.set(message.id, { resolve, reject })
      this.send(message)
    })
  }

  private send(message: HostRequest, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer)
  }

  private receive(reply: HostReply): void {
    switch (reply.kind) {
      case 'data':
        this.wires.get(reply.connection)?.deliver(reply.bytes)
        return
      case 'dumped':
      case 'closed': {
        this.waiting.get(reply.id)?.resolve(reply)
        this.waiting.delete(reply.id)
        return
      }
      case 'fault': {
        // The statement in flight on that connection will never be answered: fail it.
        const err = new Error(`embedded database: ${reply.message}`)
        if (reply.connection !== undefined) this.wires.get(reply.connection)?.destroy(err)
        else for (const wire of this.wires.values()) wire.destroy(err)
        return
      }
      default:
        return
    }
  }

  private fail(err: Error): void {
    if (this.dead !== null) return
    this.dead = err
    if (!this.closing)
      console.error(`[db] ${err.message}: every statement fails from now on; restart the server`)
    for (const wire of this.wires.values()) wire.destroy(err)
    this.wires.clear()
    for (const { reject } of this.waiting.values()) reject(err)
    this.waiting.clear()
  }
}

/**
 * The socket node-postgres thinks it has: what it writes goes to the host thread, what the host
 * answers is pushed back. Implements the few `net.Socket` methods the driver calls.
 */
class WireStream extends Duplex {
  private finished = false

  constructor(
    private readonly send: (bytes: Uint8Array<ArrayBuffer>) => void,
    private readonly onFinish: () => void,
    private readonly deadOnArrival: Error | null,
  ) {
    super()
  }

  connect(): this {
    process.nextTick(() => {
      if (this.deadOnArrival !== null) this.destroy(this.deadOnArrival)
      else this.emit('connect')
    })
    return this
  }

  setNoDelay(): this {
    return this
  }

  setKeepAlive(): this {
    return this
  }

  ref(): this {
    return this
  }

  unref(): this {
    return this
  }

  deliver(bytes: Uint8Array): void {
    this.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.send(new Uint8Array(chunk))
    callback()
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.send(new Uint8Array(Buffer.concat(chunks.map((c) => c.chunk))))
    callback()
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.finish()
    this.push(null)
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.finish()
    callback(error)
  }

  private finish(): void {
    if (this.finished) return
    this.finished = true
    this.onFinish()
  }
}
