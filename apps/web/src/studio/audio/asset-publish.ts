import { computePeaks, encodePeaks, type Peaks } from '@ensemble/core/audio'
import { sha256Hex } from '../../client/assets/hash'
import { AssetUploadError } from '../../client/assets/upload'
import { uploadAudio, uploadPeaks } from './asset-transfer'
import { putPeaks } from './peaks-cache'
import type { UploadProgress } from './upload-progress'

/*
 * A take or an imported file on its way to the band: hashed (the asset's name), its peaks computed once
 * and shown here at once, then sent: peaks first, the audio after, with progress for everyone.
 */

export type AudioFileFormat = 'wav' | 'aiff' | 'flac' | 'mp3' | 'ogg' | 'm4a'

/** The song's record of an asset (the contract's `addAudioAsset` fields). */
export interface AssetRecord {
  readonly hash: string
  readonly name: string
  readonly format: AudioFileFormat
  readonly sampleRate: number
  readonly channels: number
  readonly frames: number
  readonly durationSeconds: number
}

export interface PreparedAsset {
  readonly record: AssetRecord
  readonly bytes: Uint8Array<ArrayBuffer>
  readonly mimeType: string
  readonly peaks: Peaks
}

export interface DecodedAudio {
  readonly sampleRate: number
  readonly channels: readonly Float32Array[]
}

export async function prepareAsset(
  bytes: Uint8Array<ArrayBuffer>,
  audio: DecodedAudio,
  file: { readonly name: string; readonly format: AudioFileFormat; readonly mimeType: string },
): Promise<PreparedAsset> {
  const hash = await sha256Hex(new Blob([bytes]))
  const peaks = computePeaks(audio.channels, audio.sampleRate)
  putPeaks(hash, peaks)
  const frames = audio.channels[0]?.length ?? 0
  return {
    record: {
      hash,
      name: file.name,
      format: file.format,
      sampleRate: audio.sampleRate,
      channels: audio.channels.length,
      frames,
      durationSeconds: frames / audio.sampleRate,
    },
    bytes,
    mimeType: file.mimeType,
    peaks,
  }
}

/** Peaks, then the audio; resolves once the server has stored the asset (only then is it saved). */
export async function publishAsset(
  projectId: string,
  asset: PreparedAsset,
  progress: UploadProgress,
  signal?: AbortSignal,
): Promise<void> {
  const { hash, name } = asset.record
  progress.set(hash, 0)
  try {
    await uploadPeaks(projectId, hash, encodePeaks(asset.peaks))
    await uploadAudio(projectId, new Blob([asset.bytes], { type: asset.mimeType }), {
      sha256: hash,
      filename: name,
      onProgress: (sent, total) => progress.set(hash, total > 0 ? (sent / total) * 100 : 0),
      ...(signal ? { signal } : {}),
    })
    progress.done(hash)
  } catch (err) {
    // Cut off (offline, a lost connection): the clip keeps showing where its upload stands until it resumes.
    if (!uploadCutOff(err)) progress.done(hash)
    throw err
  }
}

/** Whether an upload failed for want of a connection (it resumes), not because the server refused it. */
export const uploadCutOff = (err: unknown): boolean =>
  err instanceof TypeError || (err instanceof AssetUploadError && err.code === 'network')
