/**
 * Live-jam benchmark (docs/BENCHMARKS.md "Live jam"): two members of one song, each a real studio jam session
 * (`createJamSession`) on a real collab connection (`connectSong`, y-websocket) to a real server process, in
 * this one process so both share one clock. Their transports are stand-ins that record when they are asked to
 * start and to sound notes; the audio engine's own output latency is not in these figures.
 *
 *   pnpm --filter @ensemble/bench jam -- [--notes 200] [--interval-delay 150] [--interval-jitter 50]
 *
 * - clock sync error: the two members' estimates of the server's clock at one instant (sampled every 100 ms
 *   over the run), and each against the server's true clock (same machine, epoch clocks).
 * - key-to-note latency, live mode, loopback: A plays a note (local time t); B's transport is told to sound
 *   it at local time t'. Latency = t' - t, the jitter buffer included.
 * - interval beat error: A plays on its beats; through a proxy adding delay ± jitter, B schedules each note at
 *   t'. Error = t' minus the moment A's beat + one interval falls on (A's own timeline, same clock).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createSongDoc, PPQ, UserOrigin } from '@ensemble/core'
import { connectSong, type SongConnection } from '@ensemble/web/collab-client'
import { signRoomToken } from '@ensemble/web/collab-tokens'
import { createJamSession, type JamSession, type JamTransport } from '@ensemble/web/jam-session'
import { WebSocket } from 'ws'
import { startServer as startWebServer, stop as stopWebServer, waitForHealth } from '../assets/web-server'
import { freePort, percentile } from '../collab/measure'
import { startDelayProxy } from './delay-proxy'

const SECRET = 'bench-secret-bench-secret-bench-secret'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const NOTES = arg('notes', 200)
const DELAY = arg('interval-delay', 150)
const JITTER = arg('interval-jitter', 50)

/** The real web server (its own start script, no Next.js) on a fresh data directory, on PGlite. */
async function startServer(): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort()
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-jam-bench-'))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    COLLAB_SECRET: SECRET,
    COLLAB_TOKEN_ONLY_ROOMS: '1',
    COLLAB_PREWARM_ROOMS: '0',
  }
  delete env.DATABASE_URL
  const child = startWebServer(env)
  await waitForHealth(`http://127.0.0.1:${port}`)
  return {
    port,
    stop: async () => {
      await stopWebServer(child)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

interface Member {
  connection: SongConnection
  session: JamSession
  starts: { tick: number; atMs: number }[]
  sounded: { pitch: number; atMs: number; calledAt: number }[]
}

async function member(url: string, project: string, id: string): Promise<Member> {
  const doc = createSongDoc()
  const token = await signRoomToken({ sub: id, project, role: 'editor', name: id }, { secret: SECRET })
  const connection = connectSong({
    url,
    projectId: project,
    token,
    doc,
    persist: false,
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
  })
  const starts: Member['starts'] = []
  const sounded: Member['sounded'] = []
  let startedAt: { tick: number; atMs: number } | null = null
  const transport: JamTransport = {
    startAt: (tick, atMs) => {
      startedAt = { tick, atMs }
      starts.push(startedAt)
    },
    stop: () => {
      startedAt = null
    },
    playing: () => startedAt !== null,
    position: () => 0,
    noteOn: (_track, pitch, _velocity, atMs) =>
      sounded.push({ pitch, atMs: atMs ?? performance.now(), calledAt: performance.now() }),
    noteOff: () => {},
  }
  const session = createJamSession({
    link: connection.jam,
    transport,
    doc,
    self: { id, name: id },
    canPlay: true,
    origin: new UserOrigin(id),
  })
  await until(
    () => connection.provider.synced && session.serverNow() !== null,
    'synced with a clock estimate',
  )
  return { connection, session, starts, sounded }
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await sleep(5)
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  }
}
const fmt = (s: ReturnType<typeof stats>) =>
  `n=${s.n} p50=${s.p50.toFixed(2)} ms p90=${s.p90.toFixed(2)} ms p99=${s.p99.toFixed(2)} ms max=${s.max.toFixed(2)} ms`

/** Plays `count` notes 125 ms apart on A and waits for B to have them all. */
async function playNotes(
  a: Member,
  b: Member,
  count: number,
  onBeat: boolean,
): Promise<{ pressedAt: number; tick: number }[]> {
  const pressed: { pressedAt: number; tick: number }[] = []
  const off = a.session.notes.subscribe(
    (e) => {
      if (e.note.on) pressed.push({ pressedAt: performance.now(), tick: e.note.tick })
    },
    { origin: 'local' },
  )
  const before = b.sounded.length
  for (let i = 0; i < count; i++) {
    a.session.play('keys', 60 + (i % 12), 100)
    a.session.release('keys', 60 + (i % 12))
    await sleep(onBeat ? 250 : 125)
  }
  await until(() => b.sounded.length >= before + count, 'all notes at B', 60_000)
  off()
  return pressed
}

async function main() {
  const load = readFileSync('/proc/loadavg', 'utf8').trim()
  const server = await startServer()
  const url = `ws://127.0.0.1:${server.port}/collab`
  try {
    // Live mode on loopback.
    const liveProject = `jam-bench-live-${Date.now()}`
    const a = await member(url, liveProject, 'a')
    const b = await member(url, liveProject, 'b')
    await sleep(3000) // steady probes
    const clockPairs: number[] = []
    const clockTruth: number[] = []
    const sampler = setInterval(() => {
      const ta = a.session.serverNow()
      const tb = b.session.serverNow()
      const truth = performance.timeOrigin + performance.now()
      if (ta !== null && tb !== null) {
        clockPairs.push(Math.abs(ta - tb))
        clockTruth.push(Math.abs(ta - truth), Math.abs(tb - truth))
      }
    }, 100)
    a.session.start({ mode: 'live', intervalBars: 1 })
    await until(() => a.starts.length > 0 && b.starts.length > 0, 'jam started at both')
    const startSkew = Math.abs((a.starts[0]?.atMs ?? 0) - (b.starts[0]?.atMs ?? 0))
    await sleep(1600)
    const liveBefore = b.sounded.length
    const pressed = await playNotes(a, b, NOTES, false)
    const latency = b.sounded.slice(liveBefore).map((s, i) => s.atMs - (pressed[i]?.pressedAt ?? 0))
    const delivery = b.sounded.slice(liveBefore).map((s, i) => s.calledAt - (pressed[i]?.pressedAt ?? 0))
    clearInterval(sampler)
    a.session.stop()
    for (const m of [a, b]) {
      m.session.destroy()
      m.connection.destroy()
    }

    // Interval mode through the delaying proxy.
    const proxy = await startDelayProxy(
      { host: '127.0.0.1', port: server.port },
      () => DELAY + (Math.random() * 2 - 1) * JITTER,
    )
    const proxied = `ws://127.0.0.1:${proxy.port}/collab`
    const intervalProject = `jam-bench-interval-${Date.now()}`
    const c = await member(proxied, intervalProject, 'c')
    const d = await member(proxied, intervalProject, 'd')
    await sleep(8000) // probes through the delay: the min-RTT filter needs a few
    c.session.start({ mode: 'interval', intervalBars: 1 })
    await until(() => c.starts.length > 0 && d.starts.length > 0, 'interval jam at both', 60_000)
    const cStart = c.starts.at(-1) as { tick: number; atMs: number }
    const ticksPerMs = (120 / 60_000) * PPQ
    await until(() => performance.now() > cStart.atMs + 100, 'jam begun')
    const intervalBefore = d.sounded.length
    const played = await playNotes(c, d, Math.min(NOTES, 40), true)
    const beatError = d.sounded.slice(intervalBefore).map((s, i) => {
      const tick = (played[i]?.tick ?? 0) + 4 * PPQ
      return Math.abs(s.atMs - (cStart.atMs + (tick - cStart.tick) / ticksPerMs))
    })
    const late = d.session.status().lateDropped
    for (const m of [c, d]) {
      m.session.destroy()
      m.connection.destroy()
    }
    await proxy.close()

    console.log(`load before: ${load}   after: ${readFileSync('/proc/loadavg', 'utf8').trim()}`)
    console.log(`clock sync, two members (|A - B| estimate of the server clock): ${fmt(stats(clockPairs))}`)
    console.log(`clock sync, member vs the server's true clock:                ${fmt(stats(clockTruth))}`)
    console.log(`jam start moment, A vs B (local ms):                          ${startSkew.toFixed(2)} ms`)
    console.log(`live key-to-note (scheduled at B), loopback:                  ${fmt(stats(latency))}`)
    console.log(`live key-to-delivery (B's session hands it to the transport):  ${fmt(stats(delivery))}`)
    console.log(
      `interval beat error, ${DELAY} ± ${JITTER} ms proxy:              ${fmt(stats(beatError))} (late dropped ${late})`,
    )
  } finally {
    await server.stop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
