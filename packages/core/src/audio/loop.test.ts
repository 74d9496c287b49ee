import { describe, expect, it } from 'vitest'
import { foldLoopTail, loopSeam, SEAM_MAX_JUMP, SEAM_STEP_FACTOR } from './loop'
import { decodeWav, encodeWav, readWavLoop } from './wav'

const rate = 8000

describe('WAV loop points', () => {
  it('round-trips a smpl loop and its cue points, and the samples are untouched', () => {
    const audio = {
      sampleRate: rate,
      channels: [Float32Array.from({ length: 801 }, (_, i) => Math.sin(i / 9) / 2)],
    }
    // An odd frame count of 16-bit mono makes an odd data size: the loop chunks must sit after a pad byte.
    const bytes = encodeWav(audio, 'pcm16', { start: 100, end: 801 })
    const points = readWavLoop(bytes)
    expect(points.loop).toEqual({ start: 100, end: 801 })
    expect(points.cues).toEqual([100, 801])
    // The RIFF size counts everything after its own field.
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(bytes.length - 8)
    const back = decodeWav(bytes)
    expect(back.channels[0]?.length).toBe(801)
    expect(back.channels[0]?.[400]).toBeCloseTo(audio.channels[0]![400]!, 3)
    // The smpl loop's end is inclusive in the file (the format's own convention).
    const view = new DataView(bytes.buffer)
    const smpl = String.fromCharCode(...bytes).indexOf('smpl')
    expect(view.getUint32(smpl + 8 + 36 + 12, true)).toBe(800)
  })

  it('says there is no loop in a plain export, and refuses a loop outside the audio', () => {
    const audio = { sampleRate: rate, channels: [new Float32Array(10)] }
    expect(readWavLoop(encodeWav(audio))).toEqual({ loop: null, cues: [] })
    expect(() => encodeWav(audio, 'pcm16', { start: 0, end: 11 })).toThrow(RangeError)
    expect(() => encodeWav(audio, 'pcm16', { start: 5, end: 5 })).toThrow(RangeError)
  })
})

describe('foldLoopTail', () => {
  it('adds what rings past the loop onto its start, so the last sample runs on into the first', () => {
    // A 100 Hz tone that keeps sounding past the loop's end (a release), at its trough there: cut, it clicks.
    const loopFrames = 1020
    const tone = Float32Array.from({ length: 1600 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 100 * i) / rate))
    // The loop's own start is silent (its notes start from nothing), so only the tail sounds there.
    for (let i = 0; i < 500; i++) tone[i] = 0
    const cut = { sampleRate: rate, channels: [tone.slice(0, loopFrames)] }
    const folded = foldLoopTail({ sampleRate: rate, channels: [tone] }, loopFrames)
    expect(folded.channels[0]?.length).toBe(loopFrames)
    const clicked = loopSeam(cut)
    const seamless = loopSeam(folded)
    expect(clicked.jump).toBeGreaterThan(2 * clicked.local)
    expect(clicked.clean).toBe(false)
    expect(seamless.jump).toBeLessThanOrEqual(seamless.local)
    expect(seamless.clean).toBe(true)
  })

  it('a seam is clean only within the neighbouring steps times SEAM_STEP_FACTOR and under SEAM_MAX_JUMP', () => {
    // A loud 2 kHz tone: its own steps are large, so a cut jump of 0.3 hides among them; the bound catches it.
    const bright = Float32Array.from(
      { length: 400 },
      (_, i) => 0.9 * Math.sin((2 * Math.PI * 2000 * i) / rate),
    )
    bright[399] = (bright[0] ?? 0) + 0.3
    const loud = loopSeam({ sampleRate: rate, channels: [bright] })
    expect(loud.jump).toBeLessThanOrEqual(SEAM_STEP_FACTOR * loud.local)
    expect(loud.jump).toBeGreaterThan(SEAM_MAX_JUMP)
    expect(loud.clean).toBe(false)
    // A quiet ramp whose step at the seam is its own step: clean.
    const ramp = Float32Array.from({ length: 400 }, (_, i) => 0.01 * Math.sin((2 * Math.PI * i) / 400))
    expect(loopSeam({ sampleRate: rate, channels: [ramp] }).clean).toBe(true)
  })
})
