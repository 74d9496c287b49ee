import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    environment: 'node',
    // Builds one migrated PGlite template per run (and migrates PostgreSQL when DATABASE_URL is set).
    globalSetup: ['test/global-setup.ts'],
    // Forks: the crash tests spawn and kill server processes; keep that out of worker threads.
    pool: 'forks',
    // Two cores shared with other work: two files at a time.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
