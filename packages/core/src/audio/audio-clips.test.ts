/*
 * Audio clips through the engine, rendered in Node (node-web-audio-api): test assets made here (clicks at
 * known samples, a 1 kHz sine) must come out at the right sample, shaped by fades and clip gain, through
 * the track's channel (mute, solo), from the right sample when playback starts inside a clip, only in
 * their own stem, and, live, as soon as their audio arrives while the transport keeps running.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { PPQ } from '../music/index'
import { ticksToSeconds } from '../music/time'
import {
  addAudioClip,
  addTrack,
  chooseTake,
  readSong,
  setAudioClipGain,
  setMute,
  setSolo,
  splitAudioClip,
} from '../song/index'
import { AssetBufferCache } from './asset-buffers'
import { AudioEngine } from './engine'
import { limiterLatency } from './limiter'
import { closeTone, loadTone, renderSong } from './node'
import { assetRecord, audioSong, bufferOf, clicks, hashOf, RATE, sine } from './testing/assets'
import { BAR, buildSong, onsetAfter, rms, user } from './testing/songs'

/** At 120 bpm a tick is 1/960 s: exactly 50 samples at 48 kHz, so tick positions are whole samples. */
const BPM = 120
const SAMPLES_PER_TICK = RATE / ((BPM / 60) * PPQ)

afterAll(() => closeTone())

/** Sample indices where the signal jumps above half a click (each click's first sample). */
const clickPositions = (samples: Float32Array): number[] => {
  const out: number[] = []
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) > 0.2 && (i === 0 || Math.abs(samples[i - 1]!) <= 0.2)) out.push(i)
  }
  return out
}

/** The same number of positions as expected, each within `samples` of its counterpart. */
const expectWithin = (found: readonly number[], expected: readonly number[], samples: number): void => {
  expect(found).toHaveLength(expected.length)
  const off = found.map((at, i) => Math.abs(at - expected[i]!))
  expect(Math.max(0, ...off)).toBeLessThanOrEqual(samples)
}

const render = (doc: Y.Doc, cache: AssetBufferCache, options: Parameters<typeof renderSong>[1] = {}) =>
  renderSong(readSong(doc), { sampleRate: RATE, assets: cache, ...options })

describe('audio clips in renders', { timeout: 60_000 }, () => {
  it('plays each sample at its song time: clicks land on the sample, with or without an offset', async () => {
    const samples = clicks(1, [4_800, 24_000])
    const { doc, cache } = await audioSong([
      [
        { asset: 'a', samples, clip: { start: BAR } },
        // The same asset 0.05 s in (2 400 samples), placed at bar 2.
        { asset: 'a', samples, clip: { start: 2 * BAR, offset: 0.05, length: 0.9 } },
      ],
    ])
    const { channels } = await render(doc, cache)
    const bar = BAR * SAMPLES_PER_TICK
    const found = clickPositions(channels[0]!)
    const expected = [bar + 4_800, bar + 24_000, 2 * bar + 2_400, 2 * bar + 21_600]
    expectWithin(found, expected, 2)
    // Both channels: a mono take sits in the middle of the stereo channel.
    expect(clickPositions(channels[1]!)).toEqual(found)
    // The song ends where the last clip does.
    expect(channels[0]!.length).toBe(Math.round(2 * bar + 0.9 * RATE))
  })

  it('starting inside a clip plays from the sample that belongs there', async () => {
    const at = Array.from({ length: 19 }, (_, i) => 2_000 + i * 5_000)
    const { doc, cache } = await audioSong([[{ asset: 'a', samples: clicks(2, at), clip: { start: BAR } }]])
    // Start 0.3 s (288 ticks) into the clip: the clips before 14 400 samples are gone, the rest in place.
    const from = BAR + 288
    const { channels } = await render(doc, cache, { range: { start: from, end: BAR * 2 } })
    const found = clickPositions(channels[0]!)
    const expected = at.filter((s) => s >= 14_400).map((s) => s - 14_400)
    expectWithin(found, expected, 2)
  })

  it('shapes the envelope with fades and scales it by clip gain', async () => {
    const { doc, cache, trackIds, clipIds } = await audioSong([
      [{ asset: 'e', samples: sine(2), clip: { start: 0, fadeIn: 0.5, fadeOut: 0.5 } }],
    ])
    const level = async () => {
      const left = (await render(doc, cache)).channels[0]!
      // 40 ms windows centred on 0.25, 0.5, 1, 1.5 and 1.75 s.
      return [0.25, 0.5, 1, 1.5, 1.75].map((t) => rms(left, RATE, t - 0.02, t + 0.02))
    }
    const measured = await level()
    // Relative to the middle of the clip, where no fade acts (the mix chain has a gain of its own).
    const shape = measured.map((x) => x / measured[2]!)
    // Linear ramps: about 0.5 at 0.25 s, near 1 at 0.5 s, 1 in the middle, then down again.
    expect(shape[0]).toBeCloseTo(0.5, 1)
    expect(shape[1]).toBeGreaterThan(0.9)
    expect(shape[2]).toBeCloseTo(1, 1)
    expect(shape[3]).toBeGreaterThan(0.9)
    expect(shape[4]).toBeCloseTo(0.5, 1)
    setAudioClipGain(doc, user, trackIds[0]!, clipIds[0]![0]!, -6)
    const quieter = await level()
    expect(quieter[2]! / measured[2]!).toBeCloseTo(10 ** (-6 / 20), 2)
  })

  it('goes through the track channel: mute silences it, solo elsewhere too', async () => {
    const { doc, cache, trackIds } = await audioSong([
      [{ asset: 'e', samples: sine(1), clip: { start: 0 } }],
      [{ asset: 'f', samples: sine(1, 0.2), clip: { start: 0 } }],
    ])
    const loud = async () => rms((await render(doc, cache)).channels[0]!, RATE, 0.2, 0.8)
    const both = await loud()
    setMute(doc, user, trackIds[0]!, true)
    const second = await loud()
    expect(second).toBeGreaterThan(0.05)
    setMute(doc, user, trackIds[0]!, false)
    setSolo(doc, user, trackIds[0]!, true)
    const first = await loud()
    // The two sines are in phase: together they add up; alone, each at its own amplitude (0.4 and 0.2).
    expect(first / second).toBeCloseTo(2, 2)
    expect(both / second).toBeCloseTo(3, 1)
    setMute(doc, user, trackIds[0]!, true)
    expect(await loud()).toBeLessThan(1e-4)
  })

  it('plays only the chosen take', async () => {
    const { doc, cache, trackIds, clipIds } = await audioSong([[]])
    const trackId = trackIds[0]!
    cache.set(hashOf('a'), bufferOf(clicks(1, [1_000])))
    cache.set(hashOf('b'), bufferOf(clicks(1, [9_000])))
    const pass = (c: string, takeGroupId?: string) =>
      addAudioClip(doc, user, trackId, {
        asset: hashOf(c),
        start: 0,
        provenance: { kind: 'recording', recordedAt: '2026-12-07T15:00:00Z', input: 'Mic', latencyMs: 5 },
        assetRecord: assetRecord(c, clicks(1, [])),
        ...(takeGroupId === undefined ? {} : { takeGroupId }),
      })
    const first = pass('a')
    pass('b', first.takeGroupId)
    expect(clipIds).toEqual([[]])
    expect(clickPositions((await render(doc, cache)).channels[0]!)).toEqual([9_000])
    chooseTake(doc, user, trackId, first.takeGroupId, 0)
    expect(clickPositions((await render(doc, cache)).channels[0]!)).toEqual([1_000])
  })

  it('a split plays seamlessly; a comp boundary between takes is ramped, not clicked', async () => {
    const { doc, cache, trackIds, clipIds } = await audioSong([
      [{ asset: 'e', samples: sine(3), clip: { start: 0 } }],
    ])
    const trackId = trackIds[0]!
    const whole = (await render(doc, cache)).channels[0]!
    splitAudioClip(doc, user, trackId, clipIds[0]![0]!, BAR / 2 + 100)
    const split = (await render(doc, cache)).channels[0]!
    const around = (x: Float32Array) => x.subarray(50_000, 60_000)
    expect(Math.max(...around(split).map((v, i) => Math.abs(v - around(whole)[i]!)))).toBeLessThan(1e-4)
    // A second take: the same sine upside down. Comped in from 1.1 s, a hard cut would jump by up to twice
    // the amplitude; the 3 ms ramps keep every step as small as the sine's own.
    const inverted = sine(3).map((v) => -v)
    cache.set(hashOf('f'), bufferOf(inverted))
    const first = readSong(doc).tracks[0]!.audioClips[0]!
    addAudioClip(doc, user, trackId, {
      asset: hashOf('f'),
      start: 0,
      provenance: { kind: 'import', fileName: 'f.wav' },
      assetRecord: assetRecord('f', inverted),
      takeGroupId: first.takeGroupId,
    })
    chooseTake(doc, user, trackId, first.takeGroupId, 0)
    chooseTake(doc, user, trackId, first.takeGroupId, 1, { start: BAR / 2 + 100, end: BAR })
    const comped = (await render(doc, cache)).channels[0]!
    const steps = (x: Float32Array, from: number, to: number) =>
      Math.max(...x.subarray(from, to).map((v, i) => Math.abs(v - x[from + i - 1]!)))
    const sineStep = steps(whole, 20_000, 30_000)
    expect(steps(comped, 50_000, 60_000)).toBeLessThanOrEqual(sineStep * 1.05)
    expect(steps(comped, 90_000, 100_000)).toBeLessThanOrEqual(sineStep * 1.05)
    // And the comp really switched takes: inverted between the boundaries.
    expect(comped[70_000]! * whole[70_000]!).toBeLessThan(0)
  })

  it('renders a stem of one track, as long as the song, with nothing of the others', async () => {
    const { doc, cache, trackIds } = await audioSong([[{ asset: 'e', samples: sine(1), clip: { start: 0 } }]])
    const keys = addTrack(doc, user, { kind: 'instrument', instrument: 'piano' })
    const { addClip } = await import('../song/index')
    addClip(doc, user, keys, { start: BAR, length: BAR, notes: [{ pitch: 60, start: 0, duration: PPQ }] })
    setMute(doc, user, trackIds[0]!, true)
    const whole = await render(doc, cache)
    const stem = await render(doc, cache, { tracks: [trackIds[0]!] })
    const keysStem = await render(doc, cache, { tracks: [keys] })
    expect(stem.channels[0]!.length).toBe(whole.channels[0]!.length)
    // The stem plays its track though the song has it muted, and nothing of the keys.
    expect(rms(stem.channels[0]!, RATE, 0.2, 0.8)).toBeGreaterThan(0.1)
    expect(rms(stem.channels[0]!, RATE, 2, 3)).toBeLessThan(1e-4)
    expect(rms(keysStem.channels[0]!, RATE, 0.2, 0.8)).toBeLessThan(1e-4)
    expect(rms(keysStem.channels[0]!, RATE, 2, 2.5)).toBeGreaterThan(0.01)
    await expect(render(doc, cache, { tracks: ['nope'] })).rejects.toThrow(/No track nope/)
  })

  it('refuses to render audio it cannot get, naming the clip', async () => {
    const { doc } = await audioSong([
      [{ asset: 'a', samples: clicks(1, []), clip: { start: 0, name: 'Lead vox' } }],
    ])
    const failing = new AssetBufferCache(() => Promise.reject(new Error('HTTP 404')))
    await expect(render(doc, failing)).rejects.toThrow(/"Lead vox".*HTTP 404/)
    await expect(renderSong(readSong(doc), { sampleRate: RATE })).rejects.toThrow(/audio clips/)
  })
})

describe('audio clips in the live engine', { timeout: 60_000 }, () => {
  it('a loop inside a clip plays the same samples on every pass', async () => {
    const tone = await loadTone()
    // Clicks every 0.1 s (from 0.05 s) in a 4 s asset placed at bar 1 (2 s).
    const at = Array.from({ length: 40 }, (_, i) => 2_400 + i * 4_800)
    const samples = clicks(4, at)
    const { doc, cache } = await audioSong([[{ asset: 'a', samples, clip: { start: BAR } }]])
    const context = new tone.OfflineContext(1, 2, RATE)
    const previous = tone.getContext()
    tone.setContext(context)
    const engine = new AudioEngine(tone, doc, { context, meters: false, assets: cache })
    tone.setContext(previous)
    // Loop 0.8 s from 2.5 s of the song (0.5 s into the clip): 2.5 passes in 2 s of rendering.
    const loop = { start: BAR + 480, end: BAR + 480 + 768 }
    engine.setLoop(loop)
    engine.play(loop.start)
    context.lookAhead = 0.05
    const rendered = (await context.render()).getChannelData(0)
    const latency = await limiterLatency(tone, RATE)
    const pass = at.filter((s) => s >= 24_000 && s < 24_000 + 38_400).map((s) => s - 24_000)
    const expected = [0, 1, 2]
      .flatMap((n) => pass.map((s) => s + n * 38_400))
      .filter((s) => s < RATE * 2 - latency)
    expectWithin(
      clickPositions(rendered).map((s) => s - latency),
      expected,
      2,
    )
    engine.dispose()
  })

  it('a clip whose audio arrives mid-playback joins in at the playhead, on its samples', async () => {
    const tone = await loadTone()
    const at = Array.from({ length: 15 }, (_, i) => 4_800 + i * 9_600)
    const samples = clicks(3, at)
    const { doc, trackIds } = buildSong(BPM, [])
    const trackId = addTrack(doc, user, { kind: 'audio' })
    addAudioClip(doc, user, trackId, {
      asset: hashOf('a'),
      start: 0,
      provenance: { kind: 'import', fileName: 'a.wav' },
      assetRecord: assetRecord('a', samples),
    })
    expect(trackIds).toEqual([])
    // The studio's cache: the download is slow and lands 1 s into playback.
    let deliver: (buffer: AudioBuffer) => void = () => {}
    const cache = new AssetBufferCache(() => new Promise<AudioBuffer>((resolve) => (deliver = resolve)))
    const context = new tone.OfflineContext(1, 3, RATE)
    const previous = tone.getContext()
    tone.setContext(context)
    const engine = new AudioEngine(tone, doc, { context, meters: false, assets: cache })
    tone.setContext(previous)
    let playingAtArrival = false
    context.transport.scheduleOnce(
      () => {
        playingAtArrival = engine.playing
        deliver(bufferOf(samples))
      },
      `${ticksToSeconds(1, BPM) === 0 ? 0 : 960}i`,
    )
    engine.play(0)
    context.lookAhead = 0.05
    const rendered = (await context.render()).getChannelData(0)
    const latency = await limiterLatency(tone, RATE)
    expect(playingAtArrival).toBe(true)
    const found = clickPositions(rendered).map((s) => s - latency)
    // Nothing before the audio arrived (1 s); after it, every click exactly where the song has it.
    expect(found[0]).toBeGreaterThan(RATE)
    const expected = at.filter((s) => s > found[0]! - 10)
    expectWithin(found, expected, 2)
    expect(onsetAfter(rendered, RATE, 0, 0.2)).toBeGreaterThan(1)
    engine.dispose()
  })
})
