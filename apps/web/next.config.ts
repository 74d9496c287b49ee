import type { NextConfig } from 'next'

const config: NextConfig = {
  // Workspace packages ship TypeScript source; Next compiles them with the app.
  transpilePackages: ['@ensemble/core'],
  // The custom server (src/server/main.ts) owns the HTTP port; Next only renders.
  poweredByHeader: false,
  reactStrictMode: true,
}

export default config
