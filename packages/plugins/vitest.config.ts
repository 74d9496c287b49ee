import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tools/**/*.test.ts'],
    // Model tests run real tfjs forward/backward passes on one core; 30 s leaves headroom on a busy CI box.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // One worker: the wasm backend is single-threaded anyway and tests must not starve a running training.
    pool: 'forks',
    maxWorkers: 1,
  },
})
