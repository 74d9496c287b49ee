/*
 * Key signatures as MIDI stores them: a count of sharps (positive) or flats (negative) and a major/minor
 * flag. @tonejs/midi names a signature by its major key even when the flag says minor, so minor tonics are
 * looked up here, and its writer puts the wrong count in the file (2.0.28 writes index + 7 instead of
 * index - 7), so export patches that byte; both are checked by the round-trip test.
 */
import { hasMinorThird, type Key } from '../music/index'

/** Index i is the key with i - 7 sharps (negative: flats). */
const MAJOR = ['Cb', 'Gb', 'Db', 'Ab', 'Eb', 'Bb', 'F', 'C', 'G', 'D', 'A', 'E', 'B', 'F#', 'C#']
const MINOR = ['Ab', 'Eb', 'Bb', 'F', 'C', 'G', 'D', 'A', 'E', 'B', 'F#', 'C#', 'G#', 'D#', 'A#']

/** The song key from @tonejs/midi's (major key name, scale) pair; null when it names no signature. */
export const keyFromMidi = (majorName: string | undefined, scale: string | undefined): Key | null => {
  const index = MAJOR.indexOf(majorName ?? '')
  if (index < 0) return null
  return scale === 'minor' ? { tonic: MINOR[index]!, mode: 'minor' } : { tonic: MAJOR[index]!, mode: 'major' }
}

/** Sharps (or negative flats) and the minor flag for a song key; null for tonics no signature spells. */
export const signatureOf = (key: Key): { sharps: number; minor: boolean } | null => {
  // A mode takes the signature of the major or minor key with the same third.
  const minor = hasMinorThird(key.mode)
  const index = (minor ? MINOR : MAJOR).indexOf(key.tonic)
  return index < 0 ? null : { sharps: index - 7, minor }
}

/** Name @tonejs/midi wants for a signature: always the major key's. */
export const majorNameOf = (sharps: number): string => MAJOR[sharps + 7]!

/**
 * Rewrites the first key-signature meta event (FF 59 02 sf mi) to carry `sharps`. The writer's wrong count
 * is at a known place in the event, and the conductor track holds the only key signature we write.
 */
export const patchKeySignature = (bytes: Uint8Array, sharps: number, minor: boolean): Uint8Array => {
  for (let i = 0; i + 4 < bytes.length; i++) {
    if (
      bytes[i] === 0xff &&
      bytes[i + 1] === 0x59 &&
      bytes[i + 2] === 0x02 &&
      bytes[i + 4] === (minor ? 1 : 0)
    ) {
      bytes[i + 3] = sharps & 0xff
      return bytes
    }
  }
  return bytes
}
