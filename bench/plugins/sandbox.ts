/**
 * Plugin sandbox overhead: the same plugin (the SDK's scale-walker fixture: core theory + seeded random,
 * three 16-note variations over 8 bars) called natively through `runPlugin` and through `runInSandbox`.
 *
 *   pnpm --filter @ensemble/bench sandbox [-- --calls 200 --cold 5 --seconds 5]
 *
 * - cold: the first sandboxed call of a fresh process (its own child process each time), which compiles the
 *   QuickJS WebAssembly module and bundles the driver before running the call;
 * - warm: later calls, each with a fresh runtime + context from the cached module (what every call costs);
 * - native: the same suggest function imported into Node and run by core's `runPlugin`;
 * - sustained: sandboxed calls one after another for `--seconds`, calls per second of one process;
 * - fat bundle: the same plugin bundled with the real SDK (zod + semver inside) instead of the sandbox shim,
 *   to show what the shim saves on every call.
 */
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { PPQ, runPlugin, type SuggestInput } from '@ensemble/core/plugin'
import scaleWalker from '../../packages/plugin-sdk/src/sandbox/fixtures/scale-walker'
import { bundlePlugin, runInSandbox } from '../../packages/plugin-sdk/src/sandbox/index'
import { percentile } from '../collab/measure'

// The SDK's own esbuild, for the bundle built without the sandbox shim (the bench has no esbuild of its own).
const { build } = createRequire(new URL('../../packages/plugin-sdk/package.json', import.meta.url))(
  'esbuild',
) as { build(options: object): Promise<{ outputFiles: { text: string }[] }> }

const fixture = fileURLToPath(
  new URL('../../packages/plugin-sdk/src/sandbox/fixtures/scale-walker.ts', import.meta.url),
)

const input: SuggestInput = {
  song: { bpm: 120, timeSignature: { numerator: 4, denominator: 4 }, key: { tonic: 'D', mode: 'dorian' } },
  target: {
    trackId: 'lead',
    kind: 'instrument',
    fromTick: 0,
    toTick: 8 * 1920,
    notes: Array.from({ length: 32 }, (_, i) => ({
      pitch: 60 + (i % 12),
      start: i * PPQ,
      duration: PPQ,
      velocity: 90,
    })),
  },
  context: [],
  parameters: {},
  seed: 42,
  variations: 3,
  deadlineMs: 10_000,
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

async function series(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < n; i++) times.push(await timed(fn))
  return times.sort((a, b) => a - b)
}

const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1))
const row = (label: string, sorted: number[]) =>
  `| ${label} | ${sorted.length} | ${ms(percentile(sorted, 50))} | ${ms(percentile(sorted, 99))} |`

/** Child mode: one cold call in a fresh process, printed as JSON. */
async function coldChild(): Promise<void> {
  const bundle = await bundlePlugin(fixture)
  const first = await timed(() => runInSandbox({ bundle, manifest: scaleWalker.manifest, input }))
  const second = await timed(() => runInSandbox({ bundle, manifest: scaleWalker.manifest, input }))
  process.stdout.write(JSON.stringify({ first, second }))
}

function calibrationMs(): number {
  const start = performance.now()
  let x = 0
  for (let i = 0; i < 1e7; i++) x += Math.sqrt(i)
  if (x < 0) console.log(x)
  return performance.now() - start
}

async function main(): Promise<void> {
  if (process.argv.includes('--cold-child')) return coldChild()
  const calls = arg('calls', 200)
  const coldRuns = arg('cold', 5)
  const seconds = arg('seconds', 5)
  const bundle = await bundlePlugin(fixture)
  const manifest = scaleWalker.manifest
  const sandboxed = () => runInSandbox({ bundle, manifest, input })

  // Same answer both ways, or the comparison is meaningless.
  const native = await runPlugin(scaleWalker, input)
  if (JSON.stringify(await sandboxed()) !== JSON.stringify(native))
    throw new Error('the sandboxed output differs from the native one')

  console.log(
    `calibration (1e7 Math.sqrt): ${calibrationMs().toFixed(0)} ms; load average ${loadavg()[0]!.toFixed(1)}`,
  )
  const cold = Array.from({ length: coldRuns }, () => {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--cold-child'],
      {
        encoding: 'utf8',
      },
    )
    if (child.status !== 0) throw new Error(child.stderr)
    return JSON.parse(child.stdout) as { first: number; second: number }
  })

  for (let i = 0; i < 20; i++) await runPlugin(scaleWalker, input)
  for (let i = 0; i < 20; i++) await sandboxed()
  const nativeTimes = await series(calls, () => runPlugin(scaleWalker, input))
  const warmTimes = await series(calls, sandboxed)

  const fat = (
    await build({
      entryPoints: [fixture],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      write: false,
      logLevel: 'silent',
    })
  ).outputFiles[0]!.text
  const fatTimes = await series(Math.max(3, Math.round(calls / 40)), () =>
    runInSandbox({ bundle: fat, manifest, input }),
  )

  let sustained = 0
  const until = performance.now() + seconds * 1000
  while (performance.now() < until) {
    await sandboxed()
    sustained++
  }

  console.log(
    `\nbundle: ${bundle.length} bytes with the sandbox shim, ${fat.length} bytes with the full SDK\n`,
  )
  console.log('| call | n | p50 ms | p99 ms |')
  console.log('|---|---|---|---|')
  console.log(row('native (`runPlugin` in Node)', nativeTimes))
  console.log(
    row(
      'sandbox, cold (fresh process: module compile + driver bundle + call)',
      cold.map((c) => c.first).sort((a, b) => a - b),
    ),
  )
  console.log(
    row(
      'sandbox, second call of that process',
      cold.map((c) => c.second).sort((a, b) => a - b),
    ),
  )
  console.log(row('sandbox, warm (fresh context, cached module)', warmTimes))
  console.log(row('sandbox, warm, bundle with the full SDK (no shim)', fatTimes))
  const overhead = percentile(warmTimes, 50) - percentile(nativeTimes, 50)
  console.log(`\nwarm overhead per call (p50): ${ms(overhead)} ms`)
  console.log(
    `sustained: ${sustained} sandboxed calls in ${seconds} s = ${(sustained / seconds).toFixed(1)} calls/s (one process, one after another)`,
  )
  console.log(`calibration after: ${calibrationMs().toFixed(0)} ms; load average ${loadavg()[0]!.toFixed(1)}`)
}

await main()
