/**
 * Render speed in Chromium's OfflineAudioContext, and the CPU of live playback, for issue 22's song: the dense
 * 16-track song with three inserts per track, two send buses and eight automated parameters
 * (effects-song.ts). core's browser entry (`@ensemble/core/audio`, what the studio's WAV export calls) is
 * bundled with esbuild and run in a blank page, so no studio build is needed and an older core can run beside
 * this one: `--before <repo root>` bundles the same song against that checkout (a `git worktree` of the
 * commit to compare) and renders it first, in the same browser.
 *
 * Prints per build: audio seconds, wall seconds, × real time, peak; then, with `--play <s>`, Chromium's CPU
 * (every process it started, from /proc) over that many seconds of live playback, against the same time idle.
 *
 *   pnpm --filter @ensemble/bench studio-browser-render [-- --bars 90 --before ../../base --play 20 --plain]
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Page } from 'playwright-core'
import { arg } from './command-line'
import { describeMachine } from './machine'
import { launchChromium, sleep } from './studio-session'

const bars = Number(arg('bars', '90'))
const before = arg('before', '')
const playSeconds = Number(arg('play', '0'))
const withEffects = !process.argv.includes('--plain')
/** `--profile`: a JS CPU profile of the page during each render, summarised (self time per function). */
const profile = process.argv.includes('--profile')
const here = path.dirname(fileURLToPath(import.meta.url))

/** The page's side: builds the song, renders it (or plays it live) with core's browser entry. */
const ENTRY = `
import { readSong } from '@ensemble/core'
import { createAudioEngine, renderSong } from '@ensemble/core/audio'
import { buildDenseSong } from './dense-song'
import { addEffects } from './effects-song'

const song = (bars, effects) => {
  const built = buildDenseSong(bars, null)
  if (effects) addEffects(built.doc, bars)
  return built
}
window.benchRender = async (bars, effects) => {
  const built = song(bars, effects)
  const snapshot = readSong(built.doc)
  const started = performance.now()
  let progressCalls = 0
  const audio = await renderSong(snapshot, { sampleRate: 44100, onProgress: () => progressCalls++ })
  const wall = (performance.now() - started) / 1000
  let peak = 0
  for (const channel of audio.channels) for (const s of channel) peak = Math.max(peak, Math.abs(s))
  return { tracks: built.tracks, notes: built.notes, seconds: audio.channels[0].length / 44100, wall, peak, progressCalls }
}
let engine = null
window.benchPlay = async (bars, effects) => {
  engine = createAudioEngine(song(bars, effects).doc)
  await engine.resume()
  engine.play(0)
}
window.benchStop = () => { engine?.stop(); engine?.dispose(); engine = null }
`

/** Bundles ENTRY against the core and bench of the checkout at `root`. */
async function bundle(root: string): Promise<string> {
  const studio = path.join(root, 'bench', 'studio')
  const entry = path.join(studio, '.browser-render-entry.js')
  const effects = path.join(studio, 'effects-song.ts')
  // An older checkout may lack the effects song: it uses only core's public operations, so it is lent.
  const lent = path.resolve(studio) !== here && !existsSync(effects)
  writeFileSync(entry, ENTRY)
  if (lent) writeFileSync(effects, readFileSync(path.join(here, 'effects-song.ts')))
  try {
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: root,
      bundle: true,
      format: 'iife',
      platform: 'browser',
      minify: !profile,
      write: false,
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'error',
    })
    return result.outputFiles[0]!.text
  } finally {
    rmSync(entry)
    if (lent) rmSync(effects)
  }
}

const CLOCK_TICKS = 100

/** CPU seconds of every process descended from this one (the browser and its renderers, GPU, audio). */
function childrenCpuSeconds(): number {
  const parents = new Map<number, number>()
  const cpu = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // Fields after the command name (which may hold spaces), closed by the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      parents.set(Number(entry), Number(fields[1]))
      cpu.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS)
    } catch {
      // The process ended meanwhile.
    }
  }
  let total = 0
  for (const [pid, seconds] of cpu) {
    let at = parents.get(pid)
    while (at !== undefined && at !== process.pid && at > 1) at = parents.get(at)
    if (at === process.pid) total += seconds
  }
  return total
}

interface Rendered {
  tracks: number
  notes: number
  seconds: number
  wall: number
  peak: number
  progressCalls: number
}

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}

/** The functions with the most self time in a CDP CPU profile, as "ms name". */
function topSelfTime(
  result: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] },
  count = 15,
): string {
  const byId = new Map(result.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  result.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame
    const name = `${frame.functionName || '(anonymous)'}${frame.url === '' ? '' : `:${frame.lineNumber}`}`
    self.set(name, (self.get(name) ?? 0) + (result.timeDeltas[i] ?? 0) / 1000)
  })
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => `  ${ms.toFixed(0).padStart(7)} ms  ${name}`)
    .join('\n')
}

async function timeRender(page: Page, code: string): Promise<Rendered> {
  await page.setContent('<!doctype html><title>render bench</title>')
  await page.addScriptTag({ content: code })
  const session = profile ? await page.context().newCDPSession(page) : null
  if (session !== null) {
    await session.send('Profiler.enable')
    await session.send('Profiler.start')
  }
  const rendered = await page.evaluate(
    ([b, e]) =>
      (window as unknown as { benchRender: (b: number, e: boolean) => Promise<Rendered> }).benchRender(b, e),
    [bars, withEffects] as const,
  )
  if (session !== null) {
    const { profile: result } = await session.send('Profiler.stop')
    console.log(`page JS during the render, self time:\n${topSelfTime(result as never)}`)
    await session.detach()
  }
  return rendered
}

const browser = await launchChromium(['--autoplay-policy=no-user-gesture-required'])
try {
  const page = await browser.newPage()
  page.setDefaultTimeout(3_600_000)
  console.log(
    `browser render bench: ${bars} bars at 120 bpm, 44100 Hz stereo${withEffects ? ', 3 effects a track, 2 send buses, 8 automated parameters' : ''}; Chromium ${browser.version()}; ${describeMachine()}`,
  )
  console.log(
    '| core | tracks | notes | audio (s) | wall (s) | × real time | peak (dBFS) | progress reports |',
  )
  console.log('|---|---|---|---|---|---|---|---|')
  const builds: [string, string][] = []
  if (before !== '') builds.push(['before', path.resolve(before)])
  builds.push(['this checkout', path.resolve(here, '..', '..')])
  let code = ''
  for (const [label, root] of builds) {
    code = await bundle(root)
    const r = await timeRender(page, code)
    console.log(
      `| ${label} | ${r.tracks} | ${r.notes} | ${r.seconds.toFixed(1)} | ${r.wall.toFixed(1)} | ${(r.seconds / r.wall).toFixed(2)} | ${(20 * Math.log10(r.peak)).toFixed(1)} | ${r.progressCalls} |`,
    )
  }
  if (playSeconds > 0) {
    // This checkout's core, live: CPU over the same span idle (page open, nothing playing), then playing.
    await page.setContent('<!doctype html><title>play bench</title>')
    await page.addScriptTag({ content: code })
    const idleFrom = childrenCpuSeconds()
    await sleep(playSeconds * 1000)
    const idle = childrenCpuSeconds() - idleFrom
    await page.evaluate(
      ([b, e]) =>
        (window as unknown as { benchPlay: (b: number, e: boolean) => Promise<void> }).benchPlay(b, e),
      [bars, withEffects] as const,
    )
    const playFrom = childrenCpuSeconds()
    await sleep(playSeconds * 1000)
    const playing = childrenCpuSeconds() - playFrom
    await page.evaluate(() => (window as unknown as { benchStop: () => void }).benchStop())
    console.log(
      '| live playback | seconds | Chromium CPU idle (s) | Chromium CPU playing (s) | share of one core playing |',
    )
    console.log('|---|---|---|---|---|')
    console.log(
      `| this checkout | ${playSeconds} | ${idle.toFixed(1)} | ${playing.toFixed(1)} | ${((100 * (playing - idle)) / playSeconds).toFixed(0)} % above idle |`,
    )
  }
} finally {
  await browser.close()
}
