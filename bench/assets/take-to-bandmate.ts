/**
 * From "stop recording" to a bandmate holding the take (issue 21; goal: p50 under 2 s on loopback).
 * Starts the real web server (PGlite on a fresh data directory, or PostgreSQL at DATABASE_URL), signs
 * up two people, A invites B as an editor of one song, and both connect to its room with the studio's
 * `connectSong`. For each take, the clock starts when A stops recording (the samples are in hand as
 * 48 kHz floats, as the recorder's worklet leaves them) and A does what `take-recorder.ts` does: encode
 * the WAV, hash it, compute the peaks, write the clip and its asset record with core's `addAudioClip`
 * over A's collaboration connection, then PUT the peaks and upload the audio with tus-js-client. B, on
 * its own connection, sees the clip arrive, fetches the peaks, then downloads the asset; the clock stops
 * when B holds every byte (checked against the hash afterwards, outside the clock).
 *
 *   pnpm --filter @ensemble/bench take-to-bandmate -- [--repeat 5] [--seconds 30] [--channels 1]
 *     [--formats pcm16,float32] [--database pglite|postgres]
 *
 * B learns that the peaks and then the audio are stored as the studio does: the server's "asset stored"
 * notice on its collaboration connection (message type 102), then it GETs them. One warm-up take per
 * format runs first and is not counted (the server's first asset pays for compiling its routes). Prints
 * one JSON row per format: p50/p95 of the whole, and the p50 of each part. The server runs with the
 * prewarm off: on a shared PostgreSQL it would load other runs' songs at start.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { addAudioClip, addTrack, PPQ, readAudioAsset, UserOrigin } from '@ensemble/core'
import { computePeaks, encodePeaks, encodeWav, type WavFormat } from '@ensemble/core/audio/node'
import { type AssetNotice, connectSong, type SongConnection } from '@ensemble/web/collab-client'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { freePort, percentile } from '../collab/measure'
import { tusUpload } from './tus-upload'
import { type Member, option, signUp, startServer, stop, trpc, waitForHealth } from './web-server'

const RATE = 48_000
const MiB = 1024 * 1024

interface Side {
  member: Member
  doc: Y.Doc
  connection: SongConnection
}

/** One take's times, in ms from "stop recording" unless named as a span. */
interface Timing {
  total: number
  /** WAV encoding, SHA-256 and peaks (a span). */
  prepare: number
  /** A's PUT of the peaks and tus upload of the audio (a span, after `prepare`). */
  upload: number
  /** From A writing the clip to B's doc holding it (a span). */
  clipToB: number
  /** When B holds the peaks (it can draw the waveform). */
  peaksAtB: number
  /** B's successful GET of the audio, request to last byte (a span). */
  download: number
}

/** A take as the recorder has it: float channels, a sine with noise so that each take's bytes differ. */
function recordedTake(seconds: number, channelCount: number, seed: number): Float32Array[] {
  const frames = seconds * RATE
  let noise = seed + 1
  return Array.from({ length: channelCount }, (_, c) => {
    const samples = new Float32Array(frames)
    for (let i = 0; i < frames; i++) {
      noise = (noise * 1103515245 + 12345) & 0x7fffffff
      samples[i] = 0.3 * Math.sin((2 * Math.PI * (220 + seed + c) * i) / RATE) + ((noise % 512) - 256) / 32768
    }
    return samples
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(2)
}

/** Resolves when `side` is told that this part of the asset is stored (subscribe before it can happen). */
function storedNotice(side: Side, part: AssetNotice['part'], hash: string): Promise<void> {
  return new Promise((resolve) => {
    const off = side.connection.assets.subscribe((notice) => {
      if (notice.part !== part || notice.sha256 !== hash) return
      off()
      resolve()
    })
  })
}

/** GETs `url` (stored: the server said so); returns the body and the GET's span. */
async function fetchStored(url: string, cookie: string): Promise<{ bytes: Buffer; span: number }> {
  const start = performance.now()
  const res = await fetch(url, { headers: { cookie } })
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} after the stored notice`)
  const bytes = Buffer.from(await res.arrayBuffer())
  return { bytes, span: performance.now() - start }
}

async function connect(base: string, member: Member, project: string): Promise<Side> {
  const { token } = await trpc<{ token: string }>(base, 'rooms.token', member, { projectId: project })
  const doc = new Y.Doc()
  const connection = connectSong({
    url: `${base.replace('http', 'ws')}/collab`,
    projectId: project,
    token,
    doc,
    persist: false,
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
  })
  await until(() => connection.provider.synced)
  return { member, doc, connection }
}

async function oneTake(
  base: string,
  project: string,
  a: Side,
  b: Side,
  trackId: string,
  channels: Float32Array[],
  format: WavFormat,
  index: number,
): Promise<Timing> {
  const assetsUrl = `${base}/api/projects/${project}/assets`
  const t0 = performance.now()
  const wav = encodeWav({ sampleRate: RATE, channels }, format)
  const hash = createHash('sha256').update(wav).digest('hex')
  const peaks = encodePeaks(computePeaks(channels, RATE))
  const prepared = performance.now()

  // B as the studio is: it learns of the take from the song, then asks for what it needs to draw and play it.
  const peaksStored = storedNotice(b, 'peaks', hash)
  const audioStored = storedNotice(b, 'audio', hash)
  const atB = (async () => {
    await until(() => readAudioAsset(b.doc, hash) !== undefined)
    const clip = performance.now()
    await peaksStored
    await fetchStored(`${assetsUrl}/${hash}/peaks`, b.member.cookie)
    const peaksAt = performance.now()
    await audioStored
    const audio = await fetchStored(`${assetsUrl}/${hash}`, b.member.cookie)
    return { clip, peaksAt, held: performance.now(), audio }
  })()

  const frames = channels[0]?.length ?? 0
  addAudioClip(a.doc, new UserOrigin(a.member.userId), trackId, {
    asset: hash,
    // Takes sit apart so none overlaps another's take group.
    start: index * 32 * 4 * PPQ,
    provenance: { kind: 'recording', recordedAt: new Date().toISOString(), input: 'bench', latencyMs: 0 },
    assetRecord: {
      hash,
      name: `Take ${index + 1}`,
      format: 'wav',
      sampleRate: RATE,
      channels: channels.length,
      frames,
      durationSeconds: frames / RATE,
    },
  })
  const written = performance.now()
  const peaksPut = await fetch(`${assetsUrl}/${hash}/peaks`, {
    method: 'PUT',
    headers: { cookie: a.member.cookie, 'content-type': 'application/octet-stream' },
    body: peaks,
  })
  if (peaksPut.status !== 204) throw new Error(`PUT peaks: ${peaksPut.status} ${await peaksPut.text()}`)
  await tusUpload(base, a.member.cookie, project, wav, hash)
  const uploaded = performance.now()
  const b_ = await atB
  if (createHash('sha256').update(b_.audio.bytes).digest('hex') !== hash) throw new Error('B got other bytes')
  return {
    total: b_.held - t0,
    prepare: prepared - t0,
    upload: uploaded - written,
    clipToB: b_.clip - written,
    peaksAtB: b_.peaksAt - t0,
    download: b_.audio.span,
  }
}

const round = (ms: number) => Math.round(ms)

async function main() {
  const argv = process.argv.slice(2)
  const repeat = Number(option(argv, 'repeat') ?? 5)
  const seconds = Number(option(argv, 'seconds') ?? 30)
  const channelCount = Number(option(argv, 'channels') ?? 1)
  const formats = (option(argv, 'formats') ?? 'pcm16,float32').split(',') as WavFormat[]
  const database = option(argv, 'database') ?? 'pglite'
  if (database === 'postgres' && !process.env.DATABASE_URL)
    throw new Error('--database postgres needs DATABASE_URL')

  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-take-bench-'))
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    COLLAB_PREWARM_ROOMS: '0',
  }
  if (database === 'pglite') delete env.DATABASE_URL
  const child = startServer(env)
  const sides: Side[] = []
  try {
    await waitForHealth(base)
    const memberA = await signUp(base, 'singer')
    const { id: project } = await trpc<{ id: string }>(base, 'projects.create', memberA, { name: 'Takes' })
    const { secret } = await trpc<{ secret: string }>(base, 'invites.create', memberA, {
      projectId: project,
      role: 'editor',
    })
    const memberB = await signUp(base, 'bandmate')
    await trpc(base, 'invites.accept', memberB, { secret })
    const a = await connect(base, memberA, project)
    const b = await connect(base, memberB, project)
    sides.push(a, b)
    const trackId = addTrack(a.doc, new UserOrigin(memberA.userId), { kind: 'audio', name: 'Vocals' })
    await until(
      () => a.connection.saved.savedClock(a.doc.clientID) >= Y.getState(a.doc.store, a.doc.clientID),
    )

    let index = 0
    for (const format of formats) {
      await oneTake(base, project, a, b, trackId, recordedTake(seconds, channelCount, index), format, index++)
      const timings: Timing[] = []
      for (let r = 0; r < repeat; r++) {
        const channels = recordedTake(seconds, channelCount, index)
        timings.push(await oneTake(base, project, a, b, trackId, channels, format, index++))
      }
      const p50 = (key: keyof Timing) =>
        round(
          percentile(
            timings.map((t) => t[key]).sort((x, y) => x - y),
            50,
          ),
        )
      const totals = timings.map((t) => t.total).sort((x, y) => x - y)
      console.log(
        JSON.stringify({
          database,
          format,
          seconds,
          channels: channelCount,
          wavMiB: Number(((seconds * RATE * channelCount * (format === 'pcm16' ? 2 : 4)) / MiB).toFixed(1)),
          takes: repeat,
          p50ms: round(percentile(totals, 50)),
          p95ms: round(percentile(totals, 95)),
          p50PrepareMs: p50('prepare'),
          p50UploadMs: p50('upload'),
          p50ClipToBMs: p50('clipToB'),
          p50PeaksAtBMs: p50('peaksAtB'),
          p50DownloadMs: p50('download'),
          loadavg1m: Number(loadavg()[0]?.toFixed(2)),
        }),
      )
    }
  } finally {
    for (const side of sides) side.connection.destroy()
    await stop(child)
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
// Something of the destroyed Node collab clients keeps the event loop alive after everything is closed
// (not yet tracked down); the figures are printed, so end here rather than hang.
process.exit(0)
