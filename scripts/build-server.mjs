#!/usr/bin/env node
// Compiles a service's TypeScript to JavaScript at build time, so `pnpm start` runs plain `node` and no
// TypeScript loader: tsx's loader is a thread of its own with its own heap (14–25 MiB in each service,
// docs/BENCHMARKS.md, "Memory"), and every worker thread that loads TypeScript starts another one.
//
//   node scripts/build-server.mjs <outdir> <name>=<entry.ts> [<name>=<entry.ts> …]   (run in the app's folder)
//
// Each entry becomes `<outdir>/<name>.js`, one ES module with the workspace's own packages (TypeScript
// source) inside. Every other package stays external and is imported by its resolved file, as Node
// would resolve it from the importing source file (pnpm gives each package only its own dependencies,
// so a bare name would not resolve from the bundle's folder). `import.meta.url`, `dirname` and
// `filename` keep their source file's values, so the files the server finds beside its source
// (migrations, initdb.mjs, models, the sandbox's TypeScript) are found as before. The bundle's own URL
// is `BUNDLE_URL`: a worker's entry is a bundle beside the server's.
import { readFile } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const [outdir, ...entries] = process.argv.slice(2)
if (outdir === undefined || entries.length === 0 || entries.some((e) => !e.includes('='))) {
  console.error('usage: node scripts/build-server.mjs <outdir> <name>=<entry.ts> …')
  process.exit(2)
}

const builtins = new Set(builtinModules)

/** @type {import('esbuild').Plugin} */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined
      if (args.path.startsWith('node:') || builtins.has(args.path)) return { path: args.path, external: true }
      if (args.path.startsWith('@ensemble/')) return undefined
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'resolving',
      })
      if (resolved.errors.length > 0) return { errors: resolved.errors }
      // An ES import takes a file URL; require() a path.
      const esm = args.kind === 'import-statement' || args.kind === 'dynamic-import'
      return { path: esm ? pathToFileURL(resolved.path).href : resolved.path, external: true }
    })
  },
}

/** @type {import('esbuild').Plugin} */
const sourceLocation = {
  name: 'source-location',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8')
      const contents = source
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path))
      return { contents, loader: 'ts' }
    })
  },
}

await build({
  entryPoints: Object.fromEntries(entries.map((e) => e.split('='))),
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Resolve as Node does: no bundler-only `module` field or condition.
  mainFields: ['main'],
  conditions: [],
  plugins: [externalPackages, sourceLocation],
  banner: { js: 'const BUNDLE_URL = import.meta.url;' },
  // Not minified: stack traces stay readable without a source map (which Node would keep in memory).
  logLevel: 'warning',
})
