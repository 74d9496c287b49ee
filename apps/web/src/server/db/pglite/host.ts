import { mkdirSync } from 'node:fs'
import { type MessagePort, parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'
import { EMBEDDED_SETTINGS } from './settings'
import {
  type HostOptions,
  type HostReply,
  type HostRequest,
  joinBytes,
  splitWireMessages,
  TERMINATE,
} from './wire'

/**
 * Runs in a worker thread and owns the embedded database. PGlite executes SQL synchronously in
 * WebAssembly: on the server's main thread every commit would stall the collaboration broadcast,
 * so here it gets a thread of its own and speaks the PostgreSQL wire protocol to the main thread
 * (see thread.ts), which uses the same node-postgres driver as for a real PostgreSQL.
 */

if (parentPort === null) throw new Error('pglite/host.ts must run in a worker thread')
const port: MessagePort = parentPort
const options = workerData as HostOptions

const post = (reply: HostReply, transfer: ArrayBuffer[] = []): void => port.postMessage(reply, transfer)

/** Per connection: whether its startup message went through, and bytes short of a whole message. */
const connections = new Map<number, { started: boolean; rest: Uint8Array<ArrayBuffer> }>()
/** The connection whose statements ran last: the owner of an open transaction, if any. */
let lastConnection: number | null = null
/** Work runs one item at a time, in arrival order, as a single PostgreSQL backend would. */
let queue: Promise<void> = Promise.resolve()
const enqueue = (work: () => Promise<void>, connection?: number): void => {
  queue = queue.then(work).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : JSON.stringify(err)
    post(connection === undefined ? { kind: 'fault', message } : { kind: 'fault', message, connection })
    // PGlite's program has exited (it throws an ExitStatus, not an Error): every later statement
    // would fail too, so end the thread and let the server see the database as gone at once.
    if (isExitStatus(err)) process.exit(1)
  })
}

async function main(): Promise<void> {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true })
  const db = await PGlite.create({
    postgresqlconf: EMBEDDED_SETTINGS,
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir !== undefined ? { loadDataDir: new Blob([options.loadDataDir]) } : {}),
  })

  const runWire = async (connection: number, bytes: Uint8Array<ArrayBuffer>): Promise<void> => {
    const state = connections.get(connection) ?? { started: false, rest: new Uint8Array(0) }
    connections.set(connection, state)
    const { messages, rest } = splitWireMessages(joinBytes(state.rest, bytes), state.started)
    state.rest = rest
    // One reply per batch: node-postgres writes Parse/Bind/Describe/Execute/Sync together.
    const out: Uint8Array<ArrayBuffer>[] = []
    for (const message of messages) {
      if (state.started && message[0] === TERMINATE) {
        await endConnection(connection)
        break
      }
      await db.runExclusive(() =>
        db.execProtocolRawStream(message, { onRawData: (chunk) => out.push(chunk.slice()) }),
      )
      lastConnection = connection
      state.started = true
    }
    const reply = joinBytes(...out)
    if (reply.byteLength > 0) post({ kind: 'data', connection, bytes: reply }, [reply.buffer])
  }

  // PGlite is one backend (one session) under every connection. A connection that goes away must not
  // leave the next one inside its transaction, nor with its named prepared statements and settings:
  // node-postgres prepares its statements again on a new connection and "already exists" would fail
  // every one of them. Ends arrive twice (Terminate, then the stream's end); the second is a no-op.
  const endConnection = async (connection: number): Promise<void> => {
    if (!connections.delete(connection)) return
    if (lastConnection === connection && db.isInTransaction()) await db.exec('ROLLBACK')
    if (connections.size === 0) await db.exec('DISCARD ALL')
  }

  port.on('message', (request: HostRequest) => {
    switch (request.kind) {
      case 'data':
        enqueue(() => runWire(request.connection, request.bytes), request.connection)
        return
      case 'end':
        enqueue(() => endConnection(request.connection))
        return
      case 'dump':
        enqueue(async () => {
          const tar = new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer())
          post({ kind: 'dumped', id: request.id, tar }, [tar.buffer])
        })
        return
      case 'close':
        enqueue(async () => {
          await db.close()
          post({ kind: 'closed', id: request.id })
          port.close()
        })
        return
    }
  })
  post({ kind: 'ready' })
}

const isExitStatus = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'ExitStatus'

main().catch((err: unknown) => {
  post({ kind: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) })
})
