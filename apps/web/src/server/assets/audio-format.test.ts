import { describe, expect, it } from 'vitest'
import { checkAudio, type FormatVerdict } from './audio-format'

/**
 * The formats the studio imports pass the header checks (the HTTP tests cover the refusals): minimal
 * but well-formed files of each kind, built here byte by byte.
 */

const check = (bytes: Buffer): Promise<FormatVerdict> =>
  checkAudio(async (offset, length) => bytes.subarray(offset, offset + length), bytes.length)

function chunk(id: string, body: Buffer, littleEndian: boolean): Buffer {
  const header = Buffer.alloc(8)
  header.write(id, 0, 'ascii')
  if (littleEndian) header.writeUInt32LE(body.length, 4)
  else header.writeUInt32BE(body.length, 4)
  return Buffer.concat([header, body, Buffer.alloc(body.length % 2)])
}

function aiff(frames: number): Buffer {
  const comm = Buffer.alloc(18)
  comm.writeUInt16BE(2, 0)
  comm.writeUInt32BE(frames, 2)
  comm.writeUInt16BE(16, 6)
  // 48000 as an 80-bit extended float: exponent 16383 + 15, mantissa 48000 << 48.
  comm.writeUInt16BE(16383 + 15, 8)
  comm.writeUInt32BE(48000 * 65536, 10)
  const ssnd = Buffer.concat([Buffer.alloc(8), Buffer.alloc(frames * 4, 1)])
  const body = Buffer.concat([Buffer.from('AIFF'), chunk('COMM', comm, false), chunk('SSND', ssnd, false)])
  return chunk('FORM', body, false)
}

function flac(totalSamples: number, trailing: number): Buffer {
  const out = Buffer.alloc(42 + trailing, 0)
  out.write('fLaC', 0, 'ascii')
  out[4] = 0x80
  out.writeUIntBE(34, 5, 3)
  out.writeUInt16BE(4096, 8)
  out.writeUInt16BE(4096, 10)
  const rate = 48_000
  out[18] = rate >> 12
  out[19] = (rate >> 4) & 0xff
  out[20] = ((rate & 0x0f) << 4) | (1 << 1) | 0
  out[21] = (15 << 4) | Math.floor(totalSamples / 2 ** 32)
  out.writeUInt32BE(totalSamples % 2 ** 32, 22)
  return out
}

function oggOpus(): Buffer {
  const head = Buffer.alloc(19)
  head.write('OpusHead', 0, 'ascii')
  head[8] = 1
  head[9] = 2
  const page = Buffer.alloc(27)
  page.write('OggS', 0, 'ascii')
  page[5] = 2
  page[26] = 1
  return Buffer.concat([page, Buffer.from([head.length]), head])
}

function box(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8)
  header.writeUInt32BE(8 + body.length, 0)
  header.write(type, 4, 'ascii')
  return Buffer.concat([header, body])
}

const mp3Frame = () => Buffer.from([0xff, 0xfb, 0x90, 0x64, ...Buffer.alloc(413)])

describe('audio formats that pass', () => {
  it.each([
    ['AIFF', () => aiff(4800), 'aiff'],
    ['FLAC (ten seconds in 200 KB)', () => flac(480_000, 200_000), 'flac'],
    ['FLAC of unknown length', () => flac(0, 100), 'flac'],
    ['OGG Opus', oggOpus, 'ogg'],
    [
      'M4A',
      () => Buffer.concat([box('ftyp', Buffer.from('M4A \0\0\0\0isom')), box('moov', Buffer.alloc(32))]),
      'm4a',
    ],
    ['MP3, frame sync', () => Buffer.concat([mp3Frame(), mp3Frame(), mp3Frame()]), 'mp3'],
    [
      'MP3 after an ID3 tag',
      () =>
        Buffer.concat([
          Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 20]),
          Buffer.alloc(20),
          mp3Frame(),
          mp3Frame(),
        ]),
      'mp3',
    ],
  ] as const)('%s', async (_name, make, format) => {
    expect(await check(make())).toEqual({ ok: true, format })
  })

  it('refuses an AIFF whose COMM claims more frames than its sound chunk holds', async () => {
    const file = aiff(100)
    file.writeUInt32BE(1_000_000, 12 + 8 + 2)
    expect(await check(file)).toMatchObject({ ok: false, code: 'corrupt_audio' })
  })

  it('refuses an M4A with a box running past the end', async () => {
    const file = Buffer.concat([box('ftyp', Buffer.from('M4A \0\0\0\0')), box('moov', Buffer.alloc(32))])
    file.writeUInt32BE(10_000, 16)
    expect(await check(file)).toMatchObject({ ok: false, code: 'corrupt_audio' })
  })
})
