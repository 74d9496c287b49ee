/**
 * Checkpoint averaging: writes a model whose every weight is the mean of the same weight in the
 * given saved models (e.g. the last K snapshots of a run whose learning rate decays to ~0), which
 * usually lands in a flatter, better-generalising point than any single snapshot. Usage:
 *   pnpm --filter @ensemble/plugins exec tsx src/common/average.ts --out DIR DIR1 DIR2 ...
 * The first model's config and format are kept; all must have the same weights and shapes.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { loadFunctionalModel, MODEL_JSON, saveFunctionalModel } from '../model-io/fs-handler.js'
import { initBackend } from './backend.js'
import { resolveFromCwd } from './cli.js'

export async function averageModels(dirs: string[], out: string): Promise<void> {
  const first = dirs[0]
  if (!first) throw new Error('no models to average')
  const models = await Promise.all(dirs.map((d) => loadFunctionalModel<unknown>(d)))
  const names = Object.keys(models[0]?.weights ?? {})
  const weights: tf.NamedTensorMap = {}
  for (const name of names) {
    const parts = models.map((m, i) => {
      const w = m.weights[name]
      if (!w) throw new Error(`${dirs[i]} has no weight ${name}`)
      return w
    })
    weights[name] = tf.tidy(() => tf.div(tf.addN(parts), parts.length))
  }
  const format = (JSON.parse(readFileSync(path.join(first, MODEL_JSON), 'utf8')) as { format: string }).format
  const steps = models.map((m) => m.metadata?.step)
  await saveFunctionalModel(
    out,
    {
      config: models[0]?.config,
      weights,
      metadata: { ...models[models.length - 1]?.metadata, averagedSteps: steps },
    },
    format,
  )
  tf.dispose(Object.values(weights))
  for (const m of models) tf.dispose(Object.values(m.weights))
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const outAt = argv.indexOf('--out')
  const out = argv[outAt + 1]
  if (outAt < 0 || !out) throw new Error('usage: average.ts --out DIR DIR1 DIR2 ...')
  const dirs = argv.filter((_, i) => i !== outAt && i !== outAt + 1).map(resolveFromCwd)
  await initBackend()
  await averageModels(dirs, resolveFromCwd(out))
  console.log(`averaged ${dirs.length} models into ${out}`)
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
