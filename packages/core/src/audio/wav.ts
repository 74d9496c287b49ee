/*
 * RIFF/WAVE encoding of rendered audio: 16-bit PCM (what every tool opens) or 32-bit float (lossless for
 * further mixing). Interleaved, little-endian, as the format requires.
 */
import type { RenderedAudio } from './render'

export type WavFormat = 'pcm16' | 'float32'

/** The most sample bytes one RIFF/WAVE file holds: its sizes are 32-bit, and the RIFF size counts 36 more. */
const MAX_DATA_BYTES = 0xffff_ffff - 36

const bytesPerSampleOf = (format: WavFormat): number => (format === 'pcm16' ? 2 : 4)

/** The longest audio one WAV file holds at this rate, channel count and format (about 6.8 hours of CD audio). */
export const wavLimitSeconds = (
  sampleRate: number,
  channelCount: number,
  format: WavFormat = 'pcm16',
): number => Math.floor(MAX_DATA_BYTES / (channelCount * bytesPerSampleOf(format))) / sampleRate

export const encodeWav = (audio: RenderedAudio, format: WavFormat = 'pcm16'): Uint8Array<ArrayBuffer> => {
  const channels = audio.channels
  const channelCount = channels.length
  const frames = channels[0]?.length ?? 0
  const bytesPerSample = bytesPerSampleOf(format)
  const dataBytes = frames * channelCount * bytesPerSample
  // Past the limit the header's sizes would wrap and every player would read a short, corrupt file.
  if (dataBytes > MAX_DATA_BYTES)
    throw new RangeError(
      `A WAV file holds at most ${(wavLimitSeconds(audio.sampleRate, channelCount, format) / 3600).toFixed(1)} hours of this audio`,
    )
  const bytes = new Uint8Array(44 + dataBytes)
  const view = new DataView(bytes.buffer)
  const text = (offset: number, value: string) => {
    for (let i = 0; i < value.length; i++) view.setUint8(offset + i, value.charCodeAt(i))
  }
  text(0, 'RIFF')
  view.setUint32(4, 36 + dataBytes, true)
  text(8, 'WAVE')
  text(12, 'fmt ')
  view.setUint32(16, 16, true)
  view.setUint16(20, format === 'pcm16' ? 1 : 3, true) // 1 = integer PCM, 3 = IEEE float
  view.setUint16(22, channelCount, true)
  view.setUint32(24, audio.sampleRate, true)
  view.setUint32(28, audio.sampleRate * channelCount * bytesPerSample, true)
  view.setUint16(32, channelCount * bytesPerSample, true)
  view.setUint16(34, bytesPerSample * 8, true)
  text(36, 'data')
  view.setUint32(40, dataBytes, true)
  let offset = 44
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channelCount; c++) {
      const sample = channels[c]?.[i] ?? 0
      if (format === 'float32') {
        view.setFloat32(offset, sample, true)
      } else {
        // Clip rather than wrap: an over-full mix distorts a little instead of cracking.
        const s = Math.max(-1, Math.min(1, sample))
        view.setInt16(offset, s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff), true)
      }
      offset += bytesPerSample
    }
  }
  return bytes
}

/** Reads back what `encodeWav` writes (and other plain PCM16 / float32 WAV files); for tests and imports. */
export const decodeWav = (bytes: Uint8Array): RenderedAudio => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4))
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('Not a RIFF/WAVE file')
  let offset = 12
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | null = null
  while (offset + 8 <= bytes.length) {
    const id = tag(offset)
    const size = view.getUint32(offset + 4, true)
    const body = offset + 8
    if (id === 'fmt ') {
      fmt = {
        format: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      }
    } else if (id === 'data') {
      if (fmt === null) throw new Error('WAV data chunk before its fmt chunk')
      const { format, channels: count, sampleRate, bits } = fmt
      const float = format === 3 && bits === 32
      if (!float && !(format === 1 && bits === 16))
        throw new Error(`Unsupported WAV format ${format}/${bits}`)
      const step = bits / 8
      const frames = Math.floor(size / (step * count))
      const channels = Array.from({ length: count }, () => new Float32Array(frames))
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < count; c++) {
          const at = body + (i * count + c) * step
          const ch = channels[c] as Float32Array
          ch[i] = float ? view.getFloat32(at, true) : view.getInt16(at, true) / 0x8000
        }
      }
      return { sampleRate, channels }
    }
    offset = body + size + (size % 2)
  }
  throw new Error('WAV file has no data chunk')
}
