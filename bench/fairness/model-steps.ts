/**
 * The inference service's share of the machine, alone: does a user with four harmonizations running slow a
 * user with one? The real service (its HTTP API, the committed harmonizer weights, wasm backend) in this
 * process; the polite user asks for one two-bar harmonization after another, first alone, then while the
 * greedy user keeps `--greedy` running (4: its share, so nothing is refused and only the compute is shared).
 * Prints the polite user's p50/p95 and the batch sizes the model ran. No web server: see fairness.ts for that.
 *
 *   pnpm --filter @ensemble/bench exec tsx fairness/model-steps.ts [--greedy 4 --calls 15]
 */
import { loadavg } from 'node:os'
import { createInferenceClient } from '../../apps/inference/src/client'
import { startTestInference } from '../../apps/inference/src/testing'
import { percentile } from '../collab/measure'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const greedyCount = arg('greedy', 4)
const calls = arg('calls', 15)
const BAR = 1920
const melody = [72, 74, 76, 77, 79, 77, 76, 74].map((pitch, i) => ({
  pitch,
  start: i * 480,
  duration: 480,
  velocity: 100,
}))
const input = (seed: number) => ({
  song: { bpm: 120, timeSignature: { numerator: 4, denominator: 4 }, key: { tonic: 'C', mode: 'major' } },
  target: { trackId: 'lead', kind: 'instrument', fromTick: 0, toTick: 2 * BAR, notes: melody },
  context: [],
  parameters: {},
  seed,
  variations: 1,
  deadlineMs: 8000,
})

const inference = await startTestInference({ models: ['harmonizer'] })
const client = createInferenceClient(inference.url, inference.secret)
let seed = 0
const ask = (user: string) =>
  client.suggest.mutate({
    pluginId: 'studio.ensemble.harmonizer',
    version: '*',
    input: input(seed++),
    caller: { userId: user, projectId: `song-of-${user}` },
  } as Parameters<typeof client.suggest.mutate>[0])
const batches = () =>
  inference.running.host
    .modelStats()
    .find((m) => m.plugin === 'studio.ensemble.harmonizer' && m.asset === 'harmonizer')!.batchSizes
const politeRun = async () => {
  const ms: number[] = []
  for (let i = 0; i < calls; i++) {
    const started = performance.now()
    await ask('polite')
    ms.push(performance.now() - started)
  }
  return ms.sort((a, b) => a - b)
}
const diff = (after: Record<string, number>, before: Record<string, number>) =>
  Object.entries(after)
    .map(([size, n]) => [size, n - (before[size] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .map(([size, n]) => `${size}:${n}`)
    .join(' ')

for (let i = 0; i < 5; i++) await ask('polite')
const b0 = batches()
const idle = await politeRun()
const b1 = batches()
let flooding = true
let greedyDone = 0
const loops = Array.from({ length: greedyCount }, async () => {
  while (flooding)
    await ask('greedy').then(
      () => greedyDone++,
      () => {},
    )
})
await new Promise((resolve) => setTimeout(resolve, 1000))
const b2 = batches()
const greedyBefore = greedyDone
const started = performance.now()
const loaded = await politeRun()
const seconds = (performance.now() - started) / 1000
const b3 = batches()
flooding = false
await Promise.all(loops)
await inference.close()

const fmt = (ms: number[]) => `${percentile(ms, 50).toFixed(0)} / ${percentile(ms, 95).toFixed(0)}`
console.log(
  `load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
)
console.log(`polite idle p50/p95 ms: ${fmt(idle)} (batch sizes ${diff(b1, b0)})`)
console.log(
  `polite beside greedy ${greedyCount}: ${fmt(loaded)} (batch sizes ${diff(b3, b2)}); greedy ${((greedyDone - greedyBefore) / seconds).toFixed(1)}/s`,
)
console.log(
  `loaded/idle p50 x${(percentile(loaded, 50) / percentile(idle, 50)).toFixed(2)}, p95 x${(percentile(loaded, 95) / percentile(idle, 95)).toFixed(2)}`,
)
