#!/usr/bin/env node
// Builds the studio's AI-partner worker and puts the committed weights beside it, as static files Next.js
// serves from apps/web/public (run in apps/web; `build` and `dev` run it):
//
//   public/partner/worker.js                      apps/web/src/studio/partner/partner-worker.ts, bundled
//   public/partner/models/<model>/{weights.json,model.json,model.weights.bin}
//
// The worker is bundled by esbuild rather than by Next: the plugin sources import `./x.js` for `./x.ts`
// (NodeNext), which esbuild resolves and Turbopack does not. The weights are copied, not downloaded: the
// worker checks them against weights.json (the digests the publish step wrote) before it runs them.
import { copyFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { build } from 'esbuild'

const out = path.resolve('public/partner')
const plugins = path.resolve('../../packages/plugins/src')

await build({
  entryPoints: ['src/studio/partner/partner-worker.ts'],
  outfile: path.join(out, 'worker.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
})

for (const model of ['continue', 'drums']) {
  const to = path.join(out, 'models', model)
  mkdirSync(to, { recursive: true })
  for (const file of ['weights.json', 'model.json', 'model.weights.bin'])
    copyFileSync(path.join(plugins, model, 'weights', file), path.join(to, file))
}
