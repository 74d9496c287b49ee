import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { packPlugin } from '@ensemble/plugin-sdk/archive'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createInferenceClient, inferenceFailureReason } from '../src/client'
import { type ArchiveShelf, startArchiveShelf } from './helpers/archive-shelf'
import { manifestFor, windowInput } from './helpers/test-plugins'

/*
 * The inference process's memory under hostile plugins: the real service (`src/main.ts`, first-party models
 * and default sandbox settings) in a child process, four memory bombs run at once, and the process's peak
 * resident set read from the kernel (VmHWM in /proc/<pid>/status), which counts every thread's heap and
 * WebAssembly memory. Without a ceiling on the sandbox's WebAssembly memory the peak was 3.9 GiB here.
 */

const MAX_PEAK_RSS_MIB = 600
const SECRET = 'sandbox-memory-test-secret-0123456789'
const root = fileURLToPath(new URL('..', import.meta.url))

let child: ChildProcess
let shelf: ArchiveShelf
let url: string
let dataDir: string

/** What a bomb does to run out of memory: objects kept alive, and one string doubled without end. */
const BOMBS = {
  objects: '() => { const keep = []; for (let i = 0; ; i++) keep.push({ i, list: [i, i + 1], s: "x" + i }) }',
  string: `() => { let s = 'x'; for (;;) s += s }`,
  arrays: '() => { const keep = []; for (;;) keep.push(new Array(100000).fill(1.5)) }',
  buffers: '() => { const keep = []; for (;;) keep.push(new Float64Array(1 << 20)) }',
} as const

function bombManifest(name: keyof typeof BOMBS) {
  return manifestFor(`org.ensemble-tests.bomb-${name}`, {
    name: `Bomb ${name}`,
    description: 'Allocates until the sandbox stops it.',
  })
}

function bombArchive(name: keyof typeof BOMBS) {
  const manifest = bombManifest(name)
  const identity = JSON.stringify({ id: manifest.id, version: manifest.version, kind: manifest.kind })
  return packPlugin({
    manifest,
    bundle: `const manifest = ${identity}\nexport default { manifest, suggest: ${BOMBS[name]} }\n`,
    assets: {},
  })
}

/** Peak resident set of the process so far, in MiB. */
function peakRssMib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1])
  return kib / 1024
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-sandbox-memory-'))
  shelf = await startArchiveShelf(SECRET)
  for (const name of Object.keys(BOMBS) as (keyof typeof BOMBS)[])
    shelf.publish(bombManifest(name), await bombArchive(name))
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      INFERENCE_PORT: '0',
      INFERENCE_SECRET: SECRET,
      INFERENCE_ARCHIVES_URL: shelf.url,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  url = await new Promise<string>((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const listening = /"msg":"inference listening","url":"([^"]+)"/.exec(output)
      if (listening) resolve(listening[1]!)
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`the inference service exited (${code}):\n${output}`)))
  })
}, 120_000)

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  await shelf?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('sandbox memory', () => {
  it('four memory bombs at once keep the inference process under its memory bound', async () => {
    const api = createInferenceClient(url, SECRET)
    const names = Object.keys(BOMBS) as (keyof typeof BOMBS)[]
    const bomb = (name: keyof typeof BOMBS) =>
      api.suggest
        .mutate({
          pluginId: `org.ensemble-tests.bomb-${name}`,
          version: '1.0.0',
          input: windowInput({ deadlineMs: 10_000 }),
        })
        .then(
          () => 'ok',
          (err: unknown) => inferenceFailureReason(err),
        )
    // One at a time first: each is fetched and installed (its bundle checked on a free thread), and fails alone.
    for (const name of names) expect(['memory', 'timeout']).toContain(await bomb(name))
    const before = peakRssMib(child.pid!)
    const outcomes = await Promise.all(names.map(bomb))
    const peak = peakRssMib(child.pid!)
    console.log(
      `[sandbox memory] peak RSS ${Math.round(before)} MiB before the bombs, ${Math.round(peak)} MiB after`,
    )
    // Two threads serve four bombs: one queued behind another may run out of time before it runs out of memory.
    for (const outcome of outcomes) expect(['memory', 'timeout']).toContain(outcome)
    expect(peak).toBeLessThan(MAX_PEAK_RSS_MIB)
    // And the service is still there to serve the next call.
    expect((await api.health.query()).status).toBe('ok')
  }, 120_000)
})
