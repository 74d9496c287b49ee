/**
 * Offline render speed: a dense 16-track song (bench/studio/dense-song.ts) rendered in Node through
 * node-web-audio-api with core's renderSong, the same code path as a server-side WAV export. Prints the
 * song, wall time, and speed as a multiple of real time (audio seconds / wall seconds; above 1 is faster
 * than real time). `--presets` also renders each preset's tracks alone for the same length, to see where
 * the time goes. `--effects` gives every track three inserts (EQ, compressor, filter) and a send to each of
 * two buses (reverb, delay), and automates eight parameters over the song (four filter cutoffs, four
 * track volumes): the song of issue 22's render benchmark.
 *
 *   pnpm --filter @ensemble/bench studio-render [-- --bars 90 --rate 44100 --presets | --only pluck] [--effects]
 */
import { readSong } from '@ensemble/core'
import { closeTone, loadTone, renderSong } from '@ensemble/core/audio/node'
import { arg } from './command-line'
import { buildDenseSong } from './dense-song'
import { addEffects, EFFECT_PARTS, type EffectPart } from './effects-song'
import { describeMachine } from './machine'

const bars = Number(arg('bars', '90'))
const sampleRate = Number(arg('rate', '44100'))
const perPreset = process.argv.includes('--presets')
const withEffects = process.argv.includes('--effects') || arg('fx', '') !== ''
const fxParts = new Set<EffectPart>(
  arg('fx', '') === '' ? EFFECT_PARTS : (arg('fx', '').split(',') as EffectPart[]),
)
const census = process.argv.includes('--census')

async function timeRender(only: string | null) {
  const song = buildDenseSong(bars, only)
  if (withEffects) addEffects(song.doc, bars, fxParts)
  const snapshot = readSong(song.doc)
  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  const audio = await renderSong(snapshot, { sampleRate })
  const wall = (performance.now() - started) / 1000
  // CPU time of every thread of this process (node-web-audio-api renders on its own thread): on a shared,
  // loaded machine it says more than wall time.
  const used = process.cpuUsage(cpuBefore)
  const cpu = (used.user + used.system) / 1e6
  const seconds = (audio.channels[0]?.length ?? 0) / sampleRate
  let peak = 0
  for (const channel of audio.channels) for (const s of channel) peak = Math.max(peak, Math.abs(s))
  return {
    ...song,
    seconds,
    wall,
    cpu,
    speed: seconds / wall,
    cpuSpeed: seconds / cpu,
    peakDb: 20 * Math.log10(peak),
  }
}

await loadTone()
/** `--census`: how many native nodes of each kind a render creates (node-web-audio-api's factory methods). */
const created = new Map<string, number>()
if (census) {
  // loadTone put node-web-audio-api's classes on globalThis.
  let proto: object | null = globalThis.OfflineAudioContext.prototype
  const seen = new Set<string>()
  while (proto !== null && proto !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (!name.startsWith('create') || seen.has(name)) continue
      seen.add(name)
      const descriptor = Object.getOwnPropertyDescriptor(proto, name)
      const original = descriptor?.value as ((...args: unknown[]) => unknown) | undefined
      if (typeof original !== 'function') continue
      Object.defineProperty(proto, name, {
        ...descriptor,
        value(this: unknown, ...args: unknown[]) {
          created.set(name, (created.get(name) ?? 0) + 1)
          return original.apply(this, args)
        },
      })
    }
    proto = Object.getPrototypeOf(proto)
  }
}
console.log(
  `render bench: ${bars} bars at 120 bpm, ${sampleRate} Hz stereo${withEffects ? ', with effects, sends and automation' : ''}; ${describeMachine()}`,
)
console.log(
  '| song | tracks | notes | audio (s) | wall (s) | CPU (s) | × real time (wall) | × real time (CPU) | peak (dBFS) |',
)
console.log('|---|---|---|---|---|---|---|---|---|')
const onlyPreset = arg('only', '')
const rows = perPreset
  ? [null, 'drum-kit', 'bass', 'piano', 'pad', 'pluck', 'lead']
  : [onlyPreset === '' ? null : onlyPreset]
for (const only of rows) {
  const r = await timeRender(only)
  console.log(
    `| ${only ?? 'all 16 tracks'} | ${r.tracks} | ${r.notes} | ${r.seconds.toFixed(1)} | ${r.wall.toFixed(1)} | ${r.cpu.toFixed(1)} | ${r.speed.toFixed(2)} | ${r.cpuSpeed.toFixed(2)} | ${r.peakDb.toFixed(1)} |`,
  )
}
if (census)
  console.log(
    `nodes created: ${[...created]
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => `${name.replace('create', '')} ${n}`)
      .join(', ')}`,
  )
await closeTone()
