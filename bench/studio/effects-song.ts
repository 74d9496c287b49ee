/**
 * Issue 22's render benchmark song: the dense song (dense-song.ts) with three inserts on each of its 16
 * tracks (3-band EQ, compressor, filter), a send from each to two buses (a 2 s convolution reverb, a
 * dotted-eighth delay), and eight automated parameters over the whole song (four filter cutoffs,
 * exponential; four track volumes). `parts` leaves some out, to see what each costs alone. Only core's public
 * operations, so the same module runs in Node, in Chromium, and against an older core.
 */
import { addAutomationPoints, addBus, addDevice, readSong, setSend, UserOrigin } from '@ensemble/core'
import type * as Y from 'yjs'

export const EFFECT_PARTS = ['eq3', 'compressor', 'filter', 'reverb', 'delay', 'automation'] as const
export type EffectPart = (typeof EFFECT_PARTS)[number]

const bench = new UserOrigin('bench')

export function addEffects(
  doc: Y.Doc,
  bars: number,
  parts: ReadonlySet<EffectPart> = new Set(EFFECT_PARTS),
): void {
  const end = bars * 4 * 480
  const reverb = parts.has('reverb') ? addBus(doc, bench, { name: 'Reverb' }) : null
  if (reverb !== null) addDevice(doc, bench, reverb, { kind: 'reverb', params: { decay: 2, mix: 100 } })
  const delay = parts.has('delay') ? addBus(doc, bench, { name: 'Delay' }) : null
  if (delay !== null) addDevice(doc, bench, delay, { kind: 'delay', params: { division: '8d', mix: 100 } })
  readSong(doc).tracks.forEach((track, i) => {
    if (parts.has('eq3')) addDevice(doc, bench, track.id, { kind: 'eq3', params: { low: 2, high: -2 } })
    if (parts.has('compressor')) addDevice(doc, bench, track.id, { kind: 'compressor' })
    const filter = parts.has('filter')
      ? addDevice(doc, bench, track.id, { kind: 'filter', params: { frequency: 8_000 } })
      : null
    if (reverb !== null) setSend(doc, bench, { from: track.id, to: reverb, levelDb: -12 })
    if (delay !== null) setSend(doc, bench, { from: track.id, to: delay, levelDb: -18 })
    if (!parts.has('automation')) return
    if (i < 4 && filter !== null)
      addAutomationPoints(doc, bench, { kind: 'device', device: filter, param: 'frequency' }, [
        { tick: 0, value: 300, curve: 'exponential' },
        { tick: end, value: 12_000 },
      ])
    else if (i < 8)
      addAutomationPoints(doc, bench, { kind: 'volume', owner: track.id }, [
        { tick: 0, value: -12 },
        { tick: end, value: 0 },
      ])
  })
}
