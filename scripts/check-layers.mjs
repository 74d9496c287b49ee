#!/usr/bin/env node
// The layer check (.dependency-cruiser.cjs: apps → plugins → core, no module or folder cycles), run over the
// whole repository. Prints each violation and exits 1 if there is any.
import { spawnSync } from 'node:child_process'
import path from 'node:path'

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname))

const run = spawnSync(
  'pnpm',
  [
    'exec',
    'depcruise',
    'apps',
    'packages',
    'bench',
    '--config',
    '.dependency-cruiser.cjs',
    '--output-type',
    'json',
  ],
  { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 },
)
if (run.error !== undefined || run.stdout.trim() === '') {
  // pnpm itself missing (run outside `pnpm …`): say so rather than fail on the empty output.
  process.stderr.write(run.error !== undefined ? `check-layers: ${run.error.message}\n` : run.stderr)
  process.exit(1)
}
const { summary } = JSON.parse(run.stdout)

const left = summary.violations
for (const v of left) {
  const route = v.cycle ? [v.from, ...v.cycle.map((step) => step.name)].join(' → ') : `${v.from} → ${v.to}`
  console.log(`${v.rule.severity} ${v.rule.name}: ${route}`)
}
console.log(`layers: ${summary.totalCruised} modules, ${left.length} violations`)
process.exit(left.some((v) => v.rule.severity === 'error') ? 1 : 0)
