import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { inScale } from '@ensemble/core/plugin'
import { afterAll, describe, expect, it } from 'vitest'
import { readArchive, sha256 } from '../archive'
import { loadSamples } from '../samples'
import { runInSandbox } from '../sandbox'
import { runCli } from './main'

/*
 * The CLI as a plugin author meets it: projects live in a temp folder outside the repository, and resolve
 * `@ensemble/plugin-sdk` through a node_modules symlink to this package (what `npm i @ensemble/plugin-sdk`
 * gives them in production).
 */

const SDK = fileURLToPath(new URL('../../', import.meta.url))
const BIN = join(SDK, 'bin/ensemble-plugin.js')
const root = mkdtempSync(join(tmpdir(), 'ensemble-plugin-cli-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

interface Run {
  code: number
  out: string
  err: string
}

async function cli(args: string[], cwd = root, env: Record<string, string> = {}): Promise<Run> {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(args, { cwd, env, out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

function linkSdk(project: string): void {
  mkdirSync(join(project, 'node_modules/@ensemble'), { recursive: true })
  symlinkSync(SDK, join(project, 'node_modules/@ensemble/plugin-sdk'), 'dir')
}

let projects = 0
async function scaffold(kind = 'generator'): Promise<string> {
  const dir = join(root, `project-${++projects}`)
  const created = await cli(['create', dir, '--kind', kind, '--id', `com.example.p${projects}`])
  expect(created.code, created.err).toBe(0)
  linkSdk(dir)
  return dir
}

function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8')
  const next = text.replace(from, to)
  expect(next, `${from} not found in ${file}`).not.toBe(text)
  writeFileSync(file, next)
}

describe('create, validate, test, pack', () => {
  it('scaffolds a project that depends only on the SDK and passes every command', async () => {
    const dir = await scaffold()
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    expect(Object.keys(pkg.dependencies)).toEqual(['@ensemble/plugin-sdk'])
    expect(pkg.devDependencies).toBeUndefined()
    expect(readFileSync(join(dir, 'src/plugin.ts'), 'utf8')).toContain('kind: "generator"')

    const validated = await cli(['validate'], dir)
    expect(validated.code, validated.err).toBe(0)
    expect(validated.out).toMatch(/com\.example\.p\d+ 0\.1\.0 \(generator\) is valid/)

    const tested = await cli(['test'], dir)
    expect(tested.code, tested.err).toBe(0)
    expect(tested.out).toMatch(/✓ melody-c-major-4-4 · defaults: 2 suggestions, \d+ notes, 100% in C major/)
    expect(tested.out).not.toContain('drums-e-minor')
    expect(tested.out).toMatch(/6 sandbox runs passed/)

    const packed = await cli(['pack'], dir)
    expect(packed.code, packed.err).toBe(0)
    const file = join(dir, 'dist', `${pkg.name === '' ? '' : ''}com.example.p1-0.1.0.ensemble-plugin`)
    const archive = await readArchive(new Uint8Array(readFileSync(file)))
    expect(archive.manifest.id).toBe('com.example.p1')
    expect(packed.out).toContain(`plugin.js      ${archive.bundleSha256}`)
    expect(packed.out).toContain(`archive        ${archive.archiveSha256}`)
  })

  it.each(['harmonizer', 'arranger'])('scaffolds a %s that passes its sandbox test', async (kind) => {
    const dir = await scaffold(kind)
    const tested = await cli(['test'], dir)
    expect(tested.code, tested.err).toBe(0)
    expect(tested.out).toMatch(/sandbox runs passed/)
  })

  it('works as a real command, and the scaffold’s own test runs under node --test', async () => {
    const dir = await scaffold()
    const run = promisify(execFile)
    const { stdout } = await run(process.execPath, [BIN, 'validate'], { cwd: dir })
    expect(stdout).toMatch(/is valid/)
    const failed = await run(process.execPath, [BIN, 'validate'], { cwd: root }).catch(
      (e: { code: number; stderr: string }) => e,
    )
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: no package\.json in /) })
    const tests = await run(
      process.execPath,
      ['--import', '@ensemble/plugin-sdk/register', '--test', 'test/plugin.test.ts'],
      { cwd: dir },
    )
    expect(tests.stdout).toMatch(/# pass 2\n# fail 0/)
  })
})

describe('the example plugins', () => {
  it.each(['arpeggiator', 'markov-melody'])(
    '%s: validates, tests and packs reproducibly; output in key, same by seed',
    async (name) => {
      const dir = join(root, name)
      cpSync(join(SDK, 'examples', name), dir, {
        recursive: true,
        filter: (src) => !/node_modules|dist/.test(src),
      })
      linkSdk(dir)
      expect((await cli(['validate'], dir)).code).toBe(0)
      const tested = await cli(['test'], dir)
      expect(tested.code, tested.err).toBe(0)
      expect(tested.out).toMatch(/6 sandbox runs passed/)

      const packed = await cli(['pack'], dir)
      expect(packed.code, packed.err).toBe(0)
      const file = join(dir, 'dist', `com.example.${name}-1.0.0.ensemble-plugin`)
      const first = readFileSync(file)
      expect((await cli(['pack'], dir)).code).toBe(0)
      expect(sha256(readFileSync(file))).toBe(sha256(first))

      const { bundle, manifest } = await readArchive(new Uint8Array(first))
      for (const sample of loadSamples().filter((s) => s.input.target.kind === 'instrument')) {
        const input = { ...sample.input, variations: 3 }
        const output = await runInSandbox({ bundle, manifest, input })
        expect(output.suggestions).toHaveLength(3)
        const notes = output.suggestions.flatMap((s) => ('notes' in s ? s.notes : []))
        expect(notes.length).toBeGreaterThan(0)
        expect(notes.filter((n) => !inScale(n.pitch, input.song.key))).toEqual([])
        expect(await runInSandbox({ bundle, manifest, input })).toEqual(output)
        expect(
          await runInSandbox({ bundle, manifest, input: { ...input, seed: input.seed + 1 } }),
        ).not.toEqual(output)
      }
    },
  )
})

describe('every failure is one clear message and exit code 1', () => {
  it('a bad manifest lists each problem with its path', async () => {
    const dir = await scaffold()
    edit(join(dir, 'src/plugin.ts'), /id: "com\.example\.p\d+"/, 'id: "Not An Id"')
    edit(join(dir, 'src/plugin.ts'), 'max: 1, default: 0.6', 'max: 1, default: 3')
    const run = await cli(['validate'], dir)
    expect(run.code).toBe(1)
    expect(run.err).toContain('error: invalid manifest in src/plugin.ts')
    expect(run.err).toContain('  - manifest.id: must be a reverse-DNS id')
    expect(run.err).toMatch(/manifest\.parameters\[0\]\.default: .*3/)
  })

  it('an asset whose digest does not match, and one that is missing', async () => {
    const dir = await scaffold()
    mkdirSync(join(dir, 'assets/tiny'), { recursive: true })
    writeFileSync(join(dir, 'assets/tiny/model.json'), '{"format":"layers-model"}')
    writeFileSync(join(dir, 'assets/tiny/w.bin'), 'weights')
    const modelSha = sha256('{"format":"layers-model"}')
    edit(
      join(dir, 'src/plugin.ts'),
      /assets: \[\],\n {4}capabilities: \["theory"\]|assets: \[\],\n {4}capabilities: \['theory'\]/,
      `assets: [
      { id: 'tiny', format: 'tfjs-layers', path: 'tiny/model.json', sha256: '${modelSha}', weights: [{ path: 'w.bin', sha256: '${'0'.repeat(64)}' }, { path: 'gone.bin', sha256: '${'1'.repeat(64)}' }] },
    ],
    capabilities: ['models', 'theory']`,
    )
    const run = await cli(['validate'], dir)
    expect(run.code).toBe(1)
    expect(run.err).toContain(
      `assets/tiny/w.bin: SHA-256 is ${sha256('weights')}; the manifest pins ${'0'.repeat(64)}`,
    )
    expect(run.err).toContain('assets/tiny/gone.bin: missing; the manifest names it')
    expect((await cli(['pack'], dir)).code).toBe(1)
  })

  it('a host API range this SDK does not implement', async () => {
    const dir = await scaffold()
    edit(join(dir, 'src/plugin.ts'), /hostApi: ['"]\^1\.0\.0['"]/, "hostApi: '^2.0.0'")
    const run = await cli(['validate'], dir)
    expect(run.code).toBe(1)
    expect(run.err).toContain('manifest.hostApi: "^2.0.0" does not include host API 1.0.0')
  })

  it('a plugin that throws in test, and one that returns notes outside the window', async () => {
    const dir = await scaffold()
    edit(
      join(dir, 'src/plugin.ts'),
      /suggest\(input, ctx\) \{/,
      "suggest(input, ctx) {\n    if (input.song.key.mode === 'minor') throw new Error('minor keys are not supported')",
    )
    const run = await cli(['test'], dir)
    expect(run.code).toBe(1)
    expect(run.err).toMatch(/✗ lead-a-minor-3-4 · defaults: plugin_threw: .*minor keys are not supported/)
    expect(run.out).toMatch(/✓ melody-c-major-4-4 · defaults/)
    expect(run.err).toContain('error: 3 of 6 sandbox runs failed')

    const outside = await scaffold()
    edit(
      join(outside, 'src/plugin.ts'),
      /return \{ suggestions \}/,
      'return { suggestions: [{ label: "x", notes: [{ pitch: 60, start: length, duration: 10, velocity: 90 }] }] }',
    )
    const bad = await cli(['test'], outside)
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/✗ melody-c-major-4-4 · defaults: invalid_output: /)
  })

  it("a project's own samples are tested too, and a broken one is named", async () => {
    const dir = await scaffold()
    mkdirSync(join(dir, 'samples'))
    const sample = loadSamples().find((s) => s.name === 'melody-c-major-4-4')!
    const dorian = { ...sample.input, song: { ...sample.input.song, key: { tonic: 'D', mode: 'dorian' } } }
    writeFileSync(join(dir, 'samples/d-dorian.json'), JSON.stringify(dorian))
    const run = await cli(['test'], dir)
    expect(run.code, run.err).toBe(0)
    expect(run.out).toMatch(/✓ d-dorian · defaults: 2 suggestions, \d+ notes, 100% in D dorian/)
    writeFileSync(join(dir, 'samples/broken.json'), JSON.stringify({ ...dorian, seed: -1 }))
    const broken = await cli(['test'], dir)
    expect(broken.code).toBe(1)
    expect(broken.err).toMatch(/^error: sample .*broken\.json is not a valid suggest input: seed: /)
  })

  it('code that does not build, and folders that are not projects', async () => {
    const dir = await scaffold()
    edit(
      join(dir, 'src/plugin.ts'),
      /^/,
      "import { readFileSync } from 'node:fs'\nconsole.log(readFileSync)\n",
    )
    const run = await cli(['validate'], dir)
    expect(run.code).toBe(1)
    expect(run.err).toMatch(/error: src\/plugin\.ts does not build\n {2}- .*node:fs/)
    expect((await cli(['test'], root)).err).toMatch(/^error: no package\.json in /)
    const noEntry = join(root, 'no-entry')
    mkdirSync(noEntry)
    writeFileSync(join(noEntry, 'package.json'), '{}')
    expect((await cli(['pack'], noEntry)).err).toMatch(/^error: no src\/plugin\.ts in /)
  })

  it('create refuses a non-empty folder, an unknown kind and a bad id', async () => {
    const dir = await scaffold()
    expect((await cli(['create', dir])).err).toMatch(/already exists and is not empty/)
    expect((await cli(['create', join(root, 'k'), '--kind', 'mixer'])).err).toMatch(
      /--kind must be one of generator, arranger, harmonizer; got "mixer"/,
    )
    expect((await cli(['create', join(root, 'i'), '--id', 'example'])).err).toMatch(
      /--id "example" must be a reverse-DNS id/,
    )
    expect((await cli(['frobnicate'])).code).toBe(1)
  })
})

describe('publish, against a plain local HTTP server (the registry itself is tested by the web app)', () => {
  let server: Server
  const seen: { auth?: string; type?: string; bytes: number }[] = []
  let answer: { status: number; body: string } = { status: 201, body: '{}' }

  async function listen(): Promise<string> {
    server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        seen.push({
          auth: req.headers.authorization,
          type: req.headers['content-type'],
          bytes: Buffer.concat(chunks).length,
        })
        res.writeHead(req.url === '/api/plugins/publish' ? answer.status : 404, {
          'content-type': 'application/json',
        })
        res.end(answer.body)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }
  afterAll(() => server?.close())

  it('sends the archive with the bearer token and prints the registry’s refusal', async () => {
    const registry = await listen()
    const dir = await scaffold()
    answer = { status: 201, body: JSON.stringify({ id: 'com.example.p', version: '0.1.0' }) }
    const ok = await cli(['publish', '--registry', registry, '--token', 'tok-1'], dir)
    expect(ok.code, ok.err).toBe(0)
    expect(ok.out).toMatch(
      /^published com\.example\.p\d+ 0\.1\.0 to http:\/\/127\.0\.0\.1:\d+ \(archive [0-9a-f]{64}\)/,
    )
    expect(seen.at(-1)).toMatchObject({ auth: 'Bearer tok-1', type: 'application/octet-stream' })
    expect(seen.at(-1)!.bytes).toBeGreaterThan(100)

    answer = {
      status: 409,
      // The studio's shape: a stable code and a sentence.
      body: JSON.stringify({ error: 'version_exists', message: 'version 0.1.0 is already published' }),
    }
    const reused = await cli(['publish', '--registry', registry], dir, { ENSEMBLE_PUBLISH_TOKEN: 'tok-2' })
    expect(reused.code).toBe(1)
    expect(reused.err).toBe(
      'error: publish refused (409): version_exists: version 0.1.0 is already published',
    )
    expect(seen.at(-1)!.auth).toBe('Bearer tok-2')

    answer = { status: 401, body: JSON.stringify({ message: 'unknown publisher token' }) }
    const denied = await cli(
      [
        'publish',
        '--registry',
        registry,
        '--token',
        'nope',
        '--file',
        `dist/com.example.p${projects}-0.1.0.ensemble-plugin`,
      ],
      dir,
    )
    expect(denied.err).toBe(
      'error: publish refused (401): unknown publisher token (check the publisher token)',
    )
  })

  it('says when there is no token, no registry to reach, or a file that is not an archive', async () => {
    const dir = await scaffold()
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise((resolve) => probe.close(resolve))
    const nowhere = `http://127.0.0.1:${port}`
    expect((await cli(['publish', '--registry', nowhere], dir)).err).toMatch(
      /no publisher token: pass --token or set ENSEMBLE_PUBLISH_TOKEN/,
    )
    expect((await cli(['publish', '--registry', nowhere, '--token', 't'], dir)).err).toMatch(
      /could not reach the registry at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/,
    )
    expect((await cli(['publish', '--registry', 'not a url', '--token', 't'], dir)).err).toMatch(
      /--registry "not a url" is not a URL/,
    )
    writeFileSync(join(dir, 'junk.ensemble-plugin'), 'junk')
    expect(
      (await cli(['publish', '--registry', nowhere, '--token', 't', '--file', 'junk.ensemble-plugin'], dir))
        .err,
    ).toMatch(/the archive was refused \(corrupt\)/)
  })
})
