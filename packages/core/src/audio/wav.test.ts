import { describe, expect, it } from 'vitest'
import { decodeWav, encodeWav, wavLimitSeconds } from './wav'

const audio = {
  sampleRate: 8000,
  channels: [Float32Array.from([0, 0.5, -0.5, 1, -1, 2]), Float32Array.from([0.25, -0.25, 0, 0, 0.1, -2])],
}

describe('encodeWav', () => {
  it('writes a 16-bit PCM RIFF header and interleaved, clipped samples', () => {
    const bytes = encodeWav(audio)
    const view = new DataView(bytes.buffer)
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF')
    expect(new TextDecoder().decode(bytes.subarray(8, 16))).toBe('WAVEfmt ')
    expect(view.getUint16(20, true)).toBe(1)
    expect(view.getUint16(22, true)).toBe(2)
    expect(view.getUint32(24, true)).toBe(8000)
    expect(view.getUint32(40, true)).toBe(6 * 2 * 2)
    expect(bytes.length).toBe(44 + 24)
    expect(view.getInt16(44 + 2 * 2 * 3, true)).toBe(0x7fff)
    expect(view.getInt16(44 + 2 * 2 * 5 + 2, true)).toBe(-0x8000)
    const back = decodeWav(bytes)
    expect(back.sampleRate).toBe(8000)
    const clipped = audio.channels.map((ch) => [...ch].map((x) => Math.max(-1, Math.min(1, x))))
    back.channels.forEach((channel, c) => {
      channel.forEach((x, i) => {
        expect(x).toBeCloseTo(clipped[c]![i]!, 3)
      })
    })
  })

  it('writes float32 losslessly', () => {
    const bytes = encodeWav(audio, 'float32')
    expect(new DataView(bytes.buffer).getUint16(20, true)).toBe(3)
    expect(decodeWav(bytes).channels).toEqual(audio.channels)
  })

  it('refuses audio longer than a WAV file can hold, instead of wrapping its sizes', () => {
    // 44.1 kHz stereo, 16-bit: 4 GiB of samples is 6.76 hours.
    expect(wavLimitSeconds(44_100, 2) / 3600).toBeCloseTo(6.76, 2)
    const frames = Math.ceil(wavLimitSeconds(44_100, 2) * 44_100) + 1
    // Only the length is read before the refusal, so no 4 GiB array is needed to check it.
    const long = { length: frames } as unknown as Float32Array
    expect(() => encodeWav({ sampleRate: 44_100, channels: [long, long] })).toThrow(/at most 6\.8 hours/)
  })
})
