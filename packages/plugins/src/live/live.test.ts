import { LIVE_HOST_LOOP, startLive } from '@ensemble/core/plugin'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../common/backend.js'
import { loadLocalModels } from '../common/local-host.js'
import { estimateKey, inKeyShare } from '../common/musical-checks.js'
import { Rng } from '../common/rng.js'
import type { LiveRegistration } from '../host.js'
import { bassPartner, impliedChord } from './bass.js'
import { D_MAJOR_PHRASE, playedEvents, RELEASE } from './phrases.js'
import { callResponsePartner, drummerPartner } from './published.js'
import { rehearse } from './rehearsal.js'

/*
 * The partners against played phrases, on the rehearsal clock with compute not counted (what they play does
 * not depend on this machine's load; how long they take is bench/jam/partner.ts's business). Every run uses
 * the committed weights through the same checks a host makes (startLive).
 */

beforeAll(async () => {
  await initBackend()
})

const song = (tonic: string, mode: 'major' | 'minor' = 'major') => ({
  bpm: 120,
  timeSignature: { numerator: 4, denominator: 4 },
  key: { tonic, mode },
})

function partner(
  reg: LiveRegistration,
  start: { song: ReturnType<typeof song>; parameters?: object; seed?: number },
) {
  const local = loadLocalModels(reg)
  expect(local.problems).toEqual([])
  // The run's clock stands still: no window is ever late, whatever the machine's load.
  return startLive(reg.plugin, { parameters: {}, seed: 1, ...start }, { models: local.runner, now: () => 0 })
}

const played = playedEvents

const clock = (untilBeat: number) => ({ bpm: 120, ...LIVE_HOST_LOOP, untilBeat, computeCounts: false })

const PHRASE = playedEvents(D_MAJOR_PHRASE)
const PHRASE_END = 7 + RELEASE

describe('call and response', () => {
  it('answers a 2-bar phrase within one beat of its end, as long as the phrase, in its key', async () => {
    const out = await rehearse(partner(callResponsePartner(), { song: song('D') }), PHRASE, clock(20))
    expect(out.late).toBe(0)
    const answer = out.notes
    expect(answer.length).toBeGreaterThanOrEqual(4)
    const first = Math.min(...answer.map((n) => n.beat))
    expect(first).toBeGreaterThan(PHRASE_END)
    expect(first - PHRASE_END).toBeLessThanOrEqual(1)
    // Every note reached the host before its beat (a whole window ahead, as the host asks).
    for (const n of answer) expect(n.readyAtBeat).toBeLessThan(n.beat)
    // As long as the phrase: 16 8th frames from the answer's first frame.
    const last = Math.max(...answer.map((n) => n.beat))
    expect(last).toBeLessThan(first + 8)
    // In the phrase's own key (estimated from what was played, as a listener would hear it): 100 % here, as
    // the model's out-of-key keys are never drawn; a random answer over the same range is about 7/12 in key.
    const key = estimateKey(PHRASE.filter((e) => e.type === 'on').map((e) => e.pitch))
    expect(key).toEqual({ tonic: 2, mode: 'major' })
    const share = inKeyShare(
      answer.map((n) => n.pitch),
      key,
    )
    const rng = new Rng(7)
    const random = Array.from({ length: answer.length * 20 }, () => 55 + Math.floor(rng.next() * 24))
    const randomShare = inKeyShare(random, key)
    expect(share).toBeGreaterThanOrEqual(0.9)
    expect(randomShare).toBeLessThan(0.9)
  })

  it('keeps quiet while the player plays, and an answer stops when the player plays again', async () => {
    // The player plays on 0.5 beats into the answer: nothing of the answer starts after that.
    const again = played([[69, PHRASE_END + 1.6, 1]])
    const out = await rehearse(
      partner(callResponsePartner(), { song: song('D') }),
      [...PHRASE, ...again],
      clock(20),
    )
    for (const n of out.notes) expect(n.beat).toBeGreaterThan(PHRASE_END)
    const cut = again[0]!.beat
    const cutOff = cut + LIVE_HOST_LOOP.lookaheadBeats
    expect(out.notes.some((n) => n.beat < cut)).toBe(true)
    // After the window already handed to the host, nothing until the new phrase (one note) has ended.
    expect(out.notes.filter((n) => n.beat > cutOff && n.beat <= cut + 1)).toEqual([])
  })
})

describe('drummer', () => {
  /** Hits per bar of the drummer's notes. */
  const perBar = (notes: readonly { beat: number }[], bars: number) =>
    Array.from({ length: bars }, (_, b) => notes.filter((n) => n.beat >= b * 4 && n.beat < b * 4 + 4).length)
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

  it('follows a change of the player’s density within one bar, both ways', async () => {
    // Bars 0-3: a note every two beats; bars 4-7: 16ths; bars 8-11: a note every two beats again.
    const sparse = (fromBar: number) =>
      Array.from({ length: 8 }, (_, i) => [60 + (i % 3), fromBar * 4 + i * 2, 1] as const)
    const dense = Array.from({ length: 64 }, (_, i) => [60 + (i % 5), 16 + i * 0.25, 0.25] as const)
    const player = played([...sparse(0), ...dense, ...sparse(8)])
    const counts = [1, 2, 3].map(async (seed) => {
      const out = await rehearse(partner(drummerPartner(), { song: song('C'), seed }), player, clock(48))
      expect(out.late).toBe(0)
      return perBar(out.notes, 12)
    })
    const bars = await Promise.all(counts)
    const at = (b: number) => mean(bars.map((c) => c[b]!))
    const sparseBefore = mean([1, 2, 3].map(at))
    const denseSettled = mean([5, 6, 7].map(at))
    // The first bar after each change already plays at (most of) the new density.
    expect(at(4)).toBeGreaterThan(sparseBefore * 1.4)
    expect(at(4)).toBeGreaterThan(sparseBefore + 0.6 * (denseSettled - sparseBefore))
    expect(at(8)).toBeLessThan(denseSettled * 0.75)
    expect(denseSettled).toBeGreaterThan(sparseBefore * 1.5)
  })
})

describe('bass', () => {
  it('names the triad a player implies', () => {
    const n = (pitch: number) => ({ pitch, velocity: 90, beat: 0, endBeat: 2 })
    const theory = { scalePitchClasses: () => [0, 2, 4, 5, 7, 9, 11] } as never
    expect(impliedChord([n(57), n(60), n(64)], 0, 2, song('C').key, theory)).toEqual({
      root: 9,
      quality: 'minor',
    })
    expect(impliedChord([n(53), n(57), n(60)], 0, 2, song('C').key, theory)).toEqual({
      root: 5,
      quality: 'major',
    })
    expect(impliedChord([], 0, 2, song('C').key, theory)).toBeNull()
  })

  it('plays roots and fifths of the chords the player holds, from the chord’s second beat on', async () => {
    // C | Am | F | G, a held triad a bar each.
    const chords = [
      [48, 52, 55],
      [45, 48, 52],
      [41, 45, 48],
      [43, 47, 50],
    ]
    const player = played(chords.flatMap((c, bar) => c.map((p) => [p + 12, bar * 4, 4] as const)))
    const out = await rehearse(partner(bassPartner(), { song: song('C') }), player, clock(16))
    const roots = [0, 9, 5, 7]
    const checked = out.notes.filter((n) => n.beat % 4 !== 0)
    expect(checked.length).toBeGreaterThanOrEqual(10)
    const fits = checked.filter((n) => {
      const root = roots[Math.floor(n.beat / 4)]!
      return n.pitch % 12 === root || n.pitch % 12 === (root + 7) % 12
    })
    expect(fits.length / checked.length).toBeGreaterThanOrEqual(0.9)
    for (const n of out.notes) expect(n.pitch).toBeLessThan(52)
  })
})
