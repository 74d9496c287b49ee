/*
 * Effects, sends and automation as heard: Node renders of small songs, measured on the rendered samples.
 * Plus the graph description's incremental actions (pure), and a deterministic render (hash).
 */
import { createHash } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { PPQ } from '../music/index'
import {
  addAutomationPoints,
  addBus,
  addDevice,
  MASTER,
  readSong,
  setBusField,
  setDeviceBypass,
  setDeviceParams,
  setSend,
} from '../song/index'
import { diffSong } from './diff'
import { describeGraph } from './graph'
import { closeTone, renderSong } from './node'
import { audioSong, RATE as CLIP_RATE, clicks, sine } from './testing/assets'
import { BAR, buildSong, rms, user } from './testing/songs'

const RATE = 22_050

afterAll(() => closeTone())

/** One track holding one note for `bars` bars (120 bpm: 2 s a bar). */
const held = (instrument: string, pitch: number, bars: number) =>
  buildSong(120, [
    {
      track: { name: 'lead', instrument },
      clips: [[0, bars * BAR, [{ pitch, start: 0, duration: bars * BAR }]]],
    },
  ])

const left = async (doc: Parameters<typeof readSong>[0], tailSeconds = 0) =>
  (await renderSong(readSong(doc), { sampleRate: RATE, tailSeconds })).channels[0]!

const hash = (channels: readonly Float32Array[]) => {
  const h = createHash('sha256')
  for (const c of channels) h.update(Buffer.from(c.buffer, c.byteOffset, c.byteLength))
  return h.digest('hex')
}

describe('the graph description', () => {
  it('a parameter change is one param action; a bypass re-wires one chain; a song without effects adds none', () => {
    const { doc, trackIds } = held('lead', 72, 1)
    const plain = readSong(doc)
    expect(diffSong(null, plain).filter((a) => a.type === 'graph')).toEqual([])
    const filter = addDevice(doc, user, trackIds[0]!, { kind: 'filter' })
    addDevice(doc, user, trackIds[0]!, { kind: 'delay' })
    const before = readSong(doc)
    setDeviceParams(doc, user, filter, { frequency: 300 })
    expect(diffSong(before, readSong(doc))).toEqual([
      { type: 'graph', action: { type: 'param', deviceId: filter, param: 'frequency', value: 300 } },
    ])
    const turned = readSong(doc)
    setDeviceBypass(doc, user, filter, true)
    const actions = diffSong(turned, readSong(doc))
    expect(actions.map((a) => (a.type === 'graph' ? a.action.type : a.type))).toEqual(['chain'])
  })

  it('an instrument lane is one instrumentAutomation action; a song without one builds no instrument stage', () => {
    const { doc, trackIds } = held('lead', 72, 1)
    const before = readSong(doc)
    expect(describeGraph(before).tracks.get(trackIds[0]!)!.instrumentAutomation).toEqual({})
    addAutomationPoints(doc, user, { kind: 'instrument', track: trackIds[0]!, param: 'tone' }, [
      { tick: 0, value: 500 },
    ])
    const actions = diffSong(before, readSong(doc)).flatMap((a) => (a.type === 'graph' ? [a.action] : []))
    expect(actions).toEqual([
      {
        type: 'instrumentAutomation',
        trackId: trackIds[0]!,
        param: 'tone',
        curve: [expect.objectContaining({ tick: 0, value: 500 })],
      },
    ])
  })

  it('a tempo-synced delay gets its time from the song tempo', () => {
    const { doc, trackIds } = held('lead', 72, 1)
    const delay = addDevice(doc, user, trackIds[0]!, { kind: 'delay', params: { division: '8d' } })
    const device = describeGraph(readSong(doc)).tracks.get(trackIds[0]!)!.inserts[0]!
    expect(device.id).toBe(delay)
    // A dotted eighth at 120 bpm: 0.75 beats of 0.5 s.
    expect(device.params.seconds).toBeCloseTo(0.375, 9)
  })
})

/** One audio track playing a steady 0.1-amplitude sine, and its rendered RMS from 0.2 to 0.8 s. */
const steadyTone = async (asset: string, frequency: number) => {
  const { doc, cache, trackIds } = await audioSong([
    [{ asset, samples: sine(1, 0.1, frequency), clip: { start: 0 } }],
  ])
  const level = async () => {
    const audio = await renderSong(readSong(doc), { sampleRate: CLIP_RATE, assets: cache })
    return rms(audio.channels[0]!, CLIP_RATE, 0.2, 0.8)
  }
  return { doc, trackIds, level }
}

// Renders take a few seconds each, more on a busy machine; the budget is generous so load never fails a test.
describe('effects as heard (Node renders)', { timeout: 60_000 }, () => {
  it('a low-pass filter removes a high note; bypassed, the note is back', async () => {
    // C7 (about 2.1 kHz) on the square lead, against a 24 dB/oct low-pass at 150 Hz: four octaves down.
    const { doc, trackIds } = held('lead', 96, 1)
    const dry = rms(await left(doc), RATE, 0.1, 1.5)
    expect(dry).toBeGreaterThan(0.01)
    const filter = addDevice(doc, user, trackIds[0]!, {
      kind: 'filter',
      params: { type: 'lowpass', frequency: 150, slope: '24' },
    })
    const filtered = rms(await left(doc), RATE, 0.1, 1.5)
    expect(filtered).toBeLessThan(dry / 30)
    setDeviceBypass(doc, user, filter, true)
    expect(rms(await left(doc), RATE, 0.1, 1.5)).toBeCloseTo(dry, 4)
  })

  it('a send to a reverb bus adds a tail after the dry note has ended', async () => {
    const { doc, trackIds } = buildSong(120, [
      {
        track: { name: 'pluck', instrument: 'pluck' },
        clips: [[0, BAR, [{ pitch: 72, start: 0, duration: PPQ / 4 }]]],
      },
    ])
    // The dry pluck has died away a second after it started; a 3 s reverb is still ringing there.
    const dryTail = rms(await left(doc, 1), RATE, 1.2, 1.8)
    expect(dryTail).toBeLessThan(1e-4)
    const bus = addBus(doc, user, { name: 'Reverb' })
    addDevice(doc, user, bus, { kind: 'reverb', params: { decay: 3, mix: 100, preDelay: 0 } })
    setSend(doc, user, { from: trackIds[0]!, to: bus, levelDb: 0 })
    const wet = await left(doc, 1)
    expect(rms(wet, RATE, 1.2, 1.8)).toBeGreaterThan(20 * Math.max(dryTail, 1e-5))
    // The bus fader at its floor silences the return again.
    setBusField(doc, user, bus, 'volumeDb', -60)
    expect(rms(await left(doc, 1), RATE, 1.2, 1.8)).toBeLessThan(1e-4)
  })

  it('volume automation ramps the level over the bars it spans', async () => {
    const { doc, trackIds } = held('lead', 69, 4)
    // -40 dB to 0 dB, linear in dB, over the four bars.
    addAutomationPoints(doc, user, { kind: 'volume', owner: trackIds[0]! }, [
      { tick: 0, value: -40 },
      { tick: 4 * BAR, value: 0 },
    ])
    const audio = await left(doc)
    const bars = [0, 1, 2, 3].map((bar) => rms(audio, RATE, bar * 2 + 0.2, bar * 2 + 1.8))
    for (let i = 1; i < 4; i++) expect(bars[i]!).toBeGreaterThan(bars[i - 1]! * 2)
    // Bar 1's middle sits near -35 dB and bar 4's near -5 dB: about 30 dB apart.
    const db = 20 * Math.log10(bars[3]! / bars[0]!)
    expect(db).toBeGreaterThan(25)
    expect(db).toBeLessThan(35)
  })

  it('instrument automation: the tone control closes over a high note, the level ramps it up', async () => {
    // C7 on the square lead for two bars; the tone falls from 20 kHz to 150 Hz over the first bar, then holds.
    const { doc, trackIds } = held('lead', 96, 2)
    const track = trackIds[0]!
    const open = rms(await left(doc), RATE, 2.2, 3.8)
    addAutomationPoints(doc, user, { kind: 'instrument', track, param: 'tone' }, [
      { tick: 0, value: 20_000, curve: 'exponential' },
      { tick: BAR, value: 150 },
    ])
    const closing = await left(doc)
    expect(rms(closing, RATE, 0.05, 0.3)).toBeGreaterThan(open / 3)
    expect(rms(closing, RATE, 2.2, 3.8)).toBeLessThan(open / 10)
    // The level: -40 dB to 0 dB over the two bars (the tone lane removed, so the note is heard whole).
    const { doc: ramp, trackIds: ids } = held('lead', 69, 2)
    addAutomationPoints(ramp, user, { kind: 'instrument', track: ids[0]!, param: 'level' }, [
      { tick: 0, value: -40 },
      { tick: 2 * BAR, value: 0 },
    ])
    const audio = await left(ramp)
    const db = 20 * Math.log10(rms(audio, RATE, 3.4, 3.8) / rms(audio, RATE, 0.2, 0.6))
    // Middles of the two windows sit near -36 dB and -4 dB: 32 dB apart.
    expect(db).toBeGreaterThan(27)
    expect(db).toBeLessThan(37)
  })

  it('renders the same samples twice, effects, sends and automation included', async () => {
    const { doc, trackIds } = held('piano', 60, 2)
    const track = trackIds[0]!
    addDevice(doc, user, track, { kind: 'eq3', params: { low: 4 } })
    addDevice(doc, user, track, { kind: 'chorus' })
    const cutoff = addDevice(doc, user, track, { kind: 'filter' })
    addAutomationPoints(doc, user, { kind: 'device', device: cutoff, param: 'frequency' }, [
      { tick: 0, value: 200, curve: 'exponential' },
      { tick: 2 * BAR, value: 8_000 },
    ])
    const bus = addBus(doc, user)
    addDevice(doc, user, bus, { kind: 'reverb' })
    addDevice(doc, user, bus, { kind: 'delay' })
    setSend(doc, user, { from: track, to: bus, levelDb: -6, preFader: true })
    addDevice(doc, user, MASTER, { kind: 'compressor' })
    const song = readSong(doc)
    const first = await renderSong(song, { sampleRate: RATE, tailSeconds: 1 })
    const second = await renderSong(song, { sampleRate: RATE, tailSeconds: 1 })
    // Not silence (the master compressor pulls the level down, so the bar is low on purpose).
    expect(rms(first.channels[0]!, RATE, 0, 4)).toBeGreaterThan(0.001)
    expect(hash(second.channels)).toBe(hash(first.channels))
  })

  it('a parametric EQ band lifts its frequency by its gain, within 1 dB', async () => {
    const { doc, trackIds, level } = await steadyTone('e', 1_000)
    const flat = await level()
    const eq = addDevice(doc, user, trackIds[0]!, {
      kind: 'parametricEq',
      params: { band2Frequency: 1_000, band2Gain: 6, band2Q: 1 },
    })
    const lifted = await level()
    expect(20 * Math.log10(lifted / flat)).toBeGreaterThan(5)
    expect(20 * Math.log10(lifted / flat)).toBeLessThan(7)
    // A cut at the same band, and a band far away changes nothing there.
    setDeviceParams(doc, user, eq, { band2Gain: -12, band3Frequency: 12_000, band3Gain: 12 })
    const cut = await level()
    expect(20 * Math.log10(cut / flat)).toBeGreaterThan(-13)
    expect(20 * Math.log10(cut / flat)).toBeLessThan(-11)
  })

  it('a 3-band EQ lifts its low band by its gain within 1 dB; a high-band cut leaves a low tone alone', async () => {
    const { doc, trackIds, level } = await steadyTone('f', 100)
    const flat = await level()
    const eq = addDevice(doc, user, trackIds[0]!, { kind: 'eq3' })
    // Flat, the three bands sum back to the tone (within 1 dB: the crossover is not phase-perfect).
    const even = await level()
    expect(Math.abs(20 * Math.log10(even / flat))).toBeLessThan(1)
    setDeviceParams(doc, user, eq, { low: 6 })
    expect(Math.abs(20 * Math.log10((await level()) / even) - 6)).toBeLessThan(1)
    setDeviceParams(doc, user, eq, { low: 0, high: -12 })
    expect(Math.abs(20 * Math.log10((await level()) / even))).toBeLessThan(0.5)
  })

  it('a tempo-synced delay repeats a click one division later, within 1 ms', async () => {
    // One click 0.1 s into the clip; a quarter note at 120 bpm is 0.5 s.
    const { doc, cache, trackIds } = await audioSong([
      [{ asset: 'd', samples: clicks(1, [Math.round(0.1 * CLIP_RATE)]), clip: { start: 0 } }],
    ])
    addDevice(doc, user, trackIds[0]!, { kind: 'delay', params: { division: '4n', feedback: 0, mix: 50 } })
    const audio = await renderSong(readSong(doc), { sampleRate: CLIP_RATE, assets: cache, tailSeconds: 1 })
    const samples = audio.channels[0]!
    const peaks: number[] = []
    for (let i = 1; i < samples.length; i++)
      if (Math.abs(samples[i]!) > 0.1 && Math.abs(samples[i - 1]!) <= 0.1) peaks.push(i / CLIP_RATE)
    expect(peaks).toHaveLength(2)
    expect(Math.abs(peaks[1]! - peaks[0]! - 0.5)).toBeLessThan(0.001)
  })

  it('a compressor reduces a steady tone by what threshold and ratio say, within 1 dB', async () => {
    // A -12 dBFS (peak) sine against -30 dB at 4:1: 18 dB over becomes 4.5, so 13.5 dB of reduction.
    const { doc, cache, trackIds } = await audioSong([
      [{ asset: 'c', samples: sine(1, 0.25, 1_000), clip: { start: 0 } }],
    ])
    const level = async () => {
      const audio = await renderSong(readSong(doc), { sampleRate: CLIP_RATE, assets: cache })
      return rms(audio.channels[0]!, CLIP_RATE, 0.5, 0.9)
    }
    const flat = await level()
    const compressor = addDevice(doc, user, trackIds[0]!, {
      kind: 'compressor',
      params: { threshold: -30, ratio: 4, knee: 0, attack: 1, release: 50 },
    })
    const reduction = 20 * Math.log10((await level()) / flat)
    expect(Math.abs(reduction + 13.5)).toBeLessThan(1)
    // Make-up gain is the user's alone: +6 dB brings 6 dB back.
    setDeviceParams(doc, user, compressor, { makeup: 6 })
    expect(Math.abs(20 * Math.log10((await level()) / flat) - (reduction + 6))).toBeLessThan(0.1)
  })
})
