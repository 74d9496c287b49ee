/**
 * The studio route's JavaScript, gzipped, from the production build's manifests (run
 * `pnpm --filter @ensemble/web build` first):
 *
 *   pnpm --filter @ensemble/bench studio-bundle
 *
 * - initial: what `/songs/[id]` loads before it is interactive: the root main files (framework, runtime)
 *   plus the chunks the route's client-reference manifest lists for the root layout and the page;
 * - audio (lazy): the chunks that hold Tone.js and the audio engine, which the studio imports on the first
 *   gesture that needs sound (found by content: Tone's PolySynth / standardized-audio-context strings);
 * - Tone.js's own share, and for reference Tone's minified UMD build gzipped on its own.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const next = path.join(repoRoot, 'apps/web/.next')
const route = '/songs/[id]/page'

const gz = (file: string) => gzipSync(readFileSync(path.join(next, file)), { level: 9 }).length
const raw = (file: string) => readFileSync(path.join(next, file)).length
const kib = (bytes: number) => (bytes / 1024).toFixed(1)

const build = JSON.parse(readFileSync(path.join(next, 'build-manifest.json'), 'utf8')) as {
  rootMainFiles: string[]
  polyfillFiles: string[]
}
const manifestJs = readFileSync(path.join(next, `server/app${route}_client-reference-manifest.js`), 'utf8')
const sandbox = { __RSC_MANIFEST: {} as Record<string, { entryJSFiles: Record<string, string[]> }> }
new Function('globalThis', manifestJs)(sandbox)
const entry = sandbox.__RSC_MANIFEST[route]?.entryJSFiles
if (!entry) throw new Error(`no client-reference manifest for ${route}; build the web app first`)
const routeFiles = Object.entries(entry)
  .filter(([module]) => module.endsWith('/app/layout') || module.endsWith('/app/songs/[id]/page'))
  .flatMap(([, files]) => files)
const initial = [...new Set([...build.rootMainFiles, ...routeFiles])]

const chunks = readdirSync(path.join(next, 'static/chunks'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => `static/chunks/${f}`)
const isTone = (file: string) => {
  const text = readFileSync(path.join(next, file), 'utf8')
  return text.includes('Max polyphony exceeded') || text.includes('standardized-audio-context')
}
const toneInitial = initial.filter(isTone)
const audioLazy = chunks.filter((f) => !initial.includes(f) && isTone(f))

const sum = (files: readonly string[], size: (f: string) => number) => files.reduce((t, f) => t + size(f), 0)
const initialGz = sum(initial, gz)
const audioGz = sum(audioLazy, gz)
const require = createRequire(path.join(repoRoot, 'packages/core/package.json'))
const toneUmd = require.resolve('tone/build/Tone.js')
const toneAloneGz = gzipSync(readFileSync(toneUmd), { level: 9 }).length

console.log(`studio route ${route}, build ${readFileSync(path.join(next, 'BUILD_ID'), 'utf8').trim()}`)
console.log('| part | files | raw (KiB) | gzipped (KiB) |')
console.log('|---|---|---|---|')
console.log(`| initial JS | ${initial.length} | ${kib(sum(initial, raw))} | ${kib(initialGz)} |`)
console.log(
  `| of which Tone.js | ${toneInitial.length} | ${kib(sum(toneInitial, raw))} | ${kib(sum(toneInitial, gz))} |`,
)
console.log(
  `| audio engine + Tone.js (lazy, first sound) | ${audioLazy.length} | ${kib(sum(audioLazy, raw))} | ${kib(audioGz)} |`,
)
console.log(
  `| total after first sound | ${initial.length + audioLazy.length} | — | ${kib(initialGz + audioGz)} |`,
)
console.log(
  `| reference: tone/build/Tone.js alone | 1 | ${kib(readFileSync(toneUmd).length)} | ${kib(toneAloneGz)} |`,
)
console.log(
  `Tone.js share of the studio's JS after first sound: about ${((100 * Math.min(audioGz + sum(toneInitial, gz), toneAloneGz)) / (initialGz + audioGz)).toFixed(0)} % (Tone's own gzipped size over the total)`,
)
