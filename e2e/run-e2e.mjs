#!/usr/bin/env node
// Runs the Playwright suites in Debian's Chromium. Playwright never downloads a browser here: when
// none is installed, the suites are reported as skipped with the reason, not silently passed.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
mkdirSync('.test-results', { recursive: true })
rmSync('.test-results/skipped.txt', { force: true })
rmSync('.test-results/playwright.json', { force: true })
if (!existsSync(chromium)) {
  const why = `no Chromium at ${chromium}: install Debian's chromium or set CHROMIUM_PATH (e2e suites not run)`
  writeFileSync('.test-results/skipped.txt', why)
  console.log(`e2e: SKIPPED, ${why}`)
  process.exit(0)
}
const run = spawnSync('pnpm', ['exec', 'playwright', 'test', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: {
    ...process.env,
    CHROMIUM_PATH: chromium,
    PLAYWRIGHT_JSON_OUTPUT_NAME: '.test-results/playwright.json',
  },
})
process.exit(run.status ?? 1)
