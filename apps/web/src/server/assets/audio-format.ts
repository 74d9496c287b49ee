/**
 * What kind of audio file an upload is, from its bytes alone (never its name or the type the client
 * claims), and whether its header can be true of a file this long. Browsers decode what we store:
 * a header that lies (a WAV whose data chunk claims 4 GB in a 1 KB file, a FLAC that announces days
 * of audio in a few bytes) is refused here, before any bandmate's browser tries to allocate for it.
 *
 * The checks read through `read(offset, length)` (the upload's stored chunks), a few bytes at a time,
 * so a header past a large tag (an MP3's ID3 with cover art, a WAV's LIST chunk) is reached without
 * loading the file. Every function here is pure apart from that reader and never throws on bad
 * input: it answers with a refusal.
 */

export type AudioFormat = 'wav' | 'aiff' | 'flac' | 'mp3' | 'ogg' | 'm4a'

export const mimeTypes: Record<AudioFormat, string> = {
  wav: 'audio/wav',
  aiff: 'audio/aiff',
  flac: 'audio/flac',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  m4a: 'audio/mp4',
}

export type ByteReader = (offset: number, length: number) => Promise<Uint8Array>

export type FormatVerdict =
  | { ok: true; format: AudioFormat }
  | { ok: false; code: 'unsupported_format' | 'corrupt_audio'; reason: string }

/** Longest audio an asset may announce: beyond it a header is lying or the file is not a take. */
export const MAX_AUDIO_SECONDS = 6 * 60 * 60
/**
 * Most 16-bit PCM bytes a FLAC may announce per stored byte. Real music compresses about 2:1 and
 * silence far more; a header claiming more is a decompression bomb.
 */
const MAX_FLAC_EXPANSION = 1024
/** Enough of the start of a file for `detectFormat`. */
export const SNIFF_BYTES = 12

const ascii = (bytes: Uint8Array, at: number, length: number): string =>
  String.fromCharCode(...bytes.subarray(at, at + length))

/** The format the first bytes announce, or null: the early check on an upload's first chunk. */
export function detectFormat(head: Uint8Array): AudioFormat | null {
  if (head.length < SNIFF_BYTES) return null
  const tag = ascii(head, 0, 4)
  if (tag === 'RIFF' && ascii(head, 8, 4) === 'WAVE') return 'wav'
  if (tag === 'FORM' && ['AIFF', 'AIFC'].includes(ascii(head, 8, 4))) return 'aiff'
  if (tag === 'fLaC') return 'flac'
  if (tag === 'OggS') return 'ogg'
  if (ascii(head, 4, 4) === 'ftyp') return 'm4a'
  if (ascii(head, 0, 3) === 'ID3') return 'mp3'
  if (mpegFrame(head, 0) !== null) return 'mp3'
  return null
}

/** Sniffs the format and checks its header against the file's real length. */
export async function checkAudio(read: ByteReader, length: number): Promise<FormatVerdict> {
  const head = await read(0, Math.min(length, 64))
  const format = detectFormat(head)
  if (format === null)
    return {
      ok: false,
      code: 'unsupported_format',
      reason:
        'This is not an audio file Ensemble can use: its first bytes are not those of a WAV, AIFF, FLAC, MP3, OGG (Vorbis or Opus) or M4A file.',
    }
  const reason = await headerProblem(format, read, length)
  return reason === null ? { ok: true, format } : { ok: false, code: 'corrupt_audio', reason }
}

function headerProblem(format: AudioFormat, read: ByteReader, length: number): Promise<string | null> {
  switch (format) {
    case 'wav':
      return checkWav(read, length)
    case 'aiff':
      return checkAiff(read, length)
    case 'flac':
      return checkFlac(read, length)
    case 'mp3':
      return checkMp3(read, length)
    case 'ogg':
      return checkOgg(read, length)
    case 'm4a':
      return checkMp4(read, length)
  }
}

/** At most this many chunks or boxes are walked looking for the ones that matter. */
const MAX_CHUNKS = 4096

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

async function checkWav(read: ByteReader, length: number): Promise<string | null> {
  let fmt: { channels: number; sampleRate: number; bits: number; blockAlign: number } | null = null
  let at = 12
  for (let n = 0; n < MAX_CHUNKS && at + 8 <= length; n++) {
    const header = await read(at, 8)
    const id = ascii(header, 0, 4)
    const size = view(header).getUint32(4, true)
    const body = at + 8
    if (id === 'fmt ') {
      if (size < 16 || body + size > length) return 'The WAV file’s format chunk is cut short.'
      const f = view(await read(body, 16))
      fmt = {
        channels: f.getUint16(2, true),
        sampleRate: f.getUint32(4, true),
        blockAlign: f.getUint16(12, true),
        bits: f.getUint16(14, true),
      }
      const problem = pcmProblem('WAV', fmt.channels, fmt.sampleRate, fmt.bits)
      if (problem !== null) return problem
      if (fmt.blockAlign === 0) return 'The WAV file’s format chunk gives a block size of 0.'
    } else if (id === 'data') {
      if (fmt === null) return 'The WAV file has no format chunk before its audio.'
      if (body + size > length)
        return `The WAV header claims ${size} bytes of audio, but the file holds only ${length - body} after it: the file is truncated or its header is false.`
      const seconds = size / fmt.blockAlign / fmt.sampleRate
      if (seconds > MAX_AUDIO_SECONDS) return tooLong(seconds)
      return null
    }
    at = body + size + (size % 2)
  }
  return 'The WAV file has no audio (data) chunk.'
}

async function checkAiff(read: ByteReader, length: number): Promise<string | null> {
  let frames: number | null = null
  let frameBytes = 0
  const compressed = ascii(await read(8, 4), 0, 4) === 'AIFC'
  let at = 12
  for (let n = 0; n < MAX_CHUNKS && at + 8 <= length; n++) {
    const header = await read(at, 8)
    const id = ascii(header, 0, 4)
    const size = view(header).getUint32(4, false)
    const body = at + 8
    if (body + size > length)
      return `The AIFF header claims a ${id.trim()} chunk of ${size} bytes, but the file ends ${length - body} bytes later.`
    if (id === 'COMM') {
      if (size < 18) return 'The AIFF file’s COMM chunk is cut short.'
      const c = await read(body, 18)
      const channels = view(c).getUint16(0, false)
      frames = view(c).getUint32(2, false)
      const bits = view(c).getUint16(6, false)
      const sampleRate = extended80(c.subarray(8, 18))
      const problem = pcmProblem('AIFF', channels, sampleRate, bits)
      if (problem !== null) return problem
      frameBytes = channels * Math.ceil(bits / 8)
      if (frames / sampleRate > MAX_AUDIO_SECONDS) return tooLong(frames / sampleRate)
    } else if (id === 'SSND') {
      if (frames === null) return 'The AIFF file has no COMM chunk before its audio.'
      // Compressed AIFC may hold fewer bytes than frames × frame size; plain AIFF (PCM) may not.
      if (!compressed && frames * frameBytes > size - 8)
        return `The AIFF header claims ${frames} frames, more than its sound chunk holds: the file is truncated or its header is false.`
      return null
    }
    at = body + size + (size % 2)
  }
  return 'The AIFF file has no sound (SSND) chunk.'
}

/** An 80-bit IEEE extended float (AIFF's sample rate). */
function extended80(b: Uint8Array): number {
  const exponent = ((b[0]! & 0x7f) << 8) | b[1]!
  let mantissa = 0
  for (let i = 2; i < 10; i++) mantissa = mantissa * 256 + b[i]!
  if (exponent === 0 && mantissa === 0) return 0
  return mantissa * 2 ** (exponent - 16383 - 63)
}

async function checkFlac(read: ByteReader, length: number): Promise<string | null> {
  if (length < 42) return 'The FLAC file is too short to hold its STREAMINFO header.'
  const block = await read(4, 38)
  if ((block[0]! & 0x7f) !== 0 || ((block[1]! << 16) | (block[2]! << 8) | block[3]!) !== 34)
    return 'The FLAC file does not start with a valid STREAMINFO block.'
  const s = block.subarray(4)
  const minBlock = (s[0]! << 8) | s[1]!
  const maxBlock = (s[2]! << 8) | s[3]!
  const sampleRate = (s[10]! << 12) | (s[11]! << 4) | (s[12]! >> 4)
  const channels = ((s[12]! >> 1) & 0x07) + 1
  const bits = (((s[12]! & 0x01) << 4) | (s[13]! >> 4)) + 1
  const totalSamples = (s[13]! & 0x0f) * 2 ** 32 + view(s).getUint32(14, false)
  if (minBlock < 16 || maxBlock < minBlock) return 'The FLAC STREAMINFO gives impossible block sizes.'
  const problem = pcmProblem('FLAC', channels, sampleRate, bits)
  if (problem !== null) return problem
  // Zero means "unknown" in FLAC; then the decoder's own limits apply.
  if (totalSamples > 0) {
    const seconds = totalSamples / sampleRate
    if (seconds > MAX_AUDIO_SECONDS) return tooLong(seconds)
    const pcmBytes = totalSamples * channels * 2
    if (pcmBytes > MAX_FLAC_EXPANSION * length)
      return `The FLAC header claims ${totalSamples} samples (${Math.round(pcmBytes / 2 ** 20)} MiB decoded) from a ${length}-byte file: no real recording compresses that much.`
  }
  return null
}

/** A valid MPEG audio frame header at `at`: its length in bytes, or null. */
function mpegFrame(b: Uint8Array, at: number): number | null {
  if (at + 4 > b.length) return null
  if (b[at] !== 0xff || (b[at + 1]! & 0xe0) !== 0xe0) return null
  const version = (b[at + 1]! >> 3) & 0x03 // 0: 2.5, 2: 2, 3: 1 (1 is reserved)
  const layer = (b[at + 1]! >> 1) & 0x03 // 1: III, 2: II, 3: I (0: AAC's ADTS, not MPEG audio)
  const bitrateIndex = b[at + 2]! >> 4
  const rateIndex = (b[at + 2]! >> 2) & 0x03
  const padding = (b[at + 2]! >> 1) & 0x01
  if (version === 1 || layer === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3)
    return null
  const rates = [44100, 48000, 32000]
  const sampleRate = rates[rateIndex]! / (version === 3 ? 1 : version === 2 ? 2 : 4)
  const v1 = version === 3
  const bitrates: Record<number, number[]> = {
    3: v1
      ? [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448]
      : [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    2: v1
      ? [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384]
      : [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    1: v1
      ? [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
      : [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  }
  const bitrate = bitrates[layer]![bitrateIndex]! * 1000
  if (layer === 3) return (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
  const perFrame = layer === 1 && !v1 ? 72 : 144
  return Math.floor((perFrame * bitrate) / sampleRate) + padding
}

async function checkMp3(read: ByteReader, length: number): Promise<string | null> {
  let at = 0
  const id3 = await read(0, Math.min(length, 10))
  if (ascii(id3, 0, 3) === 'ID3') {
    if (id3.length < 10) return 'The MP3 file ends inside its ID3 tag.'
    const size =
      ((id3[6]! & 0x7f) << 21) | ((id3[7]! & 0x7f) << 14) | ((id3[8]! & 0x7f) << 7) | (id3[9]! & 0x7f)
    at = 10 + size + (id3[5]! & 0x10 ? 10 : 0)
    if (at >= length) return 'The MP3 file holds an ID3 tag but no audio: it is truncated.'
  }
  // Two frames in a row (or one that ends the file exactly) tell MPEG audio from bytes that only look
  // like a frame header.
  const first = await read(at, Math.min(4, length - at))
  const firstLength = mpegFrame(first, 0)
  if (firstLength === null) return 'The MP3 file has no valid MPEG audio frame where its audio should start.'
  const next = at + firstLength
  if (next > length) return 'The MP3 file is truncated: its first audio frame is cut short.'
  if (next === length) return null
  const second = await read(next, Math.min(4, length - next))
  if (mpegFrame(second, 0) === null && ascii(second, 0, 3) !== 'TAG')
    return 'The MP3 file’s audio frames do not follow one another: it is truncated or not an MP3.'
  return null
}

async function checkOgg(read: ByteReader, length: number): Promise<string | null> {
  if (length < 28) return 'The OGG file is too short to hold a page.'
  const page = await read(0, 27)
  if (page[4] !== 0) return 'The OGG file has an unknown stream version.'
  const segments = page[26]!
  const table = await read(27, segments)
  const bodyLength = table.reduce((sum, s) => sum + s, 0)
  const bodyAt = 27 + segments
  if (bodyAt + bodyLength > length) return 'The OGG file is truncated inside its first page.'
  const body = await read(bodyAt, Math.min(bodyLength, 8))
  if (ascii(body, 0, 8) === 'OpusHead' || ascii(body, 1, 6) === 'vorbis' || ascii(body, 1, 4) === 'FLAC')
    return null
  return 'The OGG file holds no Vorbis, Opus or FLAC audio.'
}

async function checkMp4(read: ByteReader, length: number): Promise<string | null> {
  let at = 0
  let sawMoov = false
  for (let n = 0; n < MAX_CHUNKS && at < length; n++) {
    if (at + 8 > length) return 'The M4A file ends inside a box header: it is truncated.'
    const header = await read(at, Math.min(16, length - at))
    let size = view(header).getUint32(0, false)
    const type = ascii(header, 4, 4)
    if (size === 1) {
      if (header.length < 16) return 'The M4A file ends inside a box header: it is truncated.'
      size = view(header).getUint32(8, false) * 2 ** 32 + view(header).getUint32(12, false)
    } else if (size === 0) size = length - at
    if (size < 8 || at + size > length)
      return `The M4A file’s ${type} box claims ${size} bytes, but the file ends ${length - at} bytes after it starts: it is truncated or its header is false.`
    if (type === 'moov') sawMoov = true
    at += size
  }
  return sawMoov ? null : 'The M4A file has no movie (moov) box: it holds no playable audio.'
}

function pcmProblem(name: string, channels: number, sampleRate: number, bits: number): string | null {
  if (channels < 1 || channels > 32) return `The ${name} header gives ${channels} channels.`
  if (!(sampleRate >= 1000 && sampleRate <= 768_000))
    return `The ${name} header gives a sample rate of ${sampleRate} Hz.`
  if (bits < 1 || bits > 64) return `The ${name} header gives ${bits} bits per sample.`
  return null
}

const tooLong = (seconds: number): string =>
  `The header claims ${Math.round(seconds / 3600)} hours of audio; the limit is ${MAX_AUDIO_SECONDS / 3600} hours.`
