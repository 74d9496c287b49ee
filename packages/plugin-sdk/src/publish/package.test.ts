import { execFile } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { x as untar } from 'tar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readArchive } from '../archive'

/*
 * The package as npm users get it: built, packed with `pnpm pack`, unpacked outside the repository, and
 * installed into a project without the network (its npm dependencies linked from this workspace's store,
 * which is what `npm i` would fetch). Nothing of the workspace may be reachable from it.
 */

const run = promisify(execFile)
const SDK = fileURLToPath(new URL('../../', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'ensemble-plugin-sdk-pack-'))
const unpacked = join(root, 'package')
afterAll(() => rmSync(root, { recursive: true, force: true }))

interface PackedManifest {
  name: string
  bin: Record<string, string>
  exports: Record<string, string | Record<string, string>>
  dependencies: Record<string, string>
  [field: string]: unknown
}
let manifest: PackedManifest

beforeAll(async () => {
  await run('pnpm', ['run', 'build'], { cwd: SDK })
  await run('pnpm', ['pack', '--pack-destination', root], { cwd: SDK })
  const tarball = readdirSync(root).find((f) => f.endsWith('.tgz'))
  expect(tarball, `pnpm pack wrote nothing into ${root}`).toBeDefined()
  await untar({ file: join(root, tarball!), cwd: root })
  manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as PackedManifest
}, 240_000)

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

/** Every module specifier a file imports (static and dynamic), as esbuild reads them. */
async function importsOf(file: string): Promise<string[]> {
  const seen: string[] = []
  await build({
    entryPoints: [file],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'silent',
    plugins: [
      {
        name: 'record-imports',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return undefined
            seen.push(args.path)
            return { path: args.path, external: true }
          })
        },
      },
    ],
  })
  return seen
}

describe('the packed @ensemble/plugin-sdk', () => {
  it('declares only npm dependencies, and its entries and bin exist', () => {
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      const deps = (manifest[field] ?? {}) as Record<string, string>
      for (const [name, range] of Object.entries(deps)) {
        expect(range, `${field}.${name}`).not.toMatch(/^workspace:/)
        expect(name, field).not.toMatch(/^@ensemble\//)
      }
    }
    expect(Object.keys(manifest.dependencies)).toEqual(
      expect.arrayContaining(['esbuild', 'quickjs-emscripten', 'tar', 'zod', 'semver', 'commander']),
    )
    expect(manifest.bin).toEqual({ 'ensemble-plugin': './dist/cli.js' })
    expect(readFileSync(join(unpacked, 'dist/cli.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
    expect(Object.keys(manifest.exports)).toEqual(
      expect.arrayContaining(['.', './archive', './sandbox', './samples', './register', './cli']),
    )
    for (const [subpath, target] of Object.entries(manifest.exports))
      for (const path of typeof target === 'string' ? [target] : Object.values(target))
        expect(existsSync(join(unpacked, path)), `${subpath} → ${path}`).toBe(true)
    expect(readdirSync(join(unpacked, 'samples')).length).toBeGreaterThan(0)
    expect(existsSync(join(unpacked, 'src')), 'TypeScript sources are not shipped').toBe(false)
  })

  it('imports nothing of the workspace: only node built-ins and its declared dependencies', async () => {
    const code = filesUnder(join(unpacked, 'dist')).filter(
      (f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'),
    )
    expect(code.length).toBeGreaterThan(5)
    const builtins = new Set(builtinModules)
    for (const file of code) {
      const name = relative(unpacked, file)
      for (const specifier of await importsOf(file)) {
        expect(specifier, `${name} imports ${specifier}`).not.toMatch(/^@ensemble\//)
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue
        const pkg = specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/')
        expect(builtins.has(pkg) || pkg in manifest.dependencies, `${name} imports undeclared ${pkg}`).toBe(
          true,
        )
      }
    }
    // The sandbox's driver and shim are compiled at run time from these files: they must stand alone.
    for (const file of ['dist/lib/inside.ts', 'dist/lib/plugin-shim.ts'])
      expect(await importsOf(join(unpacked, file)), file).toEqual([])
    for (const file of filesUnder(join(unpacked, 'dist/types')))
      expect(readFileSync(file, 'utf8'), relative(unpacked, file)).not.toMatch(/['"]@ensemble\//)
  })

  describe('installed in a plugin project outside the repository', () => {
    const project = join(root, 'my-arp')
    const cli = join(project, 'node_modules/@ensemble/plugin-sdk/dist/cli.js')
    const node = (args: string[]) => run(process.execPath, args, { cwd: project })

    beforeAll(async () => {
      // What `npm i` puts beside the package: its dependencies (linked from this workspace, no network).
      for (const dep of Object.keys(manifest.dependencies)) {
        const link = join(unpacked, 'node_modules', dep)
        mkdirSync(dirname(link), { recursive: true })
        symlinkSync(realpathSync(join(SDK, 'node_modules', dep)), link, 'dir')
      }
      // The workspace's own packages must be out of reach, or this would prove nothing.
      await expect(
        run(process.execPath, ['--input-type=module', '-e', "await import('@ensemble/core/plugin')"], {
          cwd: unpacked,
        }),
      ).rejects.toThrow(/ERR_MODULE_NOT_FOUND|Cannot find package/)

      await run(
        process.execPath,
        [join(unpacked, 'dist/cli.js'), 'create', project, '--id', 'com.example.my-arp'],
        {
          cwd: root,
        },
      )
      mkdirSync(join(project, 'node_modules/@ensemble'), { recursive: true })
      symlinkSync(unpacked, join(project, 'node_modules/@ensemble/plugin-sdk'), 'dir')
    }, 60_000)

    it('validates, tests in the sandbox and packs with the packed CLI', async () => {
      const validated = await node([cli, 'validate'])
      expect(validated.stdout).toMatch(/com\.example\.my-arp 0\.1\.0 \(generator\) is valid/)

      const tested = await node([cli, 'test'])
      expect(tested.stdout).toMatch(
        /✓ melody-c-major-4-4 · defaults: 2 suggestions, \d+ notes, 100% in C major/,
      )
      expect(tested.stdout).toMatch(/6 sandbox runs passed/)

      const packed = await node([cli, 'pack'])
      expect(packed.stdout).toContain('packed dist/com.example.my-arp-0.1.0.ensemble-plugin')
      const archive = await readArchive(
        new Uint8Array(readFileSync(join(project, 'dist/com.example.my-arp-0.1.0.ensemble-plugin'))),
      )
      expect(archive.manifest.id).toBe('com.example.my-arp')
      expect(archive.bundle).not.toMatch(/\bimport\b[^;]*from/)
    })

    it("runs the project's own tests through @ensemble/plugin-sdk/register", async () => {
      const tested = await node([
        '--import',
        '@ensemble/plugin-sdk/register',
        '--test',
        'test/plugin.test.ts',
      ])
      expect(tested.stdout).toMatch(/# pass [1-9]/)
      expect(tested.stdout).toMatch(/# fail 0/)
    })

    it('types a plugin with the packed declarations', async () => {
      mkdirSync(join(project, 'node_modules/@types'), { recursive: true })
      symlinkSync(
        realpathSync(join(SDK, 'node_modules/@types/node')),
        join(project, 'node_modules/@types/node'),
      )
      writeFileSync(
        join(project, 'src/typed.ts'),
        `import { type PluginManifest, runPlugin } from '@ensemble/plugin-sdk'
import { readArchive } from '@ensemble/plugin-sdk/archive'
import { runInSandbox } from '@ensemble/plugin-sdk/sandbox'
import plugin from './plugin'

export const id: string = plugin.manifest.id
export const kinds: PluginManifest['kind'][] = ['generator']
export const calls = [runPlugin, readArchive, runInSandbox]
// @ts-expect-error a manifest id is a string: this line must fail, or the declarations typed nothing
export const wrong: number = plugin.manifest.id
`,
      )
      const tsc = createRequire(join(SDK, 'package.json')).resolve('typescript/bin/tsc')
      const checked = await node([tsc, '-p', '.']).catch((error: { stdout: string }) => error)
      expect(checked.stdout).toBe('')
    })
  })
})
