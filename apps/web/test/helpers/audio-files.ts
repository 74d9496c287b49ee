import { createHash } from 'node:crypto'

/** Audio files made in the test, real enough for the server's format checks (and a browser's decoder). */

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** 16-bit PCM WAV of a sine (with a little noise, so no two sizes share bytes). */
export function wav(seconds: number, { sampleRate = 48_000, channels = 2, frequency = 440 } = {}): Buffer {
  const frames = Math.round(seconds * sampleRate)
  const dataBytes = frames * channels * 2
  const out = Buffer.alloc(44 + dataBytes)
  out.write('RIFF', 0, 'ascii')
  out.writeUInt32LE(36 + dataBytes, 4)
  out.write('WAVE', 8, 'ascii')
  out.write('fmt ', 12, 'ascii')
  out.writeUInt32LE(16, 16)
  out.writeUInt16LE(1, 20)
  out.writeUInt16LE(channels, 22)
  out.writeUInt32LE(sampleRate, 24)
  out.writeUInt32LE(sampleRate * channels * 2, 28)
  out.writeUInt16LE(channels * 2, 32)
  out.writeUInt16LE(16, 34)
  out.write('data', 36, 'ascii')
  out.writeUInt32LE(dataBytes, 40)
  let seed = frames
  for (let i = 0; i < frames; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    const sample = Math.round(
      12_000 * Math.sin((2 * Math.PI * frequency * i) / sampleRate) + (seed % 64) - 32,
    )
    for (let c = 0; c < channels; c++) out.writeInt16LE(sample, 44 + (i * channels + c) * 2)
  }
  return out
}

/** A WAV whose data chunk claims `claimed` bytes (4 GB by default) in a file of about 1 KB. */
export function wavClaiming(claimed = 0xfffffff0): Buffer {
  const file = wav(0.005)
  file.writeUInt32LE(claimed, 40)
  return file
}

/** A FLAC STREAMINFO announcing `totalSamples` at 44.1 kHz stereo, followed by a few bytes. */
export function flacClaiming(totalSamples: number): Buffer {
  const out = Buffer.alloc(4 + 4 + 34 + 64)
  out.write('fLaC', 0, 'ascii')
  out[4] = 0x80 // last metadata block, type 0 (STREAMINFO)
  out.writeUIntBE(34, 5, 3)
  const s = 8
  out.writeUInt16BE(4096, s)
  out.writeUInt16BE(4096, s + 2)
  const rate = 44_100
  const channels = 2
  const bits = 16
  // 20 bits rate, 3 bits channels-1, 5 bits bits-1, 36 bits total samples.
  out[s + 10] = rate >> 12
  out[s + 11] = (rate >> 4) & 0xff
  out[s + 12] = ((rate & 0x0f) << 4) | ((channels - 1) << 1) | ((bits - 1) >> 4)
  out[s + 13] = (((bits - 1) & 0x0f) << 4) | Math.floor(totalSamples / 2 ** 32)
  out.writeUInt32BE(totalSamples % 2 ** 32, s + 14)
  return out
}

/** An MP3 whose ID3 tag says 4000 bytes follow, cut after a few hundred: no audio frame at all. */
export function truncatedMp3(): Buffer {
  const out = Buffer.alloc(600, 0x20)
  out.write('ID3', 0, 'ascii')
  out[3] = 4
  out[4] = 0
  out[5] = 0
  // syncsafe 4000
  out[6] = 0
  out[7] = 0
  out[8] = 4000 >> 7
  out[9] = 4000 & 0x7f
  return out
}

/** Two valid MPEG-1 Layer III frames (128 kb/s, 44.1 kHz, 417 bytes each). */
export function mp3Frames(count = 2): Buffer {
  const frame = Buffer.alloc(417)
  frame[0] = 0xff
  frame[1] = 0xfb
  frame[2] = 0x90
  frame[3] = 0x64
  return Buffer.concat(Array.from({ length: count }, () => frame))
}

/** Bytes of a ZIP file: not audio, whatever its name says. */
export function notAudio(size = 4096): Buffer {
  const out = Buffer.alloc(size, 7)
  out.write('PK\u0003\u0004', 0, 'latin1')
  return out
}
