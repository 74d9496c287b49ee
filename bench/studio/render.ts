/**
 * Offline render speed: a dense 16-track song (bench/studio/dense-song.ts) rendered in Node through
 * node-web-audio-api with core's renderSong, the same code path as a server-side WAV export. Prints the
 * song, wall time, and speed as a multiple of real time (audio seconds / wall seconds; above 1 is faster
 * than real time). `--presets` also renders each preset's tracks alone for the same length, to see where
 * the time goes.
 *
 *   pnpm --filter @ensemble/bench studio-render [-- --bars 90 --rate 44100 --presets | --only pluck]
 */
import { readSong } from '@ensemble/core'
import { closeTone, loadTone, renderSong } from '@ensemble/core/audio/node'
import { arg } from './command-line'
import { buildDenseSong } from './dense-song'
import { describeMachine } from './machine'

const bars = Number(arg('bars', '90'))
const sampleRate = Number(arg('rate', '44100'))
const perPreset = process.argv.includes('--presets')

async function timeRender(only: string | null) {
  const song = buildDenseSong(bars, only)
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
console.log(`render bench: ${bars} bars at 120 bpm, ${sampleRate} Hz stereo; ${describeMachine()}`)
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
await closeTone()
