/**
 * JavaScript, not TypeScript: the production server reads this file at every start, and Next.js
 * compiles a `next.config.ts` with its native SWC binding, which then stays loaded for the life of
 * the process (~24 MiB resident and a pool of Rust threads: docs/BENCHMARKS.md, "Memory").
 *
 * @type {import('next').NextConfig}
 */
const config = {
  // Workspace packages ship TypeScript source; Next compiles them with the app.
  transpilePackages: ['@ensemble/core', '@ensemble/plugins'],
  // The custom server (src/server/main.ts) owns the HTTP port; Next only renders.
  poweredByHeader: false,
  reactStrictMode: true,
  // Next checks only what it bundles; the server and tests are checked by the `typecheck` task.
  typescript: { tsconfigPath: 'tsconfig.build.json' },
}

export default config
