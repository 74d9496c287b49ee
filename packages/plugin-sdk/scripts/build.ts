import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Plugin as EsbuildPlugin, type Metafile } from 'esbuild'

/*
 * Builds the package npm users install: `dist/` is its root (package.json's publishConfig.directory), so
 * `pnpm pack` packs exactly what this writes. Inside the workspace the package keeps resolving to src/.
 *
 *   dist/package.json   written from ours: exports and bin point at dist/, no workspace dependencies
 *   dist/README.md, dist/samples/
 *   dist/dist/lib/      one ESM file per entry (+ shared chunks), @ensemble/core inlined, npm packages external
 *   dist/dist/lib/inside.ts, plugin-shim.ts
 *                       the sandbox's own sources, read by esbuild at run time (engine.ts, bundle.ts find them
 *                       next to their code through import.meta.url); pre-bundled here so core comes with them
 *   dist/dist/cli.js    the `ensemble-plugin` bin; dist/dist/register.js; dist/dist/types/ (declarations)
 *
 * Entries sit two folders below the package root, as src/<area>/ does, so `new URL('../../samples/',
 * import.meta.url)` and `../../package.json` find the same files built as they do from source.
 */

const root = fileURLToPath(new URL('../', import.meta.url))
const out = join(root, 'dist')
const code = join(out, 'dist')
const lib = join(code, 'lib')

interface Manifest {
  name: string
  version: string
  description: string
  license: string
  dependencies: Record<string, string>
  devDependencies?: Record<string, string>
}
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest

/** Public entry points: subpath → [output name, source]. `./register` is plain JS and is copied. */
const entries: Record<string, [name: string, source: string]> = {
  '.': ['index', 'src/index.ts'],
  './archive': ['archive', 'src/archive/index.ts'],
  './sandbox': ['sandbox', 'src/sandbox/index.ts'],
  './samples': ['samples', 'src/samples/index.ts'],
  './cli': ['cli', 'src/cli/main.ts'],
}

/** Workspace packages are inlined; every other bare import stays an import of a declared npm dependency. */
const npmExternal: EsbuildPlugin = {
  name: 'npm-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@ensemble/') || args.path.startsWith('node:')) return undefined
      return { path: args.path, external: true }
    })
  },
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}

/** Fails the build when the output imports a package that dist/package.json would not install. */
function checkImports(metafile: Metafile): void {
  const missing = new Set<string>()
  for (const output of Object.values(metafile.outputs))
    for (const imported of output.imports) {
      if (!imported.external || imported.path.startsWith('node:') || imported.path.startsWith('.')) continue
      const name = packageOf(imported.path)
      if (name.startsWith('@ensemble/')) missing.add(`${name} (workspace packages must be inlined)`)
      else if (!(name in manifest.dependencies) && !builtinModules.includes(name)) missing.add(name)
    }
  if (missing.size > 0)
    throw new Error(`dist imports packages missing from dependencies: ${[...missing].join(', ')}`)
}

async function buildCode(): Promise<void> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.values(entries)),
    outdir: lib,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunk-[hash]',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: [npmExternal],
  })
  checkImports(result.metafile)

  // Read at run time by esbuild, not imported: self-contained, so the package needs no core sources.
  for (const file of ['inside.ts', 'plugin-shim.ts']) {
    const shipped = await build({
      absWorkingDir: root,
      entryPoints: [join('src/sandbox', file)],
      outfile: join(lib, file),
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      legalComments: 'none',
      metafile: true,
      logLevel: 'warning',
    })
    const imports = Object.values(shipped.metafile.outputs).flatMap((o) => o.imports)
    if (imports.length > 0) throw new Error(`${file} must be self-contained; it imports ${imports[0]!.path}`)
  }

  writeFileSync(
    join(code, 'cli.js'),
    `#!/usr/bin/env node\nimport { runCli } from './lib/cli.js'\n\nprocess.exitCode = await runCli(process.argv.slice(2))\n`,
  )
  chmodSync(join(code, 'cli.js'), 0o755)
  cpSync(join(root, 'bin/register.js'), join(code, 'register.js'))
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

/*
 * Declarations: tsc over the SDK and core's plugin contract (rootDir packages/, so both keep their folders
 * under dist/dist/types/), then imports of @ensemble/core/plugin… rewritten to relative paths.
 */
const coreTypes: Record<string, string> = {
  '@ensemble/core/plugin': 'core/src/plugin/index',
  '@ensemble/core/plugin/theory': 'core/src/plugin/theory',
  '@ensemble/core/plugin/random': 'core/src/plugin/random',
}
const sdkTypes = 'plugin-sdk/src'

function buildTypes(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
  const types = join(code, 'types')
  for (const file of filesUnder(types).filter((f) => f.endsWith('.d.ts'))) {
    const text = readFileSync(file, 'utf8')
    const rewritten = text.replace(/(['"])(@ensemble\/[^'"]+)\1/g, (_, quote: string, specifier: string) => {
      const target = coreTypes[specifier]
      if (!target)
        throw new Error(`${relative(types, file)} imports ${specifier}, which the build does not ship`)
      const path = relative(dirname(file), join(types, target))
      return `${quote}${path.startsWith('.') ? path : `./${path}`}${quote}`
    })
    if (rewritten !== text) writeFileSync(file, rewritten)
  }
}

function writeManifest(): void {
  const exports: Record<string, unknown> = {}
  for (const [subpath, [name, source]] of Object.entries(entries)) {
    const types = source.replace(/^src\//, '').replace(/\.ts$/, '.d.ts')
    exports[subpath] = { types: `./dist/types/${sdkTypes}/${types}`, default: `./dist/lib/${name}.js` }
  }
  exports['./register'] = './dist/register.js'
  exports['./package.json'] = './package.json'
  const published = {
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    license: manifest.license,
    type: 'module',
    engines: { node: '>=20.19' },
    exports,
    types: `./dist/types/${sdkTypes}/index.d.ts`,
    bin: { 'ensemble-plugin': './dist/cli.js' },
    files: ['dist', 'samples', 'README.md'],
    dependencies: manifest.dependencies,
  }
  for (const [name, range] of Object.entries(published.dependencies))
    if (range.startsWith('workspace:') || name.startsWith('@ensemble/'))
      throw new Error(`${name}@${range} cannot be published: inline it (devDependencies) instead`)
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(published, null, 2)}\n`)
  cpSync(join(root, 'README.md'), join(out, 'README.md'))
  mkdirSync(join(out, 'samples'))
  for (const f of readdirSync(join(root, 'samples')).filter((f) => f.endsWith('.json')))
    cpSync(join(root, 'samples', f), join(out, 'samples', f))
}

rmSync(out, { recursive: true, force: true })
mkdirSync(lib, { recursive: true })
await buildCode()
buildTypes()
writeManifest()
console.log(`built ${relative(process.cwd(), out) || '.'}: ${filesUnder(out).length} files`)
