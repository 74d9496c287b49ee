import { describe, expect, it } from 'vitest'
import { AudioImportError, baseName, checkImport, sniffAudioFormat } from './audio-import'

const bytes = (text: string, at = 0, length = 12) => {
  const b = new Uint8Array(length)
  for (let i = 0; i < text.length; i++) b[at + i] = text.charCodeAt(i)
  return b
}
const limits = { maxBytes: 1024 * 1024, maxSeconds: 600 }

describe('sniffAudioFormat', () => {
  it('knows every format the studio imports by its first bytes, whatever the file is called', () => {
    const wav = bytes('RIFF')
    wav.set(bytes('WAVE').subarray(0, 4), 8)
    const aiff = bytes('FORM')
    aiff.set(bytes('AIFC').subarray(0, 4), 8)
    expect(sniffAudioFormat(wav)).toBe('wav')
    expect(sniffAudioFormat(aiff)).toBe('aiff')
    expect(sniffAudioFormat(bytes('fLaC'))).toBe('flac')
    expect(sniffAudioFormat(bytes('OggS'))).toBe('ogg')
    expect(sniffAudioFormat(bytes('ftypM4A ', 4))).toBe('m4a')
    expect(sniffAudioFormat(bytes('ID3'))).toBe('mp3')
    expect(sniffAudioFormat(Uint8Array.from([0xff, 0xfb, 0x90, 0x64]))).toBe('mp3')
  })
  it('refuses what is not audio: a zip, a PNG, text, a RIFF that is not WAVE, too few bytes', () => {
    expect(sniffAudioFormat(bytes('PK\u0003\u0004'))).toBeNull()
    expect(sniffAudioFormat(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))).toBeNull()
    expect(sniffAudioFormat(bytes('hello world!'))).toBeNull()
    const avi = bytes('RIFF')
    avi.set(bytes('AVI ').subarray(0, 4), 8)
    expect(sniffAudioFormat(avi)).toBeNull()
    expect(sniffAudioFormat(Uint8Array.from([0xff]))).toBeNull()
  })
})

describe('checkImport', () => {
  it('names the file, the size and the limit when the file is too big', () => {
    expect(() => checkImport({ name: 'live.wav', size: 5 * 1024 * 1024 }, bytes('RIFF'), limits)).toThrow(
      'live.wav is 5 MB; files up to 1 MB can be imported',
    )
  })
  it('says which formats are read when a file only pretends to be audio', () => {
    expect(() => checkImport({ name: 'notes.wav', size: 100 }, bytes('just text...'), limits)).toThrow(
      /notes\.wav is not an audio file this studio reads \(WAV, AIFF, FLAC, MP3, OGG\/Opus or M4A\)/,
    )
    expect(() => checkImport({ name: 'empty.mp3', size: 0 }, new Uint8Array(0), limits)).toThrow(
      AudioImportError,
    )
  })
  it('keeps no directory or control characters of a file name', () => {
    expect(baseName('../../etc/passwd.wav')).toBe('passwd.wav')
    expect(baseName('C:\\Users\\me\\take\u0007.wav')).toBe('take.wav')
    expect(baseName('')).toBe('Audio')
  })
})
