/**
 * Background maker benchmark: the time to make a 60-second, 4-track background song (melody, harmony, bass,
 * drums), p50 over rounds, on the CPU (tfjs wasm, one thread), in process: the background plugin on the
 * committed weights through the same local model runner the plugins' tests use (one example per model step,
 * as the inference service runs a lone request; the HTTP hop and micro-batching are not in these figures).
 * Each round is another mood and seed, all six moods in turn; style folk, tempo "fit", loopable, steady.
 *
 *   pnpm --filter @ensemble/bench background [-- --rounds 12 --seconds 60]
 */
import { runPlugin } from '@ensemble/core/plugin'
import {
  type BackgroundSettings,
  backgroundRequest,
  MOODS,
  planBackground,
} from '../../packages/plugins/src/background/plan'
import { backgroundPlugin } from '../../packages/plugins/src/background/plugin'
import { initBackend } from '../../packages/plugins/src/common/backend'
import { loadLocalModels } from '../../packages/plugins/src/common/local-host'
import { arg } from '../studio/command-line'
import { describeMachine } from '../studio/machine'

const rounds = Number(arg('rounds', '12'))
const seconds = Number(arg('seconds', '60'))

const backend = await initBackend()
const registration = backgroundPlugin()
const models = loadLocalModels(registration)
if (models.problems.length > 0) throw new Error(models.problems.join('\n'))

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
const wall: number[] = []
const cpu: number[] = []
let steps = 0
let notes = 0
for (let r = 0; r < rounds; r++) {
  const settings: BackgroundSettings = {
    mood: MOODS[r % MOODS.length]!,
    style: 'folk',
    tempo: 'fit',
    key: 'any',
    length: { seconds },
    loop: true,
    arc: 'steady',
  }
  const calls = models.calls()
  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  const planned = planBackground(settings, r)
  const out = await runPlugin(
    registration.plugin,
    backgroundRequest(settings, planned, { trackId: 'bench', seed: r, deadlineMs: 600_000 }),
    { models: models.runner },
  )
  const used = process.cpuUsage(cpuBefore)
  wall.push(performance.now() - started)
  cpu.push((used.user + used.system) / 1000)
  steps += models.calls() - calls
  for (const s of out.suggestions)
    if ('tracks' in s) notes += s.tracks.reduce((n, t) => n + t.notes.length, 0)
}
wall.sort((a, b) => a - b)
cpu.sort((a, b) => a - b)
console.log(
  `background maker, ${seconds} s song, 4 tracks, ${rounds} rounds, tfjs ${backend}; ${describeMachine()}`,
)
console.log(
  `  wall ms: p50 ${quantile(wall, 0.5).toFixed(0)}  p90 ${quantile(wall, 0.9).toFixed(0)}  min ${wall[0]?.toFixed(0)}`,
)
console.log(`  cpu ms:  p50 ${quantile(cpu, 0.5).toFixed(0)}  p90 ${quantile(cpu, 0.9).toFixed(0)}`)
console.log(
  `  model steps per song ${(steps / rounds).toFixed(0)}, notes per song ${(notes / rounds).toFixed(0)}`,
)
