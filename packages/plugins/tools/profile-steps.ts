/**
 * Cost of one model step of each first-party step runtime, alone in this process (no service, no
 * batching): mean ms per step over 128 steps on zero inputs and the tfjs kernels one step launches (0 for the
 * plain-TypeScript steps of step-maths.ts).
 * Explains the plugins' latency (a request is ~128 steps). Usage (from the repository root):
 *   pnpm --filter @ensemble/plugins exec tsx tools/profile-steps.ts [--steps 128]
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { initBackend } from '../src/common/backend.js'
import { defaultModelDir, numArg, parseArgs } from '../src/common/cli.js'
import { continueRuntime } from '../src/continue/runtime.js'
import { drumsRuntime } from '../src/drums/runtime.js'
import { harmonizerRuntime } from '../src/harmonizer/runtime.js'
import type { ModelRuntime } from '../src/host.js'
import { loadFunctionalModel } from '../src/model-io/fs-handler.js'

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { steps: 'string' })
  const steps = numArg(args, 'steps', 128)
  console.log(`backend ${await initBackend()}`)
  const runtimes: [string, ModelRuntime][] = [
    ['harmonizer', harmonizerRuntime],
    ['continue', continueRuntime],
    ['drums', drumsRuntime],
  ]
  for (const [name, runtime] of runtimes) {
    const dir = defaultModelDir(name)
    const saved = await loadFunctionalModel<unknown>(dir)
    const { format } = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as { format: string }
    const model = runtime({ format, config: saved.config, weights: saved.weights, metadata: {} })
    const inputs = () => model.inputShapes.map((s) => tf.zeros([1, ...s.map((d) => d ?? 1)]))
    const step = () => {
      const x = inputs()
      const out = tf.tidy(() => model.predict(x))
      for (const t of out) t.dataSync()
      tf.dispose([...x, ...out])
    }
    for (let i = 0; i < 10; i++) step()
    const t0 = performance.now()
    for (let i = 0; i < steps; i++) step()
    const ms = (performance.now() - t0) / steps
    const x = inputs()
    const profile = await tf.profile(() => model.predict(x))
    tf.dispose(x)
    const kinds = new Map<string, number>()
    for (const k of profile.kernels) kinds.set(k.name, (kinds.get(k.name) ?? 0) + 1)
    const top = [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 6)
    console.log(
      `${name}: ${ms.toFixed(2)} ms per step, ${profile.kernels.length} kernels per step (${top.map(([k, n]) => `${k} ${n}`).join(', ')})`,
    )
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
