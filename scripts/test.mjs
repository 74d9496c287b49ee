#!/usr/bin/env node
// Runs every suite through Turborepo, then prints one closing line over all of them, so a reader
// (or CI) sees "N passed, N failed" for the whole repository rather than one line per package.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname))
const extra = process.argv.slice(2)
const lint = spawnSync('pnpm', ['exec', 'biome', 'check', '.'], { cwd: root, stdio: 'inherit' })
// The repository's shape: layer rules and cycles (scripts/check-layers.mjs), then duplicated code and restated
// music facts (scripts/check-duplicates.mjs). Each counts as one failure in the closing line when it fails.
const checks = ['check-layers.mjs', 'check-duplicates.mjs'].map((script) => ({
  script,
  status: spawnSync('node', [path.join(root, 'scripts', script)], { cwd: root, stdio: 'inherit' }).status,
}))
const run = spawnSync(
  'pnpm',
  [
    'exec',
    'turbo',
    'run',
    'typecheck',
    'test',
    '--env-mode=loose',
    '--concurrency=1',
    '--continue',
    ...extra,
  ],
  { cwd: root, stdio: 'inherit' },
)
const failedChecks = checks.filter((check) => check.status !== 0)
const status = lint.status === 0 && failedChecks.length === 0 ? (run.status ?? 1) : 1

const totals = { passed: 0, failed: 0, skipped: 0 }
const notes = []
for (const group of ['apps', 'packages', '.']) {
  const dirs = group === '.' ? ['e2e'] : readdirSync(path.join(root, group)).map((d) => path.join(group, d))
  for (const dir of dirs) {
    const vitest = path.join(root, dir, '.test-results', 'vitest.json')
    if (existsSync(vitest)) {
      const r = JSON.parse(readFileSync(vitest, 'utf8'))
      totals.passed += r.numPassedTests
      totals.failed += r.numFailedTests
      totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0)
    }
    const pw = path.join(root, dir, '.test-results', 'playwright.json')
    if (existsSync(pw)) {
      const s = JSON.parse(readFileSync(pw, 'utf8')).stats
      totals.passed += s.expected + s.flaky
      totals.failed += s.unexpected
      totals.skipped += s.skipped
    }
    const skipNote = path.join(root, dir, '.test-results', 'skipped.txt')
    if (existsSync(skipNote)) notes.push(`${dir}: ${readFileSync(skipNote, 'utf8').trim()}`)
  }
}
for (const note of notes) console.log(`skipped suite: ${note}`)
for (const check of failedChecks) console.log(`failed check: scripts/${check.script}`)
totals.failed += failedChecks.length
if (status !== 0 && totals.failed === 0) totals.failed = 1
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exit(status)
