/**
 * Cold load: how long a new client waits for a song after the server restarted.
 *
 *   pnpm --filter @ensemble/bench cold-load -- [--notes 10000] [--edits 1000,10000,100000] [--repeat 5]
 *     [--before /path/to/other/checkout/apps/web]
 *
 * For each history length the bench starts the server on the embedded database (PGlite) in a fresh
 * data directory, writes a song of --notes notes through the WebSocket as a client would (500 notes
 * a transaction), then that many edits (one note moved a tick each, ten a message), waits until every edit is
 * "saved", and stops the server (SIGTERM, which flushes). Then, --repeat times: start the server on
 * that data directory, wait for "listening", open a WebSocket to the room, send sync step 1 with an
 * empty state vector and time the answer's sync step 2 (the whole song): from the moment the socket
 * is created (what the user waits for) and from its `open` event. With --before, the same data
 * directory is copied and the other checkout's server takes turns with this one, so that both are
 * measured under the same machine load.
 *
 * Each server runs as `pnpm start` runs it, the bundle `dist/main.js` with the start script's flags, when it was
 * built (`pnpm --filter @ensemble/web build`); otherwise from its TypeScript through tsx (slower first paths).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { addClip, addNotes, addTrack, createSongDoc, moveNotes, UserOrigin } from '@ensemble/core'
import { signRoomToken } from '@ensemble/web/collab-tokens'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { freePort, percentile } from './measure'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const SECRET = 'bench-secret-bench-secret-bench-secret'
const ROOM = 'cold-load-song'
const SYNC = 0
const STEP1 = 0
const STEP2 = 1
const UPDATE = 2
const SAVED = 100
const EDITS_PER_MESSAGE = 10

interface Options {
  notes: number
  edits: number[]
  repeat: number
  /** apps/web of another checkout ("before"), run in turns with this one. */
  before: string | null
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`)
    return i >= 0 ? argv[i + 1] : undefined
  }
  return {
    notes: Number(get('notes') ?? 10_000),
    edits: (get('edits') ?? '1000,10000,100000').split(',').map(Number),
    repeat: Math.max(1, Number(get('repeat') ?? 5)),
    before: get('before') ?? null,
  }
}

interface Server {
  url: string
  child: ChildProcess
  stop(): Promise<void>
}

async function startServer(webDir: string, dataDir: string): Promise<Server> {
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    COLLAB_SECRET: SECRET,
    ENSEMBLE_NEXT: '0',
    COLLAB_TOKEN_ONLY_ROOMS: '1',
    COLLAB_MESSAGES_PER_SECOND: '100000',
    COLLAB_MESSAGE_BURST: '100000',
  }
  delete env.DATABASE_URL
  const built = existsSync(path.join(webDir, 'dist', 'main.js'))
  const args = built
    ? ['--max-semi-space-size=4', '--optimize-for-size', 'dist/main.js', '--no-next']
    : ['--import', 'tsx', 'src/server/main.ts', '--no-next']
  if (built) Object.assign(env, { NODE_ENV: 'production', MALLOC_ARENA_MAX: '2' })
  console.log(`  server: ${webDir} ${built ? '(built: dist/main.js)' : '(from source, through tsx)'}`)
  const child = spawn(process.execPath, args, {
    cwd: webDir,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    // Generous: a fresh data directory is migrated first, and the machine may be shared.
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error('the server did not start'))
    }, 300_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      const prewarmed = /\[collab\] prewarm[^\n]*/.exec(chunk.toString())
      if (prewarmed) console.log(`  server: ${prewarmed[0]}`)
      if (/listening/.test(chunk.toString())) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)))
  })
  return {
    url: `ws://127.0.0.1:${port}/collab/${ROOM}`,
    child,
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}

const roomToken = () => signRoomToken({ sub: 'bench', project: ROOM, role: 'editor' }, { secret: SECRET })

function frame(sub: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, SYNC)
  encoding.writeVarUint(e, sub)
  encoding.writeVarUint8Array(e, payload)
  return encoding.toUint8Array(e)
}

/** Writes the song and its history through the server, as one client; resolves once all is saved. */
async function seed(server: Server, notes: number, edits: number): Promise<{ bytes: number }> {
  const socket = new WebSocket(`${server.url}?token=${await roomToken()}&saved=1`)
  socket.binaryType = 'nodebuffer'
  const doc = new Y.Doc()
  let saved = 0
  let waiter: (() => void) | null = null
  socket.on('message', (data: Buffer) => {
    const d = decoding.createDecoder(new Uint8Array(data))
    const type = decoding.readVarUint(d)
    if (type === SAVED) {
      const n = decoding.readVarUint(d)
      for (let i = 0; i < n; i++) {
        const client = decoding.readVarUint(d)
        const clock = decoding.readVarUint(d)
        if (client === doc.clientID) saved = Math.max(saved, clock)
      }
      if (waiter !== null && saved >= Y.getState(doc.store, doc.clientID)) waiter()
      return
    }
    if (type !== SYNC) return
    if (decoding.readVarUint(d) === STEP1) {
      socket.send(frame(STEP2, Y.encodeStateAsUpdate(doc, decoding.readVarUint8Array(d))))
    }
  })
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  doc.on('update', (update: Uint8Array) => socket.send(frame(UPDATE, update)))
  const allSaved = () =>
    new Promise<void>((resolve) => {
      if (saved >= Y.getState(doc.store, doc.clientID)) return resolve()
      waiter = () => {
        waiter = null
        resolve()
      }
    })

  const origin = new UserOrigin('bench')
  const song = createSongDoc({ title: 'Cold load' })
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(song))
  song.destroy()
  const trackId = addTrack(doc, origin, { kind: 'instrument' })
  const { clipId } = addClip(doc, origin, trackId, { start: 0, length: 960 * 4 * 256 })
  const ids: string[] = []
  for (let i = 0; i < notes; i += 500) {
    const batch = Array.from({ length: Math.min(500, notes - i) }, (_, k) => ({
      pitch: 36 + ((i + k) % 48),
      start: (i + k) * 96,
      duration: 90,
    }))
    ids.push(...addNotes(doc, origin, trackId, clipId, batch))
  }
  await allSaved()
  // Ten edits (one note moved a tick each) a transaction: the history's size in the song is the
  // same as with one a transaction, and seeding 100k edits takes a tenth of the messages.
  for (let i = 0; i < edits; i += EDITS_PER_MESSAGE) {
    doc.transact(() => {
      for (let k = i; k < Math.min(edits, i + EDITS_PER_MESSAGE); k++) {
        const id = ids[(k * 7919) % ids.length] as string
        moveNotes(doc, origin, trackId, clipId, [id], { deltaTicks: k % 2 === 0 ? 1 : -1 })
      }
    }, origin)
    if (i % 5000 === 5000 - EDITS_PER_MESSAGE) await allSaved()
  }
  await allSaved()
  socket.close()
  return { bytes: Y.encodeStateAsUpdate(doc).byteLength }
}

interface Sample {
  /** From creating the socket to the song (sync step 2) received. */
  connectMs: number
  /** From the socket's `open` event to the song received. */
  openMs: number
}

/** One cold client: the server was just started and nobody has opened the room. */
async function coldClient(server: Server): Promise<Sample> {
  const token = await roomToken()
  const started = performance.now()
  const socket = new WebSocket(`${server.url}?token=${token}`)
  socket.binaryType = 'nodebuffer'
  let opened = 0
  const songAt = await new Promise<number>((resolve, reject) => {
    socket.once('error', reject)
    socket.once('open', () => {
      opened = performance.now()
      socket.send(frame(STEP1, Y.encodeStateVector(new Y.Doc())))
    })
    socket.on('message', (data: Buffer) => {
      const d = decoding.createDecoder(new Uint8Array(data))
      if (decoding.readVarUint(d) !== SYNC || decoding.readVarUint(d) !== STEP2) return
      const at = performance.now()
      // Check that the whole song came (and make the client pay for reading it, as a browser would).
      const song = new Y.Doc()
      Y.applyUpdate(song, decoding.readVarUint8Array(d))
      song.destroy()
      resolve(at)
    })
  })
  socket.close()
  return { connectMs: songAt - started, openMs: songAt - opened }
}

interface Variant {
  name: string
  webDir: string
  dataDir: string
  samples: Sample[]
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  const here = path.join(repoRoot, 'apps/web')
  console.log(
    `cold load: ${options.notes} notes, ${options.repeat} restarts per server and history; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  )
  const rows: string[] = []
  for (const edits of options.edits) {
    const seedDir = mkdtempSync(path.join(tmpdir(), 'ensemble-cold-'))
    const seeding = await startServer(here, seedDir)
    const t0 = performance.now()
    const { bytes } = await seed(seeding, options.notes, edits)
    await seeding.stop()
    console.log(
      `  seeded ${edits} edits in ${((performance.now() - t0) / 1000).toFixed(1)} s (song state ${(bytes / 1024).toFixed(0)} KiB)`,
    )
    const variants: Variant[] = [{ name: 'this', webDir: here, dataDir: seedDir, samples: [] }]
    if (options.before !== null) {
      const copy = mkdtempSync(path.join(tmpdir(), 'ensemble-cold-'))
      cpSync(seedDir, copy, { recursive: true })
      variants.unshift({ name: 'before', webDir: options.before, dataDir: copy, samples: [] })
    }
    for (let r = 0; r < options.repeat; r++) {
      for (const variant of variants) {
        const server = await startServer(variant.webDir, variant.dataDir)
        try {
          variant.samples.push(await coldClient(server))
        } finally {
          await server.stop()
        }
      }
    }
    for (const variant of variants) {
      const connect = variant.samples.map((s) => s.connectMs).sort((a, b) => a - b)
      const open = variant.samples.map((s) => s.openMs).sort((a, b) => a - b)
      const row = `${String(edits).padStart(7)} edits  ${variant.name.padEnd(6)}  socket→song median ${percentile(connect, 50).toFixed(0).padStart(4)} ms (min ${connect[0]?.toFixed(0)}, max ${connect.at(-1)?.toFixed(0)})  open→song median ${percentile(open, 50).toFixed(0).padStart(4)} ms`
      console.log(row)
      rows.push(row)
      rmSync(variant.dataDir, { recursive: true, force: true })
    }
  }
  console.log(`\nsummary (load average now ${loadavg()[0]?.toFixed(1)}):`)
  for (const row of rows) console.log(row)
}

await main()
process.exit(0)
