import { addTrack, readTrack, type UserOrigin } from '@ensemble/core'
import type * as Y from 'yjs'
import { type AudioFileFormat, type PreparedAsset, prepareAsset, publishAsset } from './asset-publish'
import { addAudioClipToSong } from './song-audio'
import type { UploadProgress } from './upload-progress'

/*
 * Importing an audio file (dropped on the arrangement or picked): checked before it is read in full
 * (size) and before it is decoded (what its first bytes say it is), decoded by the browser, then placed
 * as a clip at the drop position and uploaded like a take. The song's tempo is never touched: an audio
 * clip's length is in seconds. The server checks all of this again; these checks give a clear message
 * at once instead of after an upload.
 */

export const IMPORT_FORMATS: Readonly<Record<AudioFileFormat, { label: string; mimeType: string }>> = {
  wav: { label: 'WAV', mimeType: 'audio/wav' },
  aiff: { label: 'AIFF', mimeType: 'audio/aiff' },
  flac: { label: 'FLAC', mimeType: 'audio/flac' },
  mp3: { label: 'MP3', mimeType: 'audio/mpeg' },
  ogg: { label: 'OGG', mimeType: 'audio/ogg' },
  m4a: { label: 'M4A', mimeType: 'audio/mp4' },
}

/** What the file picker offers. */
export const IMPORT_ACCEPT = '.wav,.aif,.aiff,.flac,.mp3,.ogg,.opus,.oga,.m4a,.mp4,audio/*'

export interface ImportLimits {
  readonly maxBytes: number
  readonly maxSeconds: number
}

/** Defaults; a deployment sets `NEXT_PUBLIC_AUDIO_IMPORT_MAX_MB` to match the server's upload limit. */
export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  maxBytes: (Number(process.env.NEXT_PUBLIC_AUDIO_IMPORT_MAX_MB) || 200) * 1024 * 1024,
  maxSeconds: 30 * 60,
}

export class AudioImportError extends Error {
  override name = 'AudioImportError'
}

const ascii = (bytes: Uint8Array, from: number, length: number) =>
  String.fromCharCode(...bytes.subarray(from, from + length))

/** The format the file's first bytes announce (12 are enough), or null when they announce no audio we take. */
export function sniffAudioFormat(head: Uint8Array): AudioFileFormat | null {
  if (head.length < 4) return null
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WAVE') return 'wav'
  if (ascii(head, 0, 4) === 'FORM' && ['AIFF', 'AIFC'].includes(ascii(head, 8, 4))) return 'aiff'
  if (ascii(head, 0, 4) === 'fLaC') return 'flac'
  if (ascii(head, 0, 4) === 'OggS') return 'ogg'
  if (ascii(head, 4, 4) === 'ftyp') return 'm4a'
  // MP3: an ID3 tag, or straight away an MPEG audio frame (11 sync bits, layer III).
  if (ascii(head, 0, 3) === 'ID3') return 'mp3'
  const b0 = head[0] as number
  const b1 = head[1] as number
  if (b0 === 0xff && (b1 & 0xe0) === 0xe0 && (b1 & 0x06) === 0x02) return 'mp3'
  return null
}

/** File name without any directory part (some drops carry one), for display and the clip's name. */
export const baseName = (name: string): string =>
  [...(name.split(/[\\/]/).pop() ?? '')]
    .filter((ch) => ch.charCodeAt(0) >= 0x20)
    .join('')
    .slice(0, 200) || 'Audio'

/** Refuses what cannot be imported, with the reason a musician can act on. */
export function checkImport(
  file: { name: string; size: number },
  head: Uint8Array,
  limits: ImportLimits,
): AudioFileFormat {
  const name = baseName(file.name)
  if (file.size === 0) throw new AudioImportError(`${name} is empty`)
  if (file.size > limits.maxBytes)
    throw new AudioImportError(
      `${name} is ${(file.size / 1024 / 1024).toFixed(0)} MB; files up to ${(limits.maxBytes / 1024 / 1024).toFixed(0)} MB can be imported`,
    )
  const format = sniffAudioFormat(head)
  if (!format)
    throw new AudioImportError(
      `${name} is not an audio file this studio reads (WAV, AIFF, FLAC, MP3, OGG/Opus or M4A)`,
    )
  return format
}

/** Decodes with the browser; a damaged file or one the browser cannot play gets a clear message. */
export async function decodeImport(
  name: string,
  bytes: Uint8Array<ArrayBuffer>,
  format: AudioFileFormat,
  limits: ImportLimits,
): Promise<{ sampleRate: number; channels: Float32Array[] }> {
  // A fixed rate, so every imported clip's peaks and frames count alike; the browser resamples.
  const context = new OfflineAudioContext(1, 1, 48_000)
  let buffer: AudioBuffer
  try {
    // decodeAudioData detaches the buffer it is given: keep the bytes for hashing and upload.
    buffer = await context.decodeAudioData(bytes.slice().buffer)
  } catch {
    throw new AudioImportError(
      `${name} could not be decoded: the ${IMPORT_FORMATS[format].label} file is damaged or cut short, or this browser cannot play it`,
    )
  }
  if (buffer.duration > limits.maxSeconds)
    throw new AudioImportError(
      `${name} is ${Math.round(buffer.duration / 60)} minutes long; the limit is ${limits.maxSeconds / 60}`,
    )
  if (buffer.length === 0) throw new AudioImportError(`${name} holds no audio`)
  const channels = Array.from({ length: Math.min(2, buffer.numberOfChannels) }, (_, c) =>
    buffer.getChannelData(c),
  )
  return { sampleRate: buffer.sampleRate, channels }
}

export interface ImportTarget {
  readonly doc: Y.Doc
  readonly me: UserOrigin
  readonly projectId: string
  /** An audio track to place the clip on; otherwise a new audio track is added, named after the file. */
  readonly trackId: string | null
  readonly tick: number
  readonly progress: UploadProgress
  /** Told the decoded audio, so this tab plays the clip without downloading what it just read. */
  readonly decoded?: (hash: string, audio: { sampleRate: number; channels: readonly Float32Array[] }) => void
}

/** Reads, checks, decodes, places and uploads one file; resolves once the asset is stored. */
export async function importAudioFile(
  file: File,
  target: ImportTarget,
  limits: ImportLimits = DEFAULT_IMPORT_LIMITS,
): Promise<{ trackId: string; clipId: string }> {
  const name = baseName(file.name)
  const format = checkImport(file, new Uint8Array(await file.slice(0, 12).arrayBuffer()), limits)
  const bytes = new Uint8Array(await file.arrayBuffer())
  const audio = await decodeImport(name, bytes, format, limits)
  const asset: PreparedAsset = await prepareAsset(bytes, audio, {
    name,
    format,
    mimeType: IMPORT_FORMATS[format].mimeType,
  })
  target.decoded?.(asset.record.hash, audio)
  const onAudioTrack = target.trackId !== null && readTrack(target.doc, target.trackId)?.kind === 'audio'
  const trackId = onAudioTrack
    ? (target.trackId as string)
    : addTrack(target.doc, target.me, {
        kind: 'audio',
        name: name.replace(/\.[^.]+$/, '').slice(0, 60) || 'Audio',
      })
  const { clipId } = addAudioClipToSong(target.doc, target.me, {
    trackId,
    start: Math.max(0, Math.round(target.tick)),
    asset: asset.record,
    source: { kind: 'import', fileName: name },
  })
  await publishAsset(target.projectId, asset, target.progress)
  return { trackId, clipId }
}
