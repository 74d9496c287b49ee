/**
 * 16 audio tracks × 3 minutes playing in Chromium (issue 21: "audio thread load and dropouts, goal: none").
 * A collaborator in Node uploads one generated take per track to the real server (tus, as the studio does,
 * with its peaks) and writes 16 audio tracks of back-to-back clips (`--clip-seconds` each, with gain and
 * fades, at varying offsets into the take) with core's operations; the player opens the song in Debian's
 * Chromium and plays it through the studio's own engine (the play button). The first play loads and decodes
 * every take (timed: "cold"); then the song is rewound and played for `--seconds` while this measures:
 *
 * - the audio rendering threads' CPU (from /proc: the renderer's real-time audio threads), as a share of one
 *   core: the audio thread's load, the fraction of real time spent rendering;
 * - Chromium's own playback statistics (`AudioContext.playbackStats`, Chrome 146+; `playoutStats` before):
 *   underrun events and their duration, as the audio output saw them;
 * - an AudioWorklet probe on the studio's context: render quanta that came late against the wall clock (a gap
 *   between callbacks longer than `LATE_MS` beyond the frames they cover) and how far the audio clock fell
 *   behind the wall clock over the window (audio never rendered: dropped), plus the master's RMS, which
 *   shows the clips actually sounded;
 * - long tasks on the page's main thread and the machine's load.
 *
 * Needs `pnpm --filter @ensemble/web build` first.
 *
 *   pnpm --filter @ensemble/bench studio-audio-tracks [-- --tracks 16 --seconds 180 --asset-seconds 60
 *     --clip-seconds 12 --port 3970]
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { addAudioClip, addTrack, PPQ, setTempo, setTitle, UserOrigin } from '@ensemble/core'
import { computePeaks, encodePeaks, encodeWav } from '@ensemble/core/audio/node'
import { tusUpload } from '../assets/tus-upload'
import { arg } from './command-line'
import { describeMachine } from './machine'
import {
  collabClient,
  launchChromium,
  newPlayer,
  openStudio,
  type Player,
  shareSong,
  sleep,
  startStudioServer,
} from './studio-session'

const tracks = Number(arg('tracks', '16'))
const seconds = Number(arg('seconds', '180'))
const assetSeconds = Number(arg('asset-seconds', '60'))
const clipSeconds = Number(arg('clip-seconds', '12'))
const port = arg('port', '')
/** Seconds of the warm window to profile the page's main thread for (0: none); prints the busiest functions. */
const profileSeconds = Number(arg('profile', '0'))

const RATE = 48_000
const BPM = 120
const TICKS_PER_SECOND = (BPM / 60) * PPQ
const MiB = 1024 * 1024
/** A callback later than its frames' duration by more than this counts as late (a likely dropout). */
const LATE_MS = 10

if (clipSeconds > assetSeconds) throw new Error('--clip-seconds must not exceed --asset-seconds')

/** One take per track: mono, a sine with a little noise, its own pitch (each take's bytes differ). */
function take(index: number): { samples: Float32Array; wav: Uint8Array<ArrayBuffer> } {
  const frames = assetSeconds * RATE
  const samples = new Float32Array(frames)
  let noise = index + 1
  const hz = 110 * 2 ** (index / 12)
  for (let i = 0; i < frames; i++) {
    noise = (noise * 1103515245 + 12345) & 0x7fffffff
    samples[i] = 0.2 * Math.sin((2 * Math.PI * hz * i) / RATE) + ((noise % 512) - 256) / 65536
  }
  return { samples, wav: encodeWav({ sampleRate: RATE, channels: [samples] }) }
}

async function cookieHeader(player: Player): Promise<string> {
  return (await player.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ')
}

/** Stores each take (peaks first, as the studio does) and returns its hash. */
async function storeTake(base: string, cookie: string, songId: string, index: number): Promise<string> {
  const { samples, wav } = take(index)
  const hash = createHash('sha256').update(wav).digest('hex')
  const peaks = await fetch(`${base}/api/projects/${songId}/assets/${hash}/peaks`, {
    method: 'PUT',
    headers: { cookie, 'content-type': 'application/octet-stream' },
    body: encodePeaks(computePeaks([samples], RATE)),
  })
  if (peaks.status !== 204) throw new Error(`PUT peaks: ${peaks.status} ${await peaks.text()}`)
  await tusUpload(base, cookie, songId, wav, hash)
  return hash
}

/**
 * Put into the page before the studio loads: records the AudioContexts it creates, counts decodes and
 * started sources, taps whatever connects to a destination into a probe worklet, and watches long tasks.
 */
const PROBE_PAGE = `(() => {
  // One probe node per context (Tone makes a default one before the studio makes its 48 kHz one).
  const nodes = new Map()
  const probe = { contexts: [], decoded: 0, decodeMs: 0, sourcesStarted: 0, starts: [], longTasks: [], node: null, toDestination: [] }
  window.__audioProbe = probe
  const Native = window.AudioContext
  window.AudioContext = new Proxy(Native, {
    construct(target, args, newTarget) {
      const context = Reflect.construct(target, args, newTarget)
      probe.contexts.push(context)
      const code = ${JSON.stringify(`
        class Probe extends AudioWorkletProcessor {
          constructor() {
            super()
            this.calls = 0; this.late = 0; this.lateMs = 0; this.worstMs = 0
            this.prev = null; this.sum = 0; this.count = 0; this.base = null; this.lag = 0
            this.port.onmessage = () => {
              this.port.postMessage({ calls: this.calls, late: this.late, lateMs: this.lateMs, worstMs: this.worstMs,
                rms: Math.sqrt(this.sum / Math.max(1, this.count)), lagMs: this.lag })
              this.calls = 0; this.late = 0; this.lateMs = 0; this.worstMs = 0; this.sum = 0; this.count = 0
            }
          }
          process(inputs) {
            const now = Date.now()
            const at = currentFrame / sampleRate * 1000
            // How far the audio clock is behind the wall clock, from the smallest gap seen (the first call's
            // gap can include start-up): it grows by the audio that was never rendered.
            if (this.base === null || now - at < this.base) this.base = now - at
            this.lag = now - at - this.base
            if (this.prev !== null) {
              const wall = now - this.prev.now
              const audio = at - this.prev.at
              const over = wall - audio
              if (over > ${LATE_MS}) { this.late++; this.lateMs += over; this.worstMs = Math.max(this.worstMs, over) }
            }
            this.prev = { now, at }
            this.calls++
            const channel = inputs[0] && inputs[0][0]
            if (channel) for (let i = 0; i < channel.length; i++) { this.sum += channel[i] * channel[i] }
            this.count += channel ? channel.length : 0
            return true
          }
        }
        registerProcessor('bench-probe', Probe)
      `)}
      const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }))
      context.audioWorklet.addModule(url).then(() => {
        const node = new AudioWorkletNode(context, 'bench-probe', { numberOfOutputs: 0 })
        nodes.set(context, node)
        if (probe.contexts.at(-1) === context) probe.node = node
        for (const from of probe.toDestination) if (from.context === context) connect.call(from, node)
      })
      return context
    },
  })
  const connect = AudioNode.prototype.connect
  AudioNode.prototype.connect = function (destination, ...rest) {
    const result = connect.call(this, destination, ...rest)
    if (destination instanceof AudioDestinationNode) {
      probe.toDestination.push(this)
      const node = nodes.get(this.context)
      if (node) connect.call(this, node)
    }
    return result
  }
  const decode = BaseAudioContext.prototype.decodeAudioData
  BaseAudioContext.prototype.decodeAudioData = function (...args) {
    const t = performance.now()
    return decode.apply(this, args).then((buffer) => {
      probe.decoded++
      probe.decodeMs += performance.now() - t
      return buffer
    })
  }
  const start = AudioBufferSourceNode.prototype.start
  AudioBufferSourceNode.prototype.start = function (...args) {
    probe.sourcesStarted++
    probe.starts.push([this.context.currentTime, args[0], args[1], args[2]])
    return start.apply(this, args)
  }
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.longTasks.push(e.duration)
  }).observe({ type: 'longtask', buffered: true })
})()`

interface Window {
  calls: number
  late: number
  lateMs: number
  worstMs: number
  rms: number
  lagMs: number
}

interface PlaybackStats {
  underrunEvents: number
  underrunDuration: number
  totalDuration: number
  averageLatency?: number
}

/** What the page says: the probe's window (and resets it), Chromium's stats, decodes and sources. */
async function readProbe(player: Player) {
  return player.page.evaluate(async () => {
    type Probe = {
      contexts: AudioContext[]
      decoded: number
      decodeMs: number
      sourcesStarted: number
      longTasks: number[]
      node: AudioWorkletNode | null
    }
    const probe = (window as unknown as { __audioProbe: Probe }).__audioProbe
    const context = probe.contexts.at(-1)
    const statsOf = (c: AudioContext | undefined) => {
      const raw = c as unknown as Record<string, Record<string, number> | undefined>
      const s = raw?.playbackStats ?? raw?.playoutStats
      if (s === undefined) return null
      // playbackStats (146+) and the older playoutStats (fallback frames) name the same things differently.
      return {
        underrunEvents: s.underrunEvents ?? s.fallbackFramesEvents ?? 0,
        underrunDuration: s.underrunDuration ?? s.fallbackDuration ?? 0,
        totalDuration: s.totalDuration ?? s.totalFramesDuration ?? 0,
        averageLatency: s.averageLatency,
      }
    }
    const window_ =
      probe.node === null
        ? null
        : await new Promise<unknown>((resolve) => {
            const node = probe.node as AudioWorkletNode
            node.port.onmessage = (e) => resolve(e.data)
            node.port.postMessage('report')
          })
    const longTasks = probe.longTasks.splice(0)
    return {
      contexts: probe.contexts.length,
      state: context?.state ?? 'none',
      baseLatency: context?.baseLatency ?? 0,
      decoded: probe.decoded,
      decodeMs: probe.decodeMs,
      sourcesStarted: probe.sourcesStarted,
      stats: statsOf(context),
      hasRenderCapacity: context !== undefined && 'renderCapacity' in context,
      window: window_,
      longTasks: {
        count: longTasks.length,
        ms: longTasks.reduce((a, b) => a + b, 0),
        worst: Math.max(0, ...longTasks),
      },
    }
  }) as Promise<{
    contexts: number
    state: string
    baseLatency: number
    decoded: number
    decodeMs: number
    sourcesStarted: number
    stats: PlaybackStats | null
    hasRenderCapacity: boolean
    window: Window | null
    longTasks: { count: number; ms: number; worst: number }
  }>
}

/** The parent of each process, from /proc. */
function parents(): Map<number, number> {
  const out = new Map<number, number>()
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      out.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {}
  }
  return out
}

/**
 * CPU ticks (utime + stime) of every thread of this bench's Chromium renderers (descendants of this process:
 * other Chromiums on the machine are not counted), by "pid/tid name".
 */
function rendererThreads(): Map<string, number> {
  const out = new Map<string, number>()
  const parent = parents()
  const ours = (pid: number) => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p))
      if (p === process.pid) return true
    return false
  }
  for (const pid of parent.keys()) {
    let cmdline: string
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    } catch {
      continue
    }
    if (!cmdline.includes('--type=renderer') || !ours(pid)) continue
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        out.set(`${pid}/${tid} ${name}`, Number(fields[11]) + Number(fields[12]))
      } catch {}
    }
  }
  return out
}

/** Each thread's share of one core between two samples, busiest first. */
function cpuShares(before: Map<string, number>, after: Map<string, number>, wallSeconds: number) {
  const hz = 100 // USER_HZ: /proc counts in 1/100 s on Linux
  return [...after]
    .map(([key, ticks]) => ({
      thread: key.split(' ').slice(1).join(' '),
      share: (ticks - (before.get(key) ?? 0)) / hz / wallSeconds,
    }))
    .filter((t) => t.share > 0)
    .sort((a, b) => b.share - a.share)
}

const browser = await launchChromium(['--autoplay-policy=no-user-gesture-required'])
const server = await startStudioServer(port === '' ? undefined : Number(port))
try {
  console.log(
    `audio tracks bench: ${tracks} audio tracks × ${seconds} s (${clipSeconds} s clips from ${assetSeconds} s takes), Chromium ${browser.version()}; ${describeMachine()}`,
  )
  const player = await newPlayer(browser, server.base, 'player')
  await player.context.addInitScript(PROBE_PAGE)
  const songId = await shareSong(server.base, player, [])
  const cookie = await cookieHeader(player)

  let t = performance.now()
  const hashes: string[] = []
  for (let i = 0; i < tracks; i += 4)
    hashes.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(4, tracks - i) }, (_, j) =>
          storeTake(server.base, cookie, songId, i + j),
        ),
      )),
    )
  const takeMiB = (assetSeconds * RATE * 2) / MiB
  console.log(
    `uploaded ${tracks} takes of ${takeMiB.toFixed(1)} MiB in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  )

  const seeder = await collabClient(server, songId, player.userId)
  const me = new UserOrigin(player.userId)
  setTitle(seeder.doc, me, 'Audio tracks bench')
  setTempo(seeder.doc, me, BPM)
  let clips = 0
  for (let i = 0; i < tracks; i++) {
    const trackId = addTrack(seeder.doc, me, { kind: 'audio', name: `Take ${i + 1}` })
    for (let at = 0; at < seconds; at += clipSeconds) {
      const length = Math.min(clipSeconds, seconds - at)
      addAudioClip(seeder.doc, me, trackId, {
        asset: hashes[i] as string,
        start: Math.round(at * TICKS_PER_SECOND),
        // Each clip from elsewhere in the take, so neighbours never join seamlessly: every edge is a cut.
        offset: (clips * 7.3) % (assetSeconds - length),
        length,
        gainDb: -3 - (clips % 4),
        fadeIn: 0.02,
        fadeOut: 0.05,
        provenance: { kind: 'import', fileName: `take-${i + 1}.wav` },
        assetRecord: {
          hash: hashes[i] as string,
          name: `Take ${i + 1}`,
          format: 'wav',
          sampleRate: RATE,
          channels: 1,
          frames: assetSeconds * RATE,
          durationSeconds: assetSeconds,
        },
      })
      clips++
    }
  }
  await openStudio(player, server.base, songId)
  const page = player.page
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console.error(`page ${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`))
  await page
    .getByTestId('track')
    .nth(tracks - 1)
    .waitFor({ timeout: 120_000 })
  await sleep(3000)

  // Cold: the first play loads the engine, downloads and decodes every take while the transport runs.
  t = performance.now()
  await page.getByTestId('play').click()
  for (;;) {
    const p = await readProbe(player)
    if (p.decoded >= tracks) break
    if (performance.now() - t > 120_000)
      throw new Error(`only ${p.decoded} of ${tracks} takes decoded in 120 s`)
    await sleep(200)
  }
  const coldSeconds = (performance.now() - t) / 1000
  await page.getByTestId('play').click()
  // Back to the start, as a person does: a click at the ruler's left end.
  await page.getByTestId('ruler').click({ position: { x: 2, y: 8 } })
  await page.getByTestId('position').filter({ hasText: '1.1.1' }).waitFor()
  await sleep(2000)
  const atRest = await readProbe(player)

  // Warm: every buffer in hand; play for the window.
  const threadsBefore = rendererThreads()
  const loadBefore = loadavg()[0] ?? 0
  t = performance.now()
  await page.getByTestId('play').click()
  const cdp = profileSeconds > 0 ? await page.context().newCDPSession(page) : null
  if (cdp) {
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.start')
  }
  let profiled = false
  const windows: Window[] = []
  const longTasks = { count: 0, ms: 0, worst: 0 }
  let last = atRest
  while ((performance.now() - t) / 1000 < seconds) {
    await sleep(1000)
    last = await readProbe(player)
    if (last.window) windows.push(last.window)
    longTasks.count += last.longTasks.count
    longTasks.ms += last.longTasks.ms
    longTasks.worst = Math.max(longTasks.worst, last.longTasks.worst)
    if (cdp && (performance.now() - t) / 1000 >= profileSeconds && !profiled) {
      profiled = true
      const { profile } = await cdp.send('Profiler.stop')
      const self = new Map<string, number>()
      const dt = new Map<number, number>()
      const samples = profile.samples ?? []
      for (let i = 0; i < samples.length; i++) {
        const id = samples[i] as number
        dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0))
      }
      for (const node of profile.nodes) {
        const f = node.callFrame
        const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`
        self.set(key, (self.get(key) ?? 0) + (dt.get(node.id) ?? 0))
      }
      const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)
      console.log(`main thread, ${profileSeconds} s profiled: busiest functions (self ms)`)
      for (const [key, us] of top) console.log(`  ${(us / 1000).toFixed(0).padStart(6)}  ${key}`)
    }
  }
  const wall = (performance.now() - t) / 1000
  const threadsAfter = rendererThreads()
  await page.getByTestId('play').click()
  const loadAfter = loadavg()[0] ?? 0

  // A clip started twice would sound twice: sources starting at the same time at the same offset.
  const starts = await page.evaluate(
    () => (window as unknown as { __audioProbe: { starts: number[][] } }).__audioProbe.starts,
  )
  const warmStarts = starts.slice(atRest.sourcesStarted)
  const keys = warmStarts.map(([, when, offset]) => `${(when ?? 0).toFixed(3)} ${(offset ?? 0).toFixed(3)}`)
  const duplicateStarts = keys.length - new Set(keys).size
  if (profileSeconds > 0)
    for (const [now, when, offset, duration] of warmStarts.slice(0, 40))
      console.log(
        `start at ${now?.toFixed(3)}: when ${when?.toFixed(3)} offset ${offset?.toFixed(3)} for ${duration?.toFixed(3)}`,
      )
  const shares = cpuShares(threadsBefore, threadsAfter, wall)
  const audioThreads = shares.filter((s) => /audio|worklet/i.test(s.thread))
  const renderer = shares.reduce((a, s) => a + s.share, 0)
  // The first window holds the start's latency; the quietest later one shows whether any second went silent.
  const rms = windows.slice(1).map((w) => w.rms)
  const late = windows.reduce((a, w) => a + w.late, 0)
  const lateMs = windows.reduce((a, w) => a + w.lateMs, 0)
  const worstMs = Math.max(0, ...windows.map((w) => w.worstMs))
  const lagMs = windows.at(-1)?.lagMs ?? 0
  const stats = (s: PlaybackStats | null) =>
    s === null ? 'n/a' : `${s.underrunEvents} events, ${(s.underrunDuration * 1000).toFixed(0)} ms`
  const underruns =
    last.stats !== null && atRest.stats !== null
      ? {
          underrunEvents: last.stats.underrunEvents - atRest.stats.underrunEvents,
          underrunDuration: last.stats.underrunDuration - atRest.stats.underrunDuration,
          totalDuration: last.stats.totalDuration - atRest.stats.totalDuration,
        }
      : null

  console.log(
    JSON.stringify({
      tracks,
      clips,
      seconds,
      takeMiB: Number(takeMiB.toFixed(1)),
      contexts: last.contexts,
      contextState: last.state,
      baseLatencyMs: Number((last.baseLatency * 1000).toFixed(1)),
      renderCapacityApi: last.hasRenderCapacity,
      cold: {
        playToAllDecodedS: Number(coldSeconds.toFixed(1)),
        decodeMsPerTake: Math.round(atRest.decodeMs / Math.max(1, atRest.decoded)),
        playbackStats: stats(atRest.stats),
      },
      warm: {
        wallS: Number(wall.toFixed(1)),
        sourcesStarted: last.sourcesStarted - atRest.sourcesStarted,
        duplicateStarts,
        clipsInWindow: tracks * Math.ceil(Math.min(seconds, wall) / clipSeconds),
        audioThreadsCpuPercent: Number((audioThreads.reduce((a, s) => a + s.share, 0) * 100).toFixed(1)),
        audioThreads: audioThreads.map((s) => `${s.thread} ${(s.share * 100).toFixed(1)} %`),
        rendererCpuPercent: Number((renderer * 100).toFixed(1)),
        busiestRendererThreads: shares.slice(0, 5).map((s) => `${s.thread} ${(s.share * 100).toFixed(1)} %`),
        playbackStatsUnderruns: underruns,
        probeLateCallbacks: late,
        probeLateMs: Math.round(lateMs),
        probeWorstLateMs: Math.round(worstMs),
        audioClockBehindWallMs: Math.round(lagMs),
        masterRms: { min: Number(Math.min(...rms).toFixed(3)), max: Number(Math.max(...rms).toFixed(3)) },
        mainThreadLongTasks: {
          count: longTasks.count,
          ms: Math.round(longTasks.ms),
          worstMs: Math.round(longTasks.worst),
        },
      },
      loadavg1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadAfter.toFixed(2)) },
    }),
  )
  seeder.close()
} finally {
  await browser.close()
  await server.stop()
}
