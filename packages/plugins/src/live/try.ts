import { startLive } from '@ensemble/core/plugin'
import { initBackend } from '../common/backend.js'
import { loadLocalModels } from '../common/local-host.js'
import { callResponsePartner } from './call-response.js'
import { rehearse, REHEARSAL_DEFAULTS } from './rehearsal.js'
const backend = await initBackend((process.env.B as 'cpu') ?? 'wasm')
const reg = callResponsePartner()
const local = loadLocalModels(reg)
const run = startLive(reg.plugin, { song: { bpm: 120, timeSignature: { numerator: 4, denominator: 4 }, key: { tonic: 'G', mode: 'major' } }, parameters: {}, seed: 3 }, { models: local.runner })
const pitches = [67, 71, 74, 72, 71, 69, 67, 66, 67, 69, 71, 72, 74, 72, 71, 67]
const ev = pitches.flatMap((p, i) => [{ type: 'on' as const, pitch: p, velocity: 90, beat: i * 0.5 + 0.01 }, { type: 'off' as const, pitch: p, velocity: 0, beat: i * 0.5 + 0.45 }])
const r = await rehearse(run, ev, { bpm: 120, ...REHEARSAL_DEFAULTS, untilBeat: 18 })
console.log(backend, 'calls', local.calls(), 'late', r.late, 'notes', r.notes.length)
console.log(r.notes.map(n => `${n.pitch}@${n.beat.toFixed(2)}+${n.durationBeats} r${n.readyAtBeat.toFixed(2)}`).join(' '))
const ms = r.plans.map(p => p.ms).sort((a,b)=>a-b); console.log('plan ms max', ms.at(-1), 'p50', ms[Math.floor(ms.length/2)], 'n', ms.length)
console.log(r.plans.filter(p=>p.ms>5).map(p=>`${p.fromBeat.toFixed(2)}:${p.ms.toFixed(0)}`).join(' '))
