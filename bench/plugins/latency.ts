/**
 * Plugin latency and throughput benchmark: p50/p99 of each first-party plugin for an 8-bar request, through
 * the real inference service (its own process, over HTTP), with micro-batching on and off and 1, 8, 32 or 128
 * concurrent requests, on each tfjs backend asked for; throughput (requests per second) and its batching
 * on/off ratio per concurrency; model sizes; peak RSS of the service with every model loaded. Prints tables.
 *
 *   pnpm --filter @ensemble/bench plugins [-- --rounds 4 --concurrency 1,8,32,128 --plugins harmonizer,drums]
 *                                         [--window-ms 5]   (batching on: the service default unless given)
 *                                         [--batching on,off] [--backend wasm,webgpu]
 *
 * `--backend` sets each service's TFJS_BACKEND (default wasm); several run side by side on the same machine,
 * so a GPU's figures come with wasm's from the same run. The backend each service really runs on is the one
 * its start-up log names: webgpu without an adapter falls back to wasm, and the table says so.
 *
 * Each model runs on the committed weights (copied to a temp folder with their weights.json; a checkpoint
 * still in training, with no weights.json, gets digests recorded now). A model with no weights yet:
 * their latency depends only on the network's shape, so the bench times them on untrained weights of the
 * training default shape, written to the temp folder and marked "shape only" in the table. They are never
 * served to anyone.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_MODELS_DIR, modelFolder } from '../../packages/plugins/src/common/assets'
import { initBackend } from '../../packages/plugins/src/common/backend'
import {
  CONTINUE_FORMAT,
  ContinueModel,
  DEFAULT_CONTINUE_CONFIG,
} from '../../packages/plugins/src/continue/model'
import { DEFAULT_DRUMS_CONFIG, DRUMS_FORMAT, DrumsModel } from '../../packages/plugins/src/drums/model'
import { saveFunctionalModel } from '../../packages/plugins/src/model-io/fs-handler'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const SECRET = 'bench-secret-bench-secret-bench-secret'
const BAR = 1920

interface Options {
  rounds: number
  concurrency: number[]
  plugins: string[]
  /** INFERENCE_BATCH_WINDOW_MS for the batching-on service; null keeps the service default. */
  windowMs: number | null
  batching: ('on' | 'off')[]
  backends: string[]
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`)
    return i >= 0 ? argv[i + 1] : undefined
  }
  return {
    rounds: Number(get('rounds') ?? 4),
    concurrency: (get('concurrency') ?? '1,8,32,128').split(',').map(Number),
    plugins: (get('plugins') ?? 'harmonizer,continue,drums,arranger').split(','),
    windowMs: get('window-ms') === undefined ? null : Number(get('window-ms')),
    batching: (get('batching') ?? 'on,off').split(',').map((b) => {
      if (b !== 'on' && b !== 'off') throw new Error(`--batching takes on and/or off, not ${b}`)
      return b
    }),
    backends: (get('backend') ?? 'wasm').split(','),
  }
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex')

function publish(dir: string, model: string): void {
  const files = Object.fromEntries(
    ['model.json', 'model.weights.bin'].map((f) => [
      f,
      { sha256: sha256(path.join(modelFolder(dir, model), f)) },
    ]),
  )
  writeFileSync(path.join(modelFolder(dir, model), 'weights.json'), JSON.stringify({ model, files }))
}

/** The weights folder the service will load; which models are trained and which are shape-only. */
type WeightsStatus = 'published' | 'unpublished checkpoint' | 'shape only'

async function prepareModels(dir: string): Promise<Record<string, WeightsStatus>> {
  const status: Record<string, WeightsStatus> = {}
  await initBackend()
  for (const model of ['harmonizer', 'continue', 'drums']) {
    const from = modelFolder(DEFAULT_MODELS_DIR, model)
    mkdirSync(modelFolder(dir, model), { recursive: true })
    if (existsSync(path.join(from, 'model.weights.bin'))) {
      for (const f of ['model.json', 'model.weights.bin'])
        copyFileSync(path.join(from, f), path.join(modelFolder(dir, model), f))
      // A checkpoint still in training has no weights.json: the service would refuse it, the bench times it.
      if (existsSync(path.join(from, 'weights.json'))) {
        copyFileSync(path.join(from, 'weights.json'), path.join(modelFolder(dir, model), 'weights.json'))
        status[model] = 'published'
      } else {
        publish(dir, model)
        status[model] = 'unpublished checkpoint'
      }
      continue
    }
    if (model === 'continue') {
      const m = new ContinueModel(DEFAULT_CONTINUE_CONFIG)
      await saveFunctionalModel(
        modelFolder(dir, model),
        { config: m.config, weights: m.params.named() },
        CONTINUE_FORMAT,
      )
    } else {
      const m = new DrumsModel(DEFAULT_DRUMS_CONFIG)
      await saveFunctionalModel(
        modelFolder(dir, model),
        { config: m.config, weights: m.params.named() },
        DRUMS_FORMAT,
      )
    }
    publish(dir, model)
    status[model] = 'shape only'
  }
  return status
}

function modelInfo(dir: string, model: string): { bytes: number; parameters: number } {
  const json = JSON.parse(readFileSync(path.join(modelFolder(dir, model), 'model.json'), 'utf8')) as {
    weightsManifest: { weights: { shape: number[] }[] }[]
  }
  const parameters = json.weightsManifest
    .flatMap((g) => g.weights)
    .reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0)
  return {
    bytes: readFileSync(path.join(modelFolder(dir, model), 'model.weights.bin')).byteLength,
    parameters,
  }
}

interface Service {
  url: string
  child: ChildProcess
  /** The backend the service runs on, from its start-up log. */
  backend: string
  /** Why it is not on the one asked for (webgpu without an adapter), from its log. */
  fallback?: string
  close(): Promise<void>
}

async function startService(
  dataDir: string,
  modelsDir: string,
  batchMax: number,
  windowMs: number | null,
  backend: string,
): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.join(repoRoot, 'apps/inference'),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      INFERENCE_MODELS_DIR: modelsDir,
      INFERENCE_PORT: '0',
      INFERENCE_SECRET: SECRET,
      INFERENCE_MAX_PENDING: '256',
      TFJS_BACKEND: backend,
      INFERENCE_MAX_DEADLINE_MS: '600000',
      ...(windowMs === null ? {} : { INFERENCE_BATCH_WINDOW_MS: String(windowMs) }),
      // 1: every model call runs alone, which is how the service turns micro-batching off.
      INFERENCE_BATCH_MAX: String(batchMax),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let fallback: string | undefined
  const started = await new Promise<{ url: string; backend: string }>((resolve, reject) => {
    let buffer = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      for (const line of buffer.split('\n').slice(0, -1)) {
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string; backend?: string; reason?: string }
          if (entry.msg?.includes('falling back')) fallback = entry.reason
          if (entry.msg === 'inference listening' && entry.url)
            resolve({ url: entry.url, backend: entry.backend ?? '?' })
        } catch {
          // not a log line
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1)
    })
    child.on('exit', (code) => reject(new Error(`inference exited with ${code}`)))
  })
  return {
    ...started,
    child,
    fallback,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

async function call<T>(service: Service, procedure: string, input?: unknown): Promise<T> {
  const headers = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' }
  const res =
    input === undefined
      ? await fetch(`${service.url}/${procedure}`, { headers })
      : await fetch(`${service.url}/${procedure}`, { method: 'POST', headers, body: JSON.stringify(input) })
  // Node's HTTP server answers 408 with no body to a request still unanswered after 5 minutes.
  const text = await res.text()
  const body = (text ? JSON.parse(text) : {}) as { result?: { data: T }; error?: unknown }
  if (!res.ok || !body.result) throw new Error(`${procedure}: ${res.status} ${JSON.stringify(body.error)}`)
  return body.result.data
}

/** /proc/<pid>/status figures in MiB: VmHWM is the peak resident set since the process started. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 }
}

const tune = [67, 69, 71, 72, 74, 72, 71, 69, 67, 64, 66, 67, 69, 71, 69, 67]
const melody = Array.from({ length: 32 }, (_, i) => ({
  pitch: tune[i % tune.length]!,
  start: i * 480,
  duration: 480,
  velocity: 90,
}))

/** An 8-bar request for each plugin (continue: 8 bars of melody, then 8 new bars). */
function request(plugin: string, seed: number) {
  const base = {
    song: { bpm: 100, timeSignature: { numerator: 4, denominator: 4 }, key: { tonic: 'G', mode: 'major' } },
    context: [],
    seed,
    variations: 1,
    deadlineMs: 600_000,
  }
  const lead = { trackId: 'lead', kind: 'instrument', fromTick: 0, toTick: 8 * BAR, notes: melody }
  switch (plugin) {
    case 'continue':
      return {
        pluginId: 'studio.ensemble.continue',
        input: { ...base, target: { ...lead, toTick: 16 * BAR }, parameters: { bars: 8 } },
      }
    case 'drums':
      return {
        pluginId: 'studio.ensemble.drums',
        input: { ...base, target: { ...lead, kind: 'drums', notes: [] }, parameters: { bars: 8 } },
      }
    case 'arranger':
      return {
        pluginId: 'studio.ensemble.arranger',
        input: { ...base, target: lead, parameters: { bars: 8 } },
      }
    default:
      return { pluginId: 'studio.ensemble.harmonizer', input: { ...base, target: lead, parameters: {} } }
  }
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN
}

interface Row {
  plugin: string
  /** TFJS_BACKEND as asked for, and the backend the service really ran on. */
  requested: string
  backend: string
  batching: string
  concurrency: number
  n: number
  p50: number
  p99: number
  throughput: number
  /** The call before the timed ones: the plugin's first on this service also loads and warms its models. */
  firstMs: number
  /** Requests that got no suggestion (an error or a timeout), left out of the latencies and throughput. */
  failed: number
}

async function measure(service: Service, plugin: string, concurrency: number, rounds: number): Promise<Row> {
  const latencies: number[] = []
  // Warm: the first run JIT-compiles the plugin's code and, the first time, loads its models.
  const firstAt = performance.now()
  await call(service, 'suggest', request(plugin, 999))
  const firstMs = performance.now() - firstAt
  const started = performance.now()
  let seed = 1
  let failed = 0
  for (let r = 0; r < rounds; r++) {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const t0 = performance.now()
        const s = seed++
        try {
          await call(service, 'suggest', request(plugin, s))
          latencies.push(performance.now() - t0)
        } catch (err) {
          failed++
          console.error(`${plugin} x${concurrency}: ${err instanceof Error ? err.message : err}`)
        }
      }),
    )
  }
  const seconds = (performance.now() - started) / 1000
  return {
    plugin,
    requested: '',
    backend: service.backend,
    batching: '',
    concurrency,
    n: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    throughput: latencies.length / seconds,
    firstMs,
    failed,
  }
}

/** A fixed amount of plain JS work, timed: how loaded this machine was while the figures were taken. */
function calibrate(): number {
  const t0 = performance.now()
  let x = 0
  for (let i = 0; i < 1e7; i++) x += Math.sqrt(i)
  if (x < 0) throw new Error('unreachable')
  return performance.now() - t0
}

/** The backend a row ran on, with the one asked for when the service fell back from it. */
const served = (r: Row): string => (r.requested === r.backend ? r.backend : `${r.requested} → ${r.backend}`)

function ratioTable(rows: Row[], options: Options, batchings: { mode: string }[]): string[] {
  const out = ['', 'Throughput (requests per second) with batching on and off, and the ratio on / off:']
  out.push('')
  out.push(`| plugin | backend | concurrent | req/s on | req/s off | on / off |`)
  out.push('|---|---|---|---|---|---|')
  for (const plugin of options.plugins)
    for (const backend of options.backends)
      for (const c of options.concurrency) {
        const [on, off] = batchings.map(({ mode }) =>
          rows.find(
            (r) =>
              r.plugin === plugin && r.concurrency === c && r.batching === mode && r.requested === backend,
          ),
        )
        if (on === undefined || off === undefined) continue
        out.push(
          `| ${plugin} | ${served(on)} | ${c} | ${on.throughput.toFixed(2)} | ${off.throughput.toFixed(2)} | ${(on.throughput / off.throughput).toFixed(2)} |`,
        )
      }
  return out
}

/** Each backend asked for beside the first (wasm, when it leads the list), as p50 and throughput ratios. */
function backendTable(rows: Row[], options: Options, batchings: { mode: string }[]): string[] {
  const [base, ...others] = options.backends
  const out = [
    '',
    `Each backend against ${base} on this machine (p50 and req/s; ratio = req/s over ${base}'s):`,
    '',
  ]
  out.push('| plugin | batching | concurrent | backend (served on) | p50 ms | req/s | ratio |')
  out.push('|---|---|---|---|---|---|---|')
  const find = (plugin: string, mode: string, c: number, backend: string | undefined) =>
    rows.find(
      (r) => r.plugin === plugin && r.batching === mode && r.concurrency === c && r.requested === backend,
    )
  for (const plugin of options.plugins)
    for (const { mode } of batchings)
      for (const c of options.concurrency) {
        const ref = find(plugin, mode, c, base)
        if (!ref) continue
        for (const backend of others) {
          const r = find(plugin, mode, c, backend)
          if (!r) continue
          out.push(
            `| ${plugin} | ${mode} | ${c} | ${backend} (${r.backend}) | ${ref.p50.toFixed(0)} → ${r.p50.toFixed(0)} | ${ref.throughput.toFixed(2)} → ${r.throughput.toFixed(2)} | ${(r.throughput / ref.throughput).toFixed(2)} |`,
          )
        }
      }
  return out
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  const work = mkdtempSync(path.join(tmpdir(), 'ensemble-bench-plugins-'))
  const modelsDir = path.join(work, 'models')
  const status = await prepareModels(modelsDir)
  const sizes = Object.fromEntries(
    ['harmonizer', 'continue', 'drums'].map((m) => [m, modelInfo(modelsDir, m)]),
  )
  const rows: Row[] = []
  const memoryRows: string[] = []
  const calibrations: number[] = [calibrate()]
  const window = options.windowMs === null ? 'default window' : `${options.windowMs} ms`
  const batchings = [
    { mode: `on (${window}, max 32)`, batchMax: 32, on: 'on' },
    { mode: 'off (max 1)', batchMax: 1, on: 'off' },
  ].filter((m) => options.batching.includes(m.on as 'on' | 'off'))
  const modes = options.backends.flatMap((backend) => batchings.map((b) => ({ ...b, backend })))
  // All services run side by side and each measurement runs on one after the other, so a change in this
  // shared machine's load hits every mode alike instead of one mode's whole run.
  const services: Service[] = []
  try {
    for (const { batchMax, backend } of modes)
      services.push(
        await startService(
          path.join(work, `data-${backend}-${batchMax}`),
          modelsDir,
          batchMax,
          options.windowMs,
          backend,
        ),
      )
    modes.forEach((m, i) => {
      const s = services[i]!
      console.error(
        `TFJS_BACKEND=${m.backend}, batching ${m.mode}: serving on ${s.backend}${s.fallback ? ` (fell back: ${s.fallback})` : ''}`,
      )
    })
    const loaded = services.map((s) => memory(s.child.pid!))
    const list = await call<{ id: string; available: boolean; problems: string[] }[]>(
      services[0]!,
      'plugins.list',
    )
    for (const p of list) if (!p.available) console.error(`${p.id} unavailable: ${p.problems.join('; ')}`)
    for (const plugin of options.plugins) {
      if (!list.find((p) => p.id === `studio.ensemble.${plugin}`)?.available) continue
      for (const c of options.concurrency) {
        for (const [i, { mode, backend }] of modes.entries()) {
          // Concurrent rounds are c requests each: a quarter of the rounds keeps the run's length bounded.
          const rounds = c === 1 ? options.rounds : Math.max(1, Math.ceil(options.rounds / 4))
          const row = await measure(services[i]!, plugin, c, rounds)
          row.batching = mode
          row.requested = backend
          rows.push(row)
          console.error(
            `${plugin} ${row.backend} batching ${mode} x${c}: p50 ${row.p50.toFixed(0)} ms p99 ${row.p99.toFixed(0)} ms (call before: ${row.firstMs.toFixed(0)} ms)`,
          )
        }
      }
      calibrations.push(calibrate())
    }
    modes.forEach(({ mode }, i) => {
      const peak = memory(services[i]!.child.pid!).peak
      memoryRows.push(
        `| ${services[i]!.backend}, batching ${mode} | ${loaded[i]!.rss.toFixed(0)} | ${peak.toFixed(0)} |`,
      )
    })
  } finally {
    await Promise.all(services.map((s) => s.close()))
    rmSync(work, { recursive: true, force: true })
  }

  const out: string[] = []
  out.push(
    `CPU: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; calibration (1e7 sqrt in JS) ${calibrations.map((c) => c.toFixed(0)).join('/')} ms`,
  )
  modes.forEach((m, i) => {
    const s = services[i]!
    out.push(
      `TFJS_BACKEND=${m.backend}, batching ${m.mode}: served on ${s.backend}${s.fallback ? ` (fell back: ${s.fallback})` : ''}`,
    )
  })
  out.push('')
  out.push(
    '| plugin | weights | backend | batching | concurrent | requests | failed | p50 ms | p99 ms | req/s | call before ms |',
  )
  out.push('|---|---|---|---|---|---|---|---|---|---|---|')
  for (const r of rows) {
    const weights =
      r.plugin === 'arranger'
        ? `harmonizer ${status.harmonizer}, drums ${status.drums}`
        : (status[r.plugin] ?? '')
    out.push(
      `| ${r.plugin} | ${weights} | ${served(r)} | ${r.batching} | ${r.concurrency} | ${r.n} | ${r.failed} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.throughput.toFixed(2)} | ${r.firstMs.toFixed(0)} |`,
    )
  }
  // The on / off table needs both modes.
  if (batchings.length === 2) out.push(...ratioTable(rows, options, batchings))
  if (options.backends.length > 1) out.push(...backendTable(rows, options, batchings))
  out.push('')
  out.push('| model | parameters | weights file |')
  out.push('|---|---|---|')
  for (const model of ['harmonizer', 'continue', 'drums']) {
    const info = sizes[model]!
    out.push(
      `| ${model} (${status[model]}) | ${info.parameters.toLocaleString('en')} | ${(info.bytes / 1e6).toFixed(2)} MB |`,
    )
  }
  out.push('')
  out.push('| service | RSS after load (MiB) | peak RSS (MiB) |')
  out.push('|---|---|---|')
  out.push(...memoryRows)
  console.log(out.join('\n'))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
