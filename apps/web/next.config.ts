import type { NextConfig } from 'next'

const config: NextConfig = {
  // Workspace packages ship TypeScript source; Next compiles them with the app.
  transpilePackages: ['@ensemble/core'],
  // The custom server (src/server/main.ts) owns the HTTP port; Next only renders.
  poweredByHeader: false,
  reactStrictMode: true,
  // Next checks only what it bundles; the server and tests are checked by the `typecheck` task.
  typescript: { tsconfigPath: 'tsconfig.build.json' },
}

export default config
