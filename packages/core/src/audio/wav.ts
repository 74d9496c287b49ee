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

/**
 * A loop inside the audio, in sample frames: `start` is the first frame of the loop, `end` one past its last
 * (the whole file: 0 and the frame count). Written as a RIFF `smpl` chunk (what samplers and game engines
 * read: one forward loop, its end inclusive as the format says) and a `cue ` chunk with a point at each end
 * (what editors show as markers).
 */
export interface WavLoop {
  readonly start: number
  readonly end: number
}

/** The `smpl` chunk's body: 36 bytes of header and one 24-byte loop. */
const SMPL_BYTES = 36 + 24
/** The `cue ` chunk's body: a count and two 24-byte cue points. */
const CUE_BYTES = 4 + 2 * 24

export const encodeWav = (
  audio: RenderedAudio,
  format: WavFormat = 'pcm16',
  loop?: WavLoop,
): Uint8Array<ArrayBuffer> => {
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
  if (
    loop &&
    !(
      Number.isInteger(loop.start) &&
      Number.isInteger(loop.end) &&
      0 <= loop.start &&
      loop.start < loop.end &&
      loop.end <= frames
    )
  )
    throw new RangeError(`A loop must lie inside the audio's ${frames} frames`)
  // The loop chunks go after the data (a pad byte first if the data's size is odd, as RIFF aligns chunks).
  const pad = dataBytes % 2
  const loopBytes = loop ? pad + 8 + SMPL_BYTES + 8 + CUE_BYTES : 0
  if (dataBytes + loopBytes > MAX_DATA_BYTES)
    throw new RangeError('A WAV file with loop points holds a little less than this audio')
  const bytes = new Uint8Array(44 + dataBytes + loopBytes)
  const view = new DataView(bytes.buffer)
  const text = (offset: number, value: string) => {
    for (let i = 0; i < value.length; i++) view.setUint8(offset + i, value.charCodeAt(i))
  }
  text(0, 'RIFF')
  view.setUint32(4, 36 + dataBytes + loopBytes, true)
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
  if (loop) writeLoopChunks(view, text, offset + pad, audio.sampleRate, loop)
  return bytes
}

function writeLoopChunks(
  view: DataView,
  text: (offset: number, value: string) => void,
  at: number,
  sampleRate: number,
  loop: WavLoop,
): void {
  text(at, 'smpl')
  view.setUint32(at + 4, SMPL_BYTES, true)
  const smpl = at + 8
  // Manufacturer, product: 0. Sample period in nanoseconds. MIDI unity note 60, no pitch fraction, no SMPTE.
  view.setUint32(smpl + 8, Math.round(1e9 / sampleRate), true)
  view.setUint32(smpl + 12, 60, true)
  view.setUint32(smpl + 28, 1, true) // one loop
  view.setUint32(smpl + 32, 0, true) // no sampler data
  const l = smpl + 36
  view.setUint32(l, 1, true) // cue point id
  view.setUint32(l + 4, 0, true) // forward
  view.setUint32(l + 8, loop.start, true)
  view.setUint32(l + 12, loop.end - 1, true) // the format's end is the loop's last frame
  view.setUint32(l + 16, 0, true)
  view.setUint32(l + 20, 0, true) // play count 0: for ever
  const cue = smpl + SMPL_BYTES
  text(cue, 'cue ')
  view.setUint32(cue + 4, CUE_BYTES, true)
  view.setUint32(cue + 8, 2, true)
  ;[loop.start, loop.end].forEach((frame, i) => {
    const p = cue + 12 + i * 24
    view.setUint32(p, i + 1, true) // id
    view.setUint32(p + 4, frame, true) // position
    text(p + 8, 'data')
    view.setUint32(p + 12, 0, true) // chunk start
    view.setUint32(p + 16, 0, true) // block start
    view.setUint32(p + 20, frame, true) // sample offset
  })
}

/** What a WAV file says about loops: the `smpl` chunk's first loop and the `cue ` chunk's points, in frames. */
export interface WavLoopPoints {
  /** The `smpl` loop, its end made exclusive again (as `WavLoop`); null without one. */
  readonly loop: WavLoop | null
  readonly cues: readonly number[]
}

export const readWavLoop = (bytes: Uint8Array): WavLoopPoints => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4))
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('Not a RIFF/WAVE file')
  let loop: WavLoop | null = null
  const cues: number[] = []
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = tag(offset)
    const size = view.getUint32(offset + 4, true)
    const body = offset + 8
    if (body + size > bytes.length) break
    if (id === 'smpl' && size >= 36 + 24 && view.getUint32(body + 28, true) > 0)
      loop = { start: view.getUint32(body + 44, true), end: view.getUint32(body + 48, true) + 1 }
    if (id === 'cue ' && size >= 4) {
      const count = Math.min(view.getUint32(body, true), Math.floor((size - 4) / 24))
      for (let i = 0; i < count; i++) cues.push(view.getUint32(body + 4 + i * 24 + 20, true))
    }
    offset = body + size + (size % 2)
  }
  return { loop, cues }
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
