/**
 * AI partner timing (issue 24): where should a live partner's inference run? Two paths, same models, same
 * machine, one after the other:
 *
 * - in-page: the partner runs where the player is (tfjs in the browser, in a Web Worker). Measured here in
 *   Node on tfjs's wasm and cpu backends, the same kernels the browser's wasm/cpu backends run; the partner
 *   is driven by the rehearsal clock (packages/plugins/src/live/rehearsal.ts: the studio's loop, core's
 *   LIVE_HOST_LOOP, every millisecond of compute counted). Figures: the answer's first note
 *   after the phrase's end, how early each note reached the host before its beat (p50/p99/min; negative =
 *   late), late windows, and model time per beat of music.
 * - service: the inference service's existing suggest path over HTTP (the real service, in this process),
 *   asked for the same work in one call: the Continue generator continuing the phrase by 2 bars, and the
 *   Drums generator for one bar. An answer can only start once the whole call is back, so its first note is
 *   ready gap + round trip after the phrase ends.
 *
 *   pnpm --filter @ensemble/bench exec tsx jam/partner.ts [--rounds 8 --backend wasm,cpu] [--lookahead 0.375]
 *     [--gap 0.125]
 */
import { loadavg } from 'node:os'
import { LIVE_HOST_LOOP, type ModelRunner, startLive } from '@ensemble/core/plugin'
import { createInferenceClient } from '../../apps/inference/src/client'
import { startTestInference } from '../../apps/inference/src/testing'
import { type BackendName, initBackend } from '../../packages/plugins/src/common/backend'
import { loadLocalModels } from '../../packages/plugins/src/common/local-host'
import type { LiveRegistration } from '../../packages/plugins/src/host'
import {
  D_MAJOR_PHRASE,
  type PlayedNote,
  playedEvents,
  RELEASE,
} from '../../packages/plugins/src/live/phrases'
import { callResponsePartner, drummerPartner } from '../../packages/plugins/src/live/published'
import { rehearse } from '../../packages/plugins/src/live/rehearsal'
import { percentile } from '../collab/measure'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback
}
const rounds = Number(arg('rounds', '8'))
const backends = arg('backend', 'wasm,cpu').split(',') as BackendName[]
/** The host's loop and call and response's phrase gap: the studio's by default; `--lookahead 0.25 --gap 0.25` was the loop before. */
const loop = {
  ...LIVE_HOST_LOOP,
  lookaheadBeats: Number(arg('lookahead', String(LIVE_HOST_LOOP.lookaheadBeats))),
}
const gap = arg('gap', '')
const BPM = 120
const MS_PER_BEAT = 60_000 / BPM
const song = { bpm: BPM, timeSignature: { numerator: 4, denominator: 4 }, key: { tonic: 'D', mode: 'major' } }

const PHRASE_END = 7 + RELEASE

/** A runner that counts the time spent in model calls (the inference cost, without the host's waiting). */
function timed(runner: ModelRunner): { runner: ModelRunner; ms: () => number } {
  let total = 0
  return {
    ms: () => total,
    runner: {
      async run(assetId, inputs) {
        const started = performance.now()
        try {
          return await runner.run(assetId, inputs)
        } finally {
          total += performance.now() - started
        }
      },
    },
  }
}

/** Call and response's phrase gap in beats: `--gap`, else its manifest's default. */
function phraseGap(): number {
  if (gap !== '') return Number(gap)
  const declared = callResponsePartner().plugin.manifest.parameters.find((p) => p.id === 'gap')
  return declared?.type === 'float' ? declared.default : Number.NaN
}

const f = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(1))

async function inPage(backend: BackendName) {
  const got = await initBackend(backend)
  const rows: string[] = []
  for (const [name, make, performance, beats] of [
    ['call and response', callResponsePartner, playedEvents(D_MAJOR_PHRASE), 20],
    [
      'drummer',
      drummerPartner,
      playedEvents(Array.from({ length: 64 }, (_, i): PlayedNote => [60 + (i % 5), i * 0.5, 0.5])),
      32,
    ],
  ] as const) {
    const reg: LiveRegistration = make()
    const local = loadLocalModels(reg)
    const firstDelays: number[] = []
    const margins: number[] = []
    const perBeat: number[] = []
    let late = 0
    let windows = 0
    for (let seed = 1; seed <= rounds; seed++) {
      const cost = timed(local.runner)
      const parameters = name === 'call and response' && gap !== '' ? { gap: Number(gap) } : {}
      const run = startLive(reg.plugin, { song, parameters, seed }, { models: cost.runner })
      const out = await rehearse(run, performance, { bpm: BPM, ...loop, untilBeat: beats })
      late += out.late
      windows += out.plans.length
      for (const n of out.notes) margins.push((n.beat - n.readyAtBeat) * MS_PER_BEAT)
      if (name === 'call and response') {
        const first = Math.min(...out.notes.map((n) => n.beat))
        if (Number.isFinite(first)) firstDelays.push(first - PHRASE_END)
        perBeat.push(cost.ms() / (beats - PHRASE_END))
      } else perBeat.push(cost.ms() / beats)
      run.stop()
    }
    margins.sort((a, b) => a - b)
    firstDelays.sort((a, b) => a - b)
    perBeat.sort((a, b) => a - b)
    rows.push(
      `| in-page (${got}) | ${name} | ${firstDelays.length ? `${f(percentile(firstDelays, 50))} / ${f(firstDelays.at(-1))} beats` : '—'} | ${f(percentile(margins, 50))} / ${f(percentile(margins, 1))} / ${f(margins[0])} | ${late} of ${windows} | ${f(percentile(perBeat, 50))} / ${f(percentile(perBeat, 99))} |`,
    )
  }
  return rows
}

async function service() {
  const inference = await startTestInference({ models: ['continue', 'drums'] })
  const client = createInferenceClient(inference.url, inference.secret)
  const BAR = 1920
  const notes = D_MAJOR_PHRASE.map(([pitch, beat, beats]) => ({
    pitch,
    start: beat * 480,
    duration: Math.round(beats * 0.9 * 480),
    velocity: 90,
  }))
  const ask = (pluginId: string, kind: 'instrument' | 'drums', bars: number, seed: number) =>
    client.suggest.mutate({
      pluginId,
      version: '*',
      input: {
        song,
        target: {
          trackId: 't',
          kind,
          fromTick: 0,
          toTick: (2 + bars) * BAR,
          notes: kind === 'drums' ? [] : notes,
        },
        context: [],
        parameters: { bars },
        seed,
        variations: 1,
        deadlineMs: 8000,
      },
      caller: { userId: 'bench', projectId: 'bench' },
    } as Parameters<typeof client.suggest.mutate>[0])
  const rows: string[] = []
  for (const [name, id, kind, bars] of [
    ['call and response (Continue, 2 bars)', 'studio.ensemble.continue', 'instrument', 2],
    ['drummer (Drums, 1 bar)', 'studio.ensemble.drums', 'drums', 1],
  ] as const) {
    await ask(id, kind, bars, 0)
    const ms: number[] = []
    for (let seed = 1; seed <= rounds; seed++) {
      const started = performance.now()
      await ask(id, kind, bars, seed)
      ms.push(performance.now() - started)
    }
    ms.sort((a, b) => a - b)
    const beats = bars * 4
    const gapMs = phraseGap() * MS_PER_BEAT
    rows.push(
      `| service (wasm, HTTP suggest) | ${name} | ${f((gapMs + percentile(ms, 50)) / MS_PER_BEAT)} / ${f((gapMs + (ms.at(-1) ?? 0)) / MS_PER_BEAT)} beats (gap + round trip) | round trip ${f(percentile(ms, 50))} / ${f(percentile(ms, 99))} ms | — | ${f(percentile(ms, 50) / beats)} / ${f(percentile(ms, 99) / beats)} |`,
    )
  }
  await inference.close()
  return rows
}

console.log(
  `AI partner timing at ${BPM} bpm (1 beat = ${MS_PER_BEAT} ms), ${rounds} rounds, lookahead ${loop.lookaheadBeats} beat, gap ${gap || 'default'}; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)
console.log(
  '| path | partner | first note after the phrase (p50 / max) | note ready before its beat, ms (p50 / p1 / min) | late windows | model ms per beat (p50 / p99) |',
)
console.log('|---|---|---|---|---|---|')
for (const backend of backends) for (const row of await inPage(backend)) console.log(row)
for (const row of await service()) console.log(row)
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)
process.exit(0)
